"""Shared fixtures: an app on the test database (SQLite, or PostgreSQL via TEST_DATABASE_URL),
a clean database for every test, factories, and helpers for API tokens and page logins.
"""

import os
import re
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from app import clock, create_app
from app.extensions import db, limiter

ROOT = Path(__file__).resolve().parent.parent


def pytest_configure(config):
    # Compile translations so page tests see the English catalog too.
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "-q", "compile", "-d", str(ROOT / "translations"), "-f"],
        check=False,
        capture_output=True,
    )


def pytest_report_header(config):
    return f"database: {_database_url_label()}"


def _database_url_label() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    return url if url else "sqlite (temporary file)"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def _schema(database_url, tmp_path_factory):
    """Create the schema once per run (tests may use create_all; the app never does)."""
    app = create_app(_test_config(database_url, tmp_path_factory.mktemp("instance")))
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.engine.dispose()
    return True


def _test_config(database_url: str, instance: Path | None = None) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": None,
    }


class FreshContextClient(FlaskClient):
    """Each request gets its own app context (its own ``g`` and database session), as in
    production; the test's own context then sees the committed result afresh."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        db.session.expire_all()
        return response


@pytest.fixture
def app(database_url, _schema):
    app = create_app(_test_config(database_url))
    app.test_client_class = FreshContextClient
    limiter.enabled = False
    with app.app_context():
        yield app
        db.session.remove()
        _empty_tables()
        db.engine.dispose()
    clock.freeze(None)


def _empty_tables() -> None:
    tables = [t.name for t in db.metadata.sorted_tables]
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_token(app):
    """``make_token(user) -> headers`` with a bearer token for the user."""
    from app.auth.services import issue_token

    def _make(user) -> dict:
        token = issue_token(None, user, name="test")
        db.session.commit()
        return {"Authorization": f"Bearer {token}"}

    return _make


CSRF_RE = re.compile(r'name="csrf-token" content="([^"]+)"')


def csrf_token(client, path: str = "/auth/login") -> str:
    """The CSRF token of the client's session, read from a page's meta tag."""
    html = client.get(path).get_data(as_text=True)
    match = CSRF_RE.search(html)
    assert match, f"no csrf token on {path}"
    return match.group(1)


def login(client, username: str, password: str = "ieum-demo-1234"):
    token = csrf_token(client)
    return client.post(
        "/auth/login", data={"username": username, "password": password, "csrf_token": token}
    )


@pytest.fixture
def login_as(client):
    """``login_as(user)``: log the test client in through the real login form."""

    def _login(user, password: str = "ieum-demo-1234"):
        response = login(client, user.username, password)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return client

    return _login


@pytest.fixture(autouse=True)
def _app_context(request):
    """Every test runs inside an app context on a clean database (factories need it)."""
    if "app" not in request.fixturenames:
        request.getfixturevalue("app")


# --- live server (moved here from tests/browser/conftest.py for the concurrency tests) ---------


@dataclass
class LiveServer:
    url: str
    host: str
    port: int


@pytest.fixture
def live_server(app):
    """Serve the test's app in a daemon thread on a free port; stop it after the test."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(
            url=f"http://127.0.0.1:{server.server_port}", host="127.0.0.1", port=server.server_port
        )
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
