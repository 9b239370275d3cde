"""Two app servers (other processes, other ports) sharing the database and Redis
(TEST_REDIS_URL, db 10 by default): a week published and a session cancelled through one are
on the tablet page served by the other at once, and so is a calendar feed's change."""

import os
import re
import select
import socket
import subprocess
import sys
from contextlib import contextmanager
from datetime import timedelta

import pytest
import redis
import requests

from app import clock
from app.auth.models import Role
from tests.conftest import ROOT
from tests.factories import CenterFactory, SessionFactory, UserFactory

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/10")
PREFIX = f"ieum-test-two-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-{os.getpid()}:"
TODAY = SessionFactory.date  # Tuesday 2026-11-24
NOW = clock.local_datetime(TODAY, SessionFactory.start_time) - timedelta(minutes=30)

pytestmark = pytest.mark.commits


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(database_url: str, secret: str) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = {
        **os.environ,
        "IEUM_TEST_DATABASE_URL": database_url,
        "IEUM_TEST_REDIS_URL": REDIS_URL,
        "IEUM_TEST_CACHE_PREFIX": PREFIX,
        "IEUM_TEST_SECRET_KEY": secret,
        "IEUM_TEST_NOW": NOW.isoformat(),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.app.serve_app", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    return proc, f"http://127.0.0.1:{port}"


@contextmanager
def _servers(database_url: str, secret: str, count: int = 2):
    """``count`` app servers started side by side; stopped after."""
    started = [_start(database_url, secret) for _ in range(count)]
    try:
        for proc, _ in started:
            ready, _, _ = select.select([proc.stdout], [], [], 60)
            assert ready and proc.stdout.readline().strip() == "ready", "an app server did not start"
        yield [url for _, url in started]
    finally:
        for proc, _ in started:
            proc.terminate()
        for proc, _ in started:
            proc.wait(timeout=10)


def _forget() -> None:
    store = redis.Redis.from_url(REDIS_URL)
    keys = list(store.scan_iter(PREFIX + "*"))
    if keys:
        store.delete(*keys)


@pytest.fixture
def servers(app, database_url):
    _forget()
    secret = app.config["SECRET_KEY"]
    with _servers(database_url, secret) as urls:
        yield urls
    _forget()


def _login(base: str, username: str) -> requests.Session:
    browser = requests.Session()
    page = browser.get(f"{base}/auth/login", timeout=10).text
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    response = browser.post(
        f"{base}/auth/login",
        data={"username": username, "password": "ieum-demo-1234", "csrf_token": token},
        allow_redirects=False, timeout=10,
    )
    assert response.status_code == 302
    return browser


def test_a_change_through_one_server_is_on_the_other_at_once(servers, make_token):
    one, two = servers
    clock.freeze(NOW)
    center = CenterFactory(name="가나 경로당")
    main = SessionFactory(centers=[center])
    draft = SessionFactory(centers=[center], status="draft", published_at=None,
                           start_time=main.start_time.replace(hour=14))
    manager = UserFactory(role=Role.CENTER_MANAGER, center_id=center.id)
    coordinator = make_token(UserFactory(role=Role.COORDINATOR))
    feed = f"{two}/calendar/centers/{center.id}.ics?key={center.calendar_key}"

    tablet = _login(two, manager.username)
    html = tablet.get(f"{two}/tablet", timeout=10).text
    assert main.program.title in html and draft.program.title not in html
    assert f"session-{draft.id}@" not in requests.get(feed, timeout=10).text

    published = requests.post(f"{one}/api/v1/weeks/2026-W48/publish", headers=coordinator, timeout=10)
    assert published.status_code == 200 and published.json()["published"] == 1
    html = tablet.get(f"{two}/tablet", timeout=10).text
    assert draft.program.title in html and 'data-state="cancelled"' not in html
    assert f"session-{draft.id}@" in requests.get(feed, timeout=10).text

    cancelled = requests.post(f"{one}/api/v1/sessions/{main.id}/cancel", json={}, headers=coordinator, timeout=10)
    assert cancelled.status_code == 200
    assert 'data-state="cancelled"' in tablet.get(f"{two}/tablet", timeout=10).text
    assert "STATUS:CANCELLED" in requests.get(feed, timeout=10).text
