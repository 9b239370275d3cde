"""API.md's rate limits, counting failed tries only, in Redis (TEST_REDIS_URL, db 7 by default) shared by every worker:
login per client address and per username, pairing per address and across all clients (page
and API in the same buckets), client addresses through ProxyFix, equal-time login."""

import os
import re
import time
from pathlib import Path

import pytest
import redis

from app import config as app_config
from app import create_app
from app.extensions import limiter
from tests.conftest import CSRF_RE, FreshContextClient, _test_config
from tests.factories import UserFactory

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/7")
ROOT = Path(__file__).resolve().parents[2]


# Each xdist worker counts under its own prefix, so that parallel tests never share a bucket.
KEY_PREFIX = "ieum-test-" + os.environ.get("PYTEST_XDIST_WORKER", "main")


def _limited_app(database_url, **config):
    """Another "worker": its own app, the rate limits on, the storage in Redis."""
    app = create_app({
        **_test_config(database_url), "RATELIMIT_ENABLED": True, "REDIS_URL": REDIS_URL,
        "RATELIMIT_SWALLOW_ERRORS": False, "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": False,
        "RATELIMIT_KEY_PREFIX": KEY_PREFIX, **config,
    })
    app.test_client_class = FreshContextClient
    return app


def _forget_counts() -> None:
    store = redis.Redis.from_url(REDIS_URL)
    keys = list(store.scan_iter(f"*{KEY_PREFIX}*"))
    if keys:
        store.delete(*keys)


@pytest.fixture
def limited(database_url):
    _forget_counts()
    limiter.enabled = True
    yield lambda **config: _limited_app(database_url, **config)
    limiter.enabled = False
    _forget_counts()


def _from(app, address, **environ):
    client = app.test_client()
    client.environ_base.update({"REMOTE_ADDR": address, **environ})
    return client


def _login(client, username, password):
    html = client.get("/auth/login").get_data(as_text=True)
    token = CSRF_RE.search(html).group(1)
    return client.post("/auth/login", data={"username": username, "password": password, "csrf_token": token})


def test_storage_is_redis_when_redis_url_is_set(limited):
    app = limited()
    assert app.config["RATELIMIT_STORAGE_URI"] == REDIS_URL
    assert type(limiter.storage).__name__.lower().startswith("redis")


def test_login_10_failed_tries_per_address_per_minute(limited):
    UserFactory(username="kim")
    app = limited()
    client = _from(app, "203.0.113.7")
    for i in range(10):
        assert _login(client, f"nobody{i}", "wrong-password").status_code == 401
    refused = _login(client, "kim", "ieum-demo-1234")
    assert refused.status_code == 429
    assert "잘못된 시도가 너무 많았습니다" in refused.get_data(as_text=True)
    assert _login(_from(app, "203.0.113.8"), "kim", "ieum-demo-1234").status_code == 302


def test_successful_logins_are_not_counted(limited):
    UserFactory(username="kim")
    app = limited()
    for _ in range(12):
        client = _from(app, "203.0.113.7")
        assert _login(client, "kim", "ieum-demo-1234").status_code == 302


def test_login_10_failed_tries_per_username_from_any_address(limited):
    UserFactory(username="kim")
    UserFactory(username="lee")
    app = limited()
    for i in range(10):
        client = _from(app, f"198.51.100.{i + 1}")
        assert _login(client, "kim", f"guess-number-{i}").status_code == 401
    assert _login(_from(app, "198.51.100.200"), " KIM ", "ieum-demo-1234").status_code == 429
    assert _login(_from(app, "198.51.100.200"), "lee", "ieum-demo-1234").status_code == 302


def test_the_buckets_are_shared_by_every_worker(limited):
    """Failures counted by one app instance (a gunicorn worker) refuse on another."""
    UserFactory(username="kim")
    worker_a = limited()
    for i in range(10):
        _login(_from(worker_a, "203.0.113.9"), f"x{i}", "wrong-password")
    worker_b = limited()
    assert _login(_from(worker_b, "203.0.113.9"), "kim", "ieum-demo-1234").status_code == 429


def test_proxy_fix_gives_the_forwarded_address(limited):
    UserFactory(username="kim")
    app = limited(PROXY_FIX_X_FOR=1)
    proxy = "10.0.0.1"
    for i in range(10):
        client = _from(app, proxy, HTTP_X_FORWARDED_FOR="203.0.113.50")
        _login(client, f"x{i}", "wrong-password")
    blocked = _from(app, proxy, HTTP_X_FORWARDED_FOR="203.0.113.50")
    assert _login(blocked, "kim", "ieum-demo-1234").status_code == 429
    other = _from(app, proxy, HTTP_X_FORWARDED_FOR="203.0.113.51")
    assert _login(other, "kim", "ieum-demo-1234").status_code == 302


def _pair_page(client, code="000000"):
    html = client.get("/tablet/pair").get_data(as_text=True)
    token = CSRF_RE.search(html).group(1)
    return client.post("/tablet/pair", data={"code": code, "csrf_token": token})


def test_pairing_10_failed_codes_per_address_page_and_api_together(limited):
    app = limited()
    client = _from(app, "203.0.113.20")
    for _ in range(5):
        assert _pair_page(client).status_code == 422
        assert client.post("/api/v1/tablet/pair", json={"code": "000000"}).status_code == 422
    refused = client.post("/api/v1/tablet/pair", json={"code": "123456"})
    assert refused.status_code == 429
    assert refused.json["error"]["code"] == "rate_limited"
    assert _pair_page(client).status_code == 429
    assert _from(app, "203.0.113.21").post("/api/v1/tablet/pair", json={"code": "000000"}).status_code == 422


def test_pairing_50_failed_codes_across_all_clients(limited):
    app = limited()
    for i in range(50):
        response = _from(app, f"192.0.2.{i + 1}").post("/api/v1/tablet/pair", json={"code": "000000"})
        assert response.status_code == 422
    fresh = _from(app, "192.0.2.250")
    assert fresh.post("/api/v1/tablet/pair", json={"code": "000000"}).status_code == 429
    assert _pair_page(fresh).status_code == 429


def test_limits_come_from_the_environment(limited, monkeypatch):
    monkeypatch.setenv("TABLET_PAIR_RATE_LIMIT", "2 per minute")
    app = limited()
    client = _from(app, "203.0.113.30")
    for _ in range(2):
        assert client.post("/api/v1/tablet/pair", json={"code": "000000"}).status_code == 422
    assert client.post("/api/v1/tablet/pair", json={"code": "000000"}).status_code == 429


@pytest.fixture
def real_password_hash(monkeypatch):
    """Werkzeug's real (scrypt) hash instead of the suite's cheap one, for users and the dummy."""
    import werkzeug.security

    from app.auth.services import _dummy_hash

    monkeypatch.setattr("app.auth.models.generate_password_hash", werkzeug.security.generate_password_hash)
    _dummy_hash.cache_clear()
    yield
    _dummy_hash.cache_clear()


def test_unknown_usernames_take_as_long_as_wrong_passwords(real_password_hash):
    """A wrong password for an existing user and any password for an unknown user both check a
    scrypt hash, so the time does not tell whether the username exists."""
    kim = UserFactory(username="kim")
    assert kim.password_hash.startswith("scrypt:")

    def timed(username):
        started = time.perf_counter()
        from app.auth.services import authenticate

        assert authenticate(username, "wrong-password") is None
        return time.perf_counter() - started

    from app.auth.services import _dummy_hash

    # The same method and cost as a user's hash (the shared machine makes timing alone noisy).
    assert _dummy_hash().split("$")[0] == kim.password_hash.split("$")[0]
    timed("nobody")  # warm the dummy hash
    known_times, unknown_times = [], []
    for _ in range(5):  # interleaved, the fastest of each: the least disturbed by other load
        known_times.append(timed("kim"))
        unknown_times.append(timed("nobody"))
    known, unknown = min(known_times), min(unknown_times)
    assert 0.5 < unknown / known < 2, (known, unknown)


# --- every documented variable is read from the environment ----------------------------

SAMPLES = {
    "IEUM_ENV": ("development", "IEUM_ENV", "development"),
    "SECRET_KEY": ("k" * 40, "SECRET_KEY", "k" * 40),
    "DATABASE_URL": ("sqlite:///x.db", "SQLALCHEMY_DATABASE_URI", "sqlite:///x.db"),
    "PUBLIC_BASE_URL": ("https://ieum.example.org", "PUBLIC_BASE_URL", "https://ieum.example.org"),
    "CALENDAR_ORGANIZER": ("이음 <mailto:ieum@example.org>", "CALENDAR_ORGANIZER", "이음 <mailto:ieum@example.org>"),
    "JITSI_ALLOW_RECORDING": ("1", "JITSI_ALLOW_RECORDING", "1"),
    "SESSION_HOURS": ("08:00-20:00", "SESSION_HOURS", "08:00-20:00"),
    "REDIS_URL": ("redis://127.0.0.1:6379/5", "RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/5"),
    "RATELIMIT_STORAGE_URI": ("redis://127.0.0.1:6379/6", "RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/6"),
    "PROXY_FIX_X_FOR": ("2", "PROXY_FIX_X_FOR", 2),
    "LOGIN_RATE_LIMIT": ("3 per minute", "LOGIN_RATE_LIMIT", "3 per minute"),
    "LOGIN_USERNAME_RATE_LIMIT": ("4 per hour", "LOGIN_USERNAME_RATE_LIMIT", "4 per hour"),
    "TABLET_PAIR_RATE_LIMIT": ("5 per minute", "TABLET_PAIR_RATE_LIMIT", "5 per minute"),
    "TABLET_PAIR_GLOBAL_RATE_LIMIT": ("6 per hour", "TABLET_PAIR_GLOBAL_RATE_LIMIT", "6 per hour"),
    "ATTENDANCE_CORRECTION_DAYS": ("3", "ATTENDANCE_CORRECTION_DAYS", 3),
    "REPORT_EXPORT_MEMBER_NAMES_TO_COUNTY": ("true", "REPORT_EXPORT_MEMBER_NAMES_TO_COUNTY", True),
    "JITSI_EXTERNAL_API_URL": ("https://8x8.vc/a/external_api.js", "JITSI_EXTERNAL_API_URL", "https://8x8.vc/a/external_api.js"),
    "MAX_CONTENT_LENGTH": ("2048", "MAX_CONTENT_LENGTH", 2048),
    "CACHE_REDIS_URL": ("redis://127.0.0.1:6379/4", "CACHE_REDIS_URL", "redis://127.0.0.1:6379/4"),
    "CACHE_KEY_PREFIX": ("ieum-b:", "CACHE_KEY_PREFIX", "ieum-b:"),
    "CACHE_MEMORY_MAX_TTL": ("7", "CACHE_MEMORY_MAX_TTL", 7),
    "LIVE_EVENTS_CHANNEL": ("ieum:live:blue", "LIVE_EVENTS_CHANNEL", "ieum:live:blue"),
    "LIVE_STREAM_HEARTBEAT": ("7.5", "LIVE_STREAM_HEARTBEAT", 7.5),
    "LIVE_STREAM_MAX_AGE": ("120", "LIVE_STREAM_MAX_AGE", 120.0),
    "LIVE_STREAM_RECHECK": ("30", "LIVE_STREAM_RECHECK", 30.0),
    "LIVE_STREAM_RETRY_MS": ("5000", "LIVE_STREAM_RETRY_MS", 5000),
    "LIVE_BOARD_POLL_SECONDS": ("15", "LIVE_BOARD_POLL_SECONDS", 15),
    "LIVE_BOARD_REFRESH_SECONDS": ("90", "LIVE_BOARD_REFRESH_SECONDS", 90),
    "PRINCIPAL_CACHE": ("off", "PRINCIPAL_CACHE", "off"),
    "PRINCIPAL_CACHE_TTL": ("60", "PRINCIPAL_CACHE_TTL", 60),
}
JITSI = ("JITSI_MODE", "JITSI_DOMAIN", "JITSI_APP_ID", "JITSI_APP_SECRET", "JITSI_PRIVATE_KEY",
         "JITSI_PRIVATE_KEY_PATH", "JITSI_KEY_ID", "JITSI_AUDIENCE", "JITSI_XMPP_DOMAIN",
         "JITSI_PROSODY_URL", "JITSI_EVENTS_SECRET")


def _documented_variables() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    names = []
    for line in section.splitlines():
        if line.startswith("| `"):
            first_cell = line.split("|")[1]
            names += re.findall(r"`([A-Z_]+)(?:\(_PATH\))?`", first_cell)
            if "JITSI_PRIVATE_KEY(_PATH)" in first_cell:
                names.append("JITSI_PRIVATE_KEY_PATH")
    return names


@pytest.mark.parametrize("name", sorted(set(_documented_variables())))
def test_each_documented_variable_is_read_from_the_environment(name, monkeypatch, tmp_path):
    if name in JITSI:
        value, key, expected = "sample-value", name, "sample-value"
    else:
        assert name in SAMPLES, f"{name} is documented in README's configuration table but not tested here"
        value, key, expected = SAMPLES[name]
    for other in ("RATELIMIT_STORAGE_URI", "REDIS_URL"):
        if other != name:
            monkeypatch.delenv(other, raising=False)
    monkeypatch.setenv(name, value)
    assert app_config.load(tmp_path, None)[key] == expected


def test_reads_skip_the_limiter(limited, monkeypatch):
    """Every limit counts POST tries: a GET never asks the limiter (nor its storage)."""
    app = limited()
    calls = []
    manager = limiter.limit_manager
    scope = manager.exemption_scope
    monkeypatch.setattr(manager, "exemption_scope", lambda *a, **k: calls.append(a) or scope(*a, **k))
    assert _from(app, "10.0.0.9").get("/healthz").status_code == 200
    assert _from(app, "10.0.0.9").get("/api/v1/openapi.json").status_code == 200
    assert calls == []
    UserFactory(username="kim")
    _login(_from(app, "10.0.0.9"), "kim", "wrong-password-1")
    assert calls  # a POST still does
