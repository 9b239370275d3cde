"""Links that leave the app (calendar addresses, QR codes)."""


from flask import current_app, request


def absolute(path: str) -> str:
    """``PUBLIC_BASE_URL`` (production requires it) + ``path``; the request's own origin only
    when it is unset, so in production no such link comes from the Host header."""
    base = current_app.config.get("PUBLIC_BASE_URL") or request.url_root
    return base.rstrip("/") + path
