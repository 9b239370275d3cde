"""The rate limits of API.md ("Rate limits"), counting failed tries only.

- Login: ``LOGIN_RATE_LIMIT`` failed tries per client address (default 10 per minute) and
  ``LOGIN_USERNAME_RATE_LIMIT`` failed tries per username from any address (10 per 15 minutes).
- Tablet pairing: ``TABLET_PAIR_RATE_LIMIT`` failed codes per client address (10 per minute)
  and ``TABLET_PAIR_GLOBAL_RATE_LIMIT`` failed codes across all clients (50 per 15 minutes).
  The page (``/tablet/pair``) and the API (``POST /api/v1/tablet/pair``) share these buckets.

A bucket is checked before the request and charged after it only when the answer says the try
failed, so a right password or code is never refused because of its own success. The storage is
Redis when ``REDIS_URL`` (or ``RATELIMIT_STORAGE_URI``) is set, shared by every worker; the
client address is ``X-Forwarded-For``'s when ``PROXY_FIX_X_FOR`` names the proxies in front.

Every limit counts ``POST`` tries (:data:`LIMITED_METHODS`), so reads skip the limiter altogether
(:func:`_is_read`): its hook before every request would only find that no limit applies, on every
request of the hot path. A limit on a read must change :data:`LIMITED_METHODS`; a default or
application-wide limit (``RATELIMIT_DEFAULT``, ``RATELIMIT_APPLICATION``) brings the hook back.
"""

from flask import Flask, current_app, request
from flask_limiter.util import get_remote_address

from app.extensions import limiter

LOGIN_SCOPE = "login"
LOGIN_USERNAME_SCOPE = "login-username"
PAIR_SCOPE = "tablet-pair"
PAIR_GLOBAL_SCOPE = "tablet-pair-all"
LIMITED_METHODS = ["POST"]


def _config(key: str):
    return lambda: current_app.config[key]


def _username_key() -> str:
    """The username tried, without case or surrounding space (one bucket per account)."""
    return "user:" + (request.form.get("username") or "").strip().casefold()[:80]


def _everyone() -> str:
    return "all"


def _login_failed(response) -> bool:
    return response.status_code == 401


def _pair_failed(response) -> bool:
    return response.status_code >= 400 and response.status_code != 429


def login_limits(view):
    """Both login buckets on the login form's POST."""
    view = limiter.shared_limit(
        _config("LOGIN_USERNAME_RATE_LIMIT"), LOGIN_USERNAME_SCOPE, key_func=_username_key,
        methods=LIMITED_METHODS, deduct_when=_login_failed,
    )(view)
    return limiter.shared_limit(
        _config("LOGIN_RATE_LIMIT"), LOGIN_SCOPE, key_func=get_remote_address,
        methods=LIMITED_METHODS, deduct_when=_login_failed,
    )(view)


def pair_limits(view):
    """Both pairing buckets, shared by the pairing page and the pairing API."""
    view = limiter.shared_limit(
        _config("TABLET_PAIR_GLOBAL_RATE_LIMIT"), PAIR_GLOBAL_SCOPE, key_func=_everyone,
        methods=LIMITED_METHODS, deduct_when=_pair_failed,
    )(view)
    return limiter.shared_limit(
        _config("TABLET_PAIR_RATE_LIMIT"), PAIR_SCOPE, key_func=get_remote_address,
        methods=LIMITED_METHODS, deduct_when=_pair_failed,
    )(view)


def _is_read() -> bool:
    """No limit applies: the method is not limited and no default or application limit is set."""
    config = current_app.config
    return (
        request.method not in LIMITED_METHODS
        and not config.get("RATELIMIT_DEFAULT")
        and not config.get("RATELIMIT_APPLICATION")
    )


def _check_limited_requests():
    """The limiter's own hook before each request, for the requests a limit can apply to."""
    if not _is_read():
        return limiter._check_request_limit()
    return None


_filtering = False


def init_app(app: Flask) -> None:
    """After ``limiter.init_app``: the limiter's decorators and its hook skip reads."""
    global _filtering
    if not _filtering:
        limiter.request_filter(_is_read)
        _filtering = True
    hooks = app.before_request_funcs.setdefault(None, [])
    for index, hook in enumerate(hooks):
        if hook == limiter._check_request_limit:
            hooks[index] = _check_limited_requests
