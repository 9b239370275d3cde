"""Where a write comes from, for the audit log (read from the request: for views and the API)."""

import sqlalchemy as sa
from flask import g, request

from app.extensions import db
from centers.tablet.models import TabletDevice

SESSION_SOURCES = ("tablet", "page")


def request_source(user) -> str:
    """Where a write comes from, for the audit log: a bearer token is ``api`` (``tablet`` for a
    paired tablet's own user); same-origin JavaScript names itself with ``X-Ieum-Source``."""
    if getattr(g, "auth_via_token", False):
        tablet = db.session.scalar(
            sa.select(TabletDevice.id).where(
                TabletDevice.user_id == user.id, TabletDevice.revoked_at.is_(None)
            )
        )
        return "tablet" if tablet else "api"
    declared = request.headers.get("X-Ieum-Source", "")
    return declared if declared in SESSION_SOURCES else "page"
