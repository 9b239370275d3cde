"""What every answer carries on the public internet: security headers, a Content-Security-Policy
that lets only the configured Jitsi server frame and script the video room, ``Cache-Control:
no-store`` on whatever is personal, and the one safe-redirect function for ``next`` and
``Referer``.
"""

import functools
import re
from urllib.parse import unquote, urlsplit

from flask import Flask, current_app, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user

# Static files and public assets stay cacheable; everything else that is personal is not.
CACHEABLE_ENDPOINT_SUFFIXES = ("static",)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _origin(url: str | None) -> str | None:
    """``scheme://host[:port]`` of an absolute http(s) URL, else None."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def jitsi_origins(config) -> list[str]:
    """The Jitsi web client's origin and the IFrame API script's (they differ only when
    ``JITSI_EXTERNAL_API_URL`` points elsewhere)."""
    origins = []
    domain = (config.get("JITSI_DOMAIN") or "").strip().strip("/")
    if domain:
        origins.append(_origin(domain if "://" in domain else f"https://{domain}"))
    origins.append(_origin(config.get("JITSI_EXTERNAL_API_URL")))
    found: list[str] = []
    for origin in origins:
        if origin and origin not in found:
            found.append(origin)
    return found


def content_security_policy(config) -> str:
    return _policy_for(config.get("JITSI_DOMAIN"), config.get("JITSI_EXTERNAL_API_URL"))


@functools.lru_cache(maxsize=16)
def _policy_for(domain: str | None, external_api_url: str | None) -> str:
    """The policy for one Jitsi configuration, built once (it is on every answer)."""
    jitsi = " ".join(jitsi_origins({"JITSI_DOMAIN": domain, "JITSI_EXTERNAL_API_URL": external_api_url}))
    directives = [
        "default-src 'self'",
        f"script-src 'self' {jitsi}".strip(),
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "media-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        f"frame-src {jitsi}".strip() if jitsi else "frame-src 'none'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
    return "; ".join(directives)


def _is_cacheable() -> bool:
    endpoint = request.endpoint or ""
    return endpoint == "static" or endpoint.endswith("." + CACHEABLE_ENDPOINT_SUFFIXES[0])


def _personal() -> bool:
    """API answers, and any page seen by a signed-in user or carrying the session (a form's
    CSRF token)."""
    if request.path.startswith("/api/"):
        return True
    try:
        if current_user.is_authenticated:
            return True
    except Exception:  # no user loaded (an error before the login manager ran)
        return True
    return session.accessed


def add_security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", content_security_policy(current_app.config))
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if current_app.config.get("IEUM_ENV") == "production":
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    # A view that sets its own Cache-Control (calendar feeds with ETags, the service worker)
    # keeps it; static files stay cacheable.
    if "Cache-Control" not in headers and not _is_cacheable() and _personal():
        headers["Cache-Control"] = "no-store"
    return response


def safe_redirect_target(target: str | None) -> str | None:
    """``target`` as a path on this site, or None when it is anything else.

    Accepted: a path (with its query) that starts with one ``/``, or an absolute http(s) URL on
    this very host, reduced to its path. Refused, before and after percent-decoding: ``//host``,
    ``/.//host``, ``/a/..//host`` (any empty, ``.`` or ``..`` segment), backslashes (browsers
    read them as ``/``), other schemes, control characters, a user part, another host.
    """
    if not target or not isinstance(target, str) or len(target) > 2000:
        return None
    decoded = unquote(target)
    if _CONTROL.search(target) or _CONTROL.search(decoded) or "\\" in decoded:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        if parts.scheme not in ("http", "https") or parts.netloc != request.host:
            return None
    path = parts.path
    if not path.startswith("/"):
        return None
    segments = unquote(path).split("/")[1:]
    if any(seg in ("", ".", "..") for seg in segments[:-1]) or segments[-1] in (".", ".."):
        return None
    return path + (f"?{parts.query}" if parts.query else "")


def safe_redirect(target: str | None, fallback_endpoint: str = "main.home") -> str:
    """Where to send the browser: ``target`` when it is a path on this site, else the
    fallback (the home page by default)."""
    return safe_redirect_target(target) or url_for(fallback_endpoint)


class SessionCookies(SecureCookieSessionInterface):
    """Flask's signed session cookie, its signing serializer made once per key instead of on
    every request (the keys are read each time, so a new ``SECRET_KEY`` takes effect)."""

    def __init__(self) -> None:
        self._serializers: dict[tuple, object] = {}

    def get_signing_serializer(self, app: Flask):
        if not app.secret_key:
            return None
        key = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        serializer = self._serializers.get(key)
        if serializer is None:
            serializer = super().get_signing_serializer(app)
            if len(self._serializers) > 8:
                self._serializers.clear()
            self._serializers[key] = serializer
        return serializer


def init_app(app: Flask) -> None:
    app.session_interface = SessionCookies()
    app.after_request(add_security_headers)
