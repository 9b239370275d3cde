"""The database falls and comes back; the Jitsi server hangs: clear 503 answers (API.md's body,
a Korean page, Retry-After), an engine that recovers by itself, pages that still render and
polling that gives up within its timeout."""

import socket
import threading
import time
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from app import clock, create_app
from app.auth.models import Role
from app.extensions import db
from centers.presence import muc_size
from centers.presence import services as presence
from tests.conftest import _test_config
from tests.factories import CenterFactory, CountyFactory, SessionFactory, UserFactory

START = datetime(2026, 11, 24, 10, 0, tzinfo=clock.SEOUL)


@pytest.fixture
def dead_database_app(tmp_path):
    """An app whose database cannot be opened (as when the server is down). Its tests are marked
    ``commits``: in a rolled-back test every session is bound to the test's live connection."""
    app = create_app({**_test_config(f"sqlite:///{tmp_path / 'missing-dir' / 'ieum.db'}")})
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.mark.commits
def test_api_answers_503_unavailable_when_the_database_is_unreachable(dead_database_app):
    client = dead_database_app.test_client()
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer ieum_x"})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.get_json() == {
        "error": {
            "code": "unavailable",
            "message": "데이터베이스에 연결할 수 없습니다. 잠시 후 다시 시도하세요.",
            "details": {},
        }
    }
    english = client.get("/api/v1/me", headers={"Authorization": "Bearer ieum_x", "Accept-Language": "en"})
    assert english.get_json()["error"]["message"] == "The database cannot be reached. Please try again shortly."
    write = client.put("/api/v1/sessions/1/attendance/1", json={"status": "attended", "headcount": 3},
                       headers={"Authorization": "Bearer ieum_x"})
    assert write.status_code == 503 and write.get_json()["error"]["code"] == "unavailable"


@pytest.mark.commits
def test_pages_show_a_friendly_korean_page_when_the_database_is_unreachable(dead_database_app):
    client = dead_database_app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = "1.0.nonce"  # a well-formed id: loading it needs the database
        session["_fresh"] = True
    response = client.get("/home")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    page = response.get_data(as_text=True)
    assert "잠시 후 다시 시도해 주세요" in page and "5초쯤 뒤에" in page
    assert "Traceback" not in page and "OperationalError" not in page


@pytest.mark.commits  # the real pool, not the test's one connection
def test_engine_recovers_by_itself_when_its_connections_die(app, client, make_token):
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is True
    headers = make_token(UserFactory(role=Role.COORDINATOR))
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    # Every pooled connection dies under the app (a database restart does just this).
    pool = db.engine.pool
    dead = []
    for _ in range(2):
        connection = pool.connect()
        dead.append(connection)
    for connection in dead:
        connection.dbapi_connection.close()
        connection.close()
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    with db.engine.connect() as connection:
        assert connection.execute(sa.text("select 1")).scalar() == 1


def test_a_failing_commit_is_503_and_writes_nothing(app, client, make_token, monkeypatch):
    coordinator = UserFactory(role=Role.COORDINATOR)
    headers = make_token(coordinator)

    def lost_connection(*args, **kwargs):
        raise sa.exc.OperationalError("COMMIT", {}, Exception("server closed the connection unexpectedly"))

    monkeypatch.setattr(db.session, "commit", lost_connection)
    response = client.post("/api/v1/programs", json={"title": "웃음치료", "category": "leisure"}, headers=headers)
    monkeypatch.undo()
    assert response.status_code == 503 and response.get_json()["error"]["code"] == "unavailable"
    assert client.get("/api/v1/programs", headers=headers).get_json() == []


class HungServer:
    """Accepts connections and never answers (a Jitsi host that is up but stuck)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.accepted = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted.append(conn)

    def close(self):
        self.sock.close()
        for conn in self.accepted:
            conn.close()


@pytest.fixture
def hung_prosody(app_config, monkeypatch):
    server = HungServer()
    monkeypatch.setattr(muc_size, "HTTP_TIMEOUT", 0.5)
    app_config(JITSI_PROSODY_URL=server.url, JITSI_DOMAIN="meet.example.org")
    yield server
    server.close()


def test_polling_a_hung_prosody_gives_up_within_its_timeout(hung_prosody, app):
    clock.freeze(START + timedelta(minutes=5))
    county = CountyFactory()
    sessions = [SessionFactory(centers=[CenterFactory(county=county)]) for _ in range(4)]
    started = time.monotonic()
    results = presence.poll_prosody()
    elapsed = time.monotonic() - started
    assert elapsed < 2.0, elapsed  # one timeout (0.5 s), not one per room
    assert [r["session_id"] for r in results] == [s.id for s in sessions]
    assert results[0]["status"] == "error" and results[0]["unreachable"] is True
    assert [r["status"] for r in results[1:]] == ["skipped"] * 3
    assert hung_prosody.accepted  # it did connect, and waited no longer than the timeout


def test_pages_render_while_prosody_hangs(hung_prosody, client, login_as):
    clock.freeze(START + timedelta(minutes=5))
    center = CenterFactory()
    session = SessionFactory(centers=[center])
    login_as(UserFactory(role=Role.COORDINATOR))
    for path in ("/home", "/rooms", f"/sessions/{session.id}", f"/centers/{center.id}"):
        started = time.monotonic()
        response = client.get(path)
        assert response.status_code == 200, path
        assert time.monotonic() - started < 2.0, path
