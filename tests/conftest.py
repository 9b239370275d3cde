"""Shared fixtures: one app per test session (per xdist worker) on the test database (SQLite, or
PostgreSQL via TEST_DATABASE_URL, one database per worker), each test inside a transaction rolled
back at its end, factories, and helpers for API tokens and page logins.

Isolation
    A test runs in an outer transaction on one connection; every session (the test's own and the
    one of each request, see ``FreshContextClient``) joins it through a SAVEPOINT
    (``join_transaction_mode="create_savepoint"``), so ``commit()`` and ``rollback()`` behave as
    usual and everything disappears when the outer transaction is rolled back.
    Tests marked ``commits`` (and every test using ``live_server``: other threads, other
    connections) work on a committed database that is emptied after the test.

Configuration
    ``app_config(KEY=value, …)`` changes ``app.config`` for one test (undone by ``monkeypatch``);
    whatever a test changes in ``app.config`` is restored after it anyway.
"""

import functools
import os
import re
import subprocess
import sys
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
import werkzeug.security
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from app import clock, create_app
from app.cache import cache
from app.extensions import db, limiter

ROOT = Path(__file__).resolve().parent.parent
# Tests only: one PBKDF2 round instead of scrypt (scrypt per user was most of the suite's CPU).
CHEAP_PASSWORD_HASH = "pbkdf2:sha256:1"


def pytest_configure(config):
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return  # the controller compiled them already
    # Compile translations so page tests see the English catalog too.
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "-q", "compile", "-d", str(ROOT / "translations"), "-f"],
        check=False,
        capture_output=True,
    )


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "live_server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.commits)


def pytest_report_header(config):
    return f"database: {_database_url_label()}"


def _database_url_label() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    return url if url else "sqlite (temporary file)"


def _worker_database(url: str, worker: str) -> str:
    """``<database>_<worker>`` next to TEST_DATABASE_URL's database, created if missing."""
    base = sa.engine.make_url(url)
    name = f"{base.database}_{worker}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            if not conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """TEST_DATABASE_URL (a database per xdist worker), or a temporary SQLite file per worker."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    return _worker_database(url, worker) if worker else url


def _test_config(database_url: str, instance: Path | None = None) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": None,
        # Who the caller is from the cache, in-process as well (one process per test worker).
        "PRINCIPAL_CACHE": "on",
        # Each xdist worker (and each run) keys its cache apart; the in-process cache by default.
        # No delete a second after a commit: it would land in the next test (tests/app/test_cache.py).
        "CACHE_LATE_DELETE_SECONDS": 0,
        "CACHE_KEY_PREFIX": f"ieum-test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-{os.getpid()}:",
    }


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hash():
    """Werkzeug's hash with one PBKDF2 round for every user the tests create."""
    cheap = functools.partial(werkzeug.security.generate_password_hash, method=CHEAP_PASSWORD_HASH)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("app.auth.models.generate_password_hash", cheap)
        yield


class FreshContextClient(FlaskClient):
    """Each request gets its own app context (its own ``g`` and database session), as in
    production; the test's own context then sees the committed result afresh."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        db.session.expire_all()
        return response


@pytest.fixture(scope="session")
def session_app(database_url):
    """The one app of the session, its schema created once (tests may use create_all; the app
    never does)."""
    app = create_app(_test_config(database_url))
    app.test_client_class = FreshContextClient
    limiter.enabled = False
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.engine.dispose()
    yield app
    with app.app_context():
        db.engine.dispose()


@contextmanager
def rolled_back(app):
    """Every session of ``app`` joins one outer transaction (through SAVEPOINTs), rolled back
    at the end: what happens inside leaves no trace in the database."""
    connection = db.engine.connect()
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # pysqlite opens transactions lazily and breaks SAVEPOINTs; issue BEGIN ourselves.
        raw = connection.connection.driver_connection
        raw.isolation_level = None
    outer = connection.begin()
    if sqlite:
        connection.exec_driver_sql("BEGIN")
    factory = db.session.session_factory
    patch = pytest.MonkeyPatch()
    patch.setitem(factory.kw, "join_transaction_mode", "create_savepoint")
    patch.setattr(factory.class_, "get_bind", lambda self, *args, **kwargs: connection, raising=False)
    db.session.remove()
    try:
        yield connection
    finally:
        db.session.remove()
        patch.undo()
        outer.rollback()
        if sqlite:
            raw.isolation_level = ""
        connection.close()
        cache.clear()  # what the cache learnt inside was rolled back with the rows


def empty_tables() -> None:
    tables = [t.name for t in db.metadata.sorted_tables]
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())


@pytest.fixture
def app(request, session_app):
    """The session's app inside an app context, on a clean database for this test."""
    config = dict(session_app.config)
    limiter.enabled = False
    with session_app.app_context():
        cache.clear()  # the database rolls back after each test; the cache would not
    try:
        with session_app.app_context():
            if request.node.get_closest_marker("commits"):
                try:
                    yield session_app
                finally:
                    db.session.remove()
                    empty_tables()
            else:
                with rolled_back(session_app):
                    yield session_app
    finally:
        session_app.config.clear()
        session_app.config.update(config)
        clock.freeze(None)


@pytest.fixture
def app_config(app, monkeypatch):
    """``app_config(KEY=value, …)``: change the app's configuration for this test only."""

    def _set(**values):
        for key, value in values.items():
            monkeypatch.setitem(app.config, key, value)
        return app.config

    return _set


# Transaction bookkeeping of the test harness itself, not the page's work.
_BOOKKEEPING = re.compile(r"^\s*(SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT|BEGIN)\b", re.IGNORECASE)


@contextmanager
def count_statements(engine):
    """``with count_statements(db.engine) as statements:``: every SQL statement sent meanwhile
    (``before_cursor_execute``), savepoints of the test transaction left out."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if not _BOOKKEEPING.match(statement):
            statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


@pytest.fixture
def count_queries(app):
    """``with count_queries() as statements: client.get(…)``, then ``len(statements)``."""
    return lambda: count_statements(db.engine)


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
