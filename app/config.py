"""Configuration: defaults, then the environment, then the mapping given to ``create_app``.

Production is chosen with ``IEUM_ENV=production``: there the app refuses to start without
``SECRET_KEY`` (at least 32 bytes), ``DATABASE_URL`` and
``PUBLIC_BASE_URL``. Locally a secret key is generated once into
``instance/secret_key`` and the database defaults to ``instance/ieum.db``.
"""

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent

ENV_KEYS = (
    "SECRET_KEY",
    "JITSI_MODE",
    "JITSI_DOMAIN",
    "JITSI_APP_ID",
    "JITSI_APP_SECRET",
    "JITSI_PRIVATE_KEY",
    "JITSI_PRIVATE_KEY_PATH",
    "JITSI_KEY_ID",
    "JITSI_AUDIENCE",
    "JITSI_XMPP_DOMAIN",
    "JITSI_PROSODY_URL",
    "JITSI_EVENTS_SECRET",
    "JITSI_EXTERNAL_API_URL",
    "JITSI_ALLOW_RECORDING",
    "SESSION_HOURS",
    "CALENDAR_ORGANIZER",
    "RATELIMIT_STORAGE_URI",
    "PUBLIC_BASE_URL",
    "REDIS_URL",
    "CACHE_REDIS_URL",
    "CACHE_KEY_PREFIX",
    "LIVE_EVENTS_CHANNEL",
    "PRINCIPAL_CACHE",
    "LOGIN_RATE_LIMIT",
    "LOGIN_USERNAME_RATE_LIMIT",
    "TABLET_PAIR_RATE_LIMIT",
    "TABLET_PAIR_GLOBAL_RATE_LIMIT",
)
INT_ENV_KEYS = (
    "ATTENDANCE_CORRECTION_DAYS",
    "PROXY_FIX_X_FOR",
    "MAX_CONTENT_LENGTH",
    "LIVE_STREAM_RETRY_MS",
    "LIVE_BOARD_POLL_SECONDS",
    "LIVE_BOARD_REFRESH_SECONDS",
    "CACHE_MEMORY_MAX_TTL",
    "PRINCIPAL_CACHE_TTL",
)
# Seconds, fractions allowed: the live board's streams (centers/live/stream.py).
FLOAT_ENV_KEYS = ("LIVE_STREAM_HEARTBEAT", "LIVE_STREAM_MAX_AGE", "LIVE_STREAM_RECHECK")
MIN_SECRET_KEY_BYTES = 32


class ConfigError(RuntimeError):
    """The app cannot start with this configuration."""


def defaults() -> dict[str, Any]:
    return {
        "IEUM_ENV": "development",
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "BABEL_DEFAULT_LOCALE": "ko",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Seoul",
        "BABEL_TRANSLATION_DIRECTORIES": str(PROJECT_ROOT / "translations"),
        "LANGUAGES": ("ko", "en"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,
        "JSON_SORT_KEYS": False,
        # Largest request body (bytes): larger is 413 too_large before anything parses it.
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        "API_TITLE": "Ieum API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "RATELIMIT_HEADERS_ENABLED": True,
        # Redis down: count in this worker's memory instead of failing the request.
        "RATELIMIT_SWALLOW_ERRORS": True,
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        # Failed tries (app/rate_limits.py, API.md "Rate limits").
        "LOGIN_RATE_LIMIT": "10 per minute",
        "LOGIN_USERNAME_RATE_LIMIT": "10 per 15 minutes",
        "TABLET_PAIR_RATE_LIMIT": "10 per minute",
        "TABLET_PAIR_GLOBAL_RATE_LIMIT": "50 per 15 minutes",
        "PROXY_FIX_X_FOR": 0,
        "JITSI_MODE": "selfhosted",
        "JITSI_AUDIENCE": "jitsi",
        "ATTENDANCE_CORRECTION_DAYS": 7,
        # Who the caller is, from the cache (app/auth/principals.py): auto (with Redis), on, off;
        # the entries' lifetime in seconds (every change deletes them at once; 0 turns it off).
        "PRINCIPAL_CACHE": "auto",
        "PRINCIPAL_CACHE_TTL": 60,
        # Reports: may county viewers download member names?
        # (policy.can_export_member_names)
        "REPORT_EXPORT_MEMBER_NAMES_TO_COUNTY": False,
    }


def _local_secret_key(instance_path: Path) -> str:
    """Read the generated key from ``instance/``, making it on the first run."""
    path = instance_path / "secret_key"
    if not path.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def load(instance_path: Path, overrides: Mapping[str, Any] | None) -> dict[str, Any]:
    config = defaults()
    env = os.environ
    if env.get("IEUM_ENV"):
        config["IEUM_ENV"] = env["IEUM_ENV"]
    for key in ENV_KEYS:
        if env.get(key):
            config[key] = env[key]
    for key in INT_ENV_KEYS:
        if env.get(key):
            config[key] = int(env[key])
    for key in FLOAT_ENV_KEYS:
        if env.get(key):
            config[key] = float(env[key])
    if env.get("REPORT_EXPORT_MEMBER_NAMES_TO_COUNTY"):
        flag = env["REPORT_EXPORT_MEMBER_NAMES_TO_COUNTY"].lower()
        config["REPORT_EXPORT_MEMBER_NAMES_TO_COUNTY"] = flag in ("1", "true", "yes")
    if env.get("DATABASE_URL"):
        config["SQLALCHEMY_DATABASE_URI"] = env["DATABASE_URL"]
    config.update(overrides or {})
    if not config.get("RATELIMIT_STORAGE_URI"):
        config["RATELIMIT_STORAGE_URI"] = config.get("REDIS_URL") or "memory://"

    production = config["IEUM_ENV"] == "production"
    if production:
        missing = [k for k in ("SECRET_KEY",) if not config.get(k)]
        if not config.get("SQLALCHEMY_DATABASE_URI"):
            missing.append("DATABASE_URL")
        if not config.get("PUBLIC_BASE_URL"):
            missing.append("PUBLIC_BASE_URL")
        if missing:
            raise ConfigError(
                "Refusing to start in production without: " + ", ".join(missing)
            )
        if len(str(config["SECRET_KEY"]).encode()) < MIN_SECRET_KEY_BYTES:
            raise ConfigError(
                f"Refusing to start in production with a SECRET_KEY shorter than {MIN_SECRET_KEY_BYTES} bytes"
            )
        config.setdefault("SESSION_COOKIE_SECURE", True)
        config.setdefault("REMEMBER_COOKIE_SECURE", True)
    else:
        if not config.get("SECRET_KEY"):
            config["SECRET_KEY"] = _local_secret_key(instance_path)
        if not config.get("SQLALCHEMY_DATABASE_URI"):
            instance_path.mkdir(parents=True, exist_ok=True)
            config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance_path / 'ieum.db'}"
    return config
