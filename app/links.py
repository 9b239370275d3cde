"""Links that leave the app (calendar addresses, QR codes)."""


from flask import current_app, request


def absolute(path: str) -> str:
    base = current_app.config.get("PUBLIC_BASE_URL") or request.url_root
    return base.rstrip("/") + path
