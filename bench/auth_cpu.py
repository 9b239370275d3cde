"""The CPU one request costs in this process (Flask's test client, no network, no gunicorn):
a minimal Flask app, ``/healthz``, ``GET /api/v1/me`` with a bearer token and with the page's
session cookie. CPU time (``time.process_time``), the best of three rounds: steadier than wrk on
a shared machine, though it leaves out the time spent waiting for PostgreSQL or Redis.

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/ieum_bench REDIS_URL=redis://127.0.0.1:6379/11 \\
        python bench/auth_cpu.py [--requests 1000]

Run from another checkout's directory (``cd other && python /path/to/bench/auth_cpu.py``) to
compare commits. Needs the demo seed; makes a one-day token for the demo's center manager.
"""

import argparse
import os
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, os.getcwd())

import sqlalchemy as sa  # noqa: E402
from flask import Flask  # noqa: E402

from app import create_app  # noqa: E402
from app.auth.models import User  # noqa: E402
from app.auth.services import issue_token  # noqa: E402
from app.extensions import db  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1000)
    args = parser.parse_args()
    app = create_app()
    with app.app_context():
        manager = db.session.scalar(sa.select(User).where(User.username == "manager"))
        token = issue_token(None, manager, name="bench-cpu", expires_in_days=1)
        db.session.commit()
    signed_in = app.test_client()
    html = signed_in.get("/auth/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
    form = {"username": "manager", "password": "ieum-demo-1234", "csrf_token": csrf}
    assert signed_in.post("/auth/login", data=form).status_code == 302
    hello = Flask("hello")
    hello.get("/")(lambda: "hello")
    hello_client, bare = hello.test_client(), app.test_client()
    bearer = {"Authorization": f"Bearer {token}"}
    cases = {
        "hello": lambda: hello_client.get("/"),
        "/healthz": lambda: bare.get("/healthz"),
        "/me bearer": lambda: bare.get("/api/v1/me", headers=bearer),
        "/me cookie": lambda: signed_in.get("/api/v1/me"),
    }
    best: dict[str, float] = {}
    for _ in range(3):
        for name, request in cases.items():
            for _ in range(50):
                assert request().status_code == 200
            start = time.process_time()
            for _ in range(args.requests):
                request()
            spent = (time.process_time() - start) / args.requests * 1e6
            best[name] = min(best.get(name, spent), spent)
    print(f"checkout: {Path.cwd()}  redis: {os.environ.get('REDIS_URL', '-')}")
    for name, micros in best.items():
        print(f"{name:<12}{micros:8.0f} us CPU per request")


if __name__ == "__main__":
    main()
