"""Small helpers with no better home."""

from flask import current_app, request


def safe_next_url(target: str | None, fallback_endpoint: str) -> str:
    """Only paths on this site are followed; anything else goes to the fallback
    (see :func:`app.security.safe_redirect`)."""
    from app.security import safe_redirect

    return safe_redirect(target, fallback_endpoint)


def external_url(path: str) -> str:
    """An absolute URL for a link that leaves the app (QR codes, calendar addresses):
    ``PUBLIC_BASE_URL`` when set (production requires it), else the request's own origin."""
    base = current_app.config.get("PUBLIC_BASE_URL") or request.url_root
    return base.rstrip("/") + path
