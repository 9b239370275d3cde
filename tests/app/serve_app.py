"""One more app server for tests/app/test_two_servers.py: ``python -m tests.app.serve_app PORT``.

Configured from the environment (IEUM_TEST_DATABASE_URL, IEUM_TEST_REDIS_URL,
IEUM_TEST_CACHE_PREFIX, IEUM_TEST_SECRET_KEY, IEUM_TEST_NOW for a frozen clock); it prints
``ready`` once it listens."""

import os
import sys
from datetime import datetime

from werkzeug.serving import make_server

from app import clock, create_app


def main(port: int) -> None:
    if os.environ.get("IEUM_TEST_NOW"):
        clock.freeze(datetime.fromisoformat(os.environ["IEUM_TEST_NOW"]))
    app = create_app({
        "SECRET_KEY": os.environ["IEUM_TEST_SECRET_KEY"],
        "SQLALCHEMY_DATABASE_URI": os.environ["IEUM_TEST_DATABASE_URL"],
        "REDIS_URL": os.environ["IEUM_TEST_REDIS_URL"],
        "CACHE_KEY_PREFIX": os.environ["IEUM_TEST_CACHE_PREFIX"],
        "RATELIMIT_ENABLED": False,
    })
    server = make_server("127.0.0.1", port, app, threaded=True)
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main(int(sys.argv[1]))
