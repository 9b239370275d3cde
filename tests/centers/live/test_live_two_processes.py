"""Two app servers (gunicorn, gthread, each its own process) on the test database and one Redis:
an event_sync webhook arriving at one reaches the stream opened on the other within 2 seconds.

Redis comes from TEST_REDIS_URL (default db 15; pub/sub channels ignore the database number, so
the servers get a channel of this test's own, ``LIVE_EVENTS_CHANNEL``)."""

import json
import os
import queue
import socket
import subprocess
import sys
import threading
import time
import uuid

import pytest
import redis
import requests

from app.auth.models import Role
from tests.conftest import ROOT
from tests.factories import CenterFactory, CountyFactory, SessionFactory, UserFactory

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
SECRET = "two-process-event-sync-secret"

pytestmark = pytest.mark.commits


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(url: str, process, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"app server exited: {process.stderr.read().decode()[-2000:]}")
        try:
            if requests.get(f"{url}/auth/login", timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise AssertionError(f"app server at {url} did not come up")


@pytest.fixture
def servers(app, database_url):
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
        "LIVE_EVENTS_CHANNEL": f"ieum:live:test:{uuid.uuid4().hex}",
        "JITSI_EVENTS_SECRET": SECRET,
        "SECRET_KEY": "two-process-test-secret-key-0123456789",
        "IEUM_ENV": "development",
    }
    started = []
    try:
        for _ in range(2):
            port = _free_port()
            process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
                [sys.executable, "-m", "gunicorn", "-k", "gthread", "--threads", "8", "-w", "1",
                 "--graceful-timeout", "2", "-b", f"127.0.0.1:{port}", "wsgi:app"],
                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            )
            started.append((f"http://127.0.0.1:{port}", process))
        for url, process in started:
            _wait_until_up(url, process)
        yield [url for url, _ in started]
    finally:
        for _, process in started:
            process.terminate()
        for _, process in started:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def _read_stream(response, found: queue.Queue) -> None:
    try:
        for line in response.iter_lines(decode_unicode=True):
            found.put((time.monotonic(), line))
    except requests.RequestException:
        pass


def test_a_webhook_on_one_server_reaches_the_stream_on_the_other(servers, make_token):
    receiving, webhook = servers
    county = CountyFactory()
    center = CenterFactory(county=county, name="봉성2리 경로당")
    elsewhere = CenterFactory(name="다른 군 경로당")
    session = SessionFactory(centers=[center, elsewhere])
    viewer = UserFactory(role=Role.COUNTY_VIEWER, county_id=county.id)
    headers = make_token(viewer)

    stream = requests.get(f"{receiving}/live/stream", headers=headers, stream=True, timeout=10)
    assert stream.status_code == 200 and stream.headers["Content-Type"].startswith("text/event-stream")
    lines: queue.Queue = queue.Queue()
    reader = threading.Thread(target=_read_stream, args=(stream, lines), daemon=True)
    reader.start()
    assert lines.get(timeout=5)[1].startswith("retry:")  # subscribed: the stream is open

    def joined(target, jid):
        return requests.post(
            f"{webhook}/api/v1/jitsi/events/occupant/joined",
            headers={"Authorization": f"Bearer {SECRET}"},
            json={
                "event_name": "muc-occupant-joined",
                "room_name": session.room.name,
                "is_breakout": False,
                "occupant": {"occupant_jid": jid, "id": f"center-{target.id}", "name": target.name},
            },
            timeout=10,
        )

    # Another county's center first: this viewer must not hear of it.
    assert joined(elsewhere, "other@meet/r1").json()["status"] == "recorded"
    sent = time.monotonic()
    answer = joined(center, "center@meet/r1")
    assert answer.status_code == 200 and answer.json()["status"] == "recorded"

    events = []
    deadline = sent + 2.0
    while time.monotonic() < deadline and len(events) < 2:
        try:
            at, line = lines.get(timeout=max(0.01, deadline - time.monotonic()))
        except queue.Empty:
            break
        if line.startswith("data:"):
            events.append((at, json.loads(line[5:])))
    # The stream stays open: stopping the servers ends it (closing it here would wait for the
    # reader thread's next heartbeat).
    assert events, "no event within 2 s on the other server"
    assert {(e["kind"], e["session_id"], e["center_id"]) for _, e in events} == {
        ("presence", session.id, center.id),
        ("attendance", session.id, center.id),
    }
    assert all(at - sent < 2.0 for at, _ in events)
