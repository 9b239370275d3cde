"""Programs, instructors, sessions, weeks, holidays and closures, video rooms, calendar feeds.

This package never imports :mod:`centers`.
"""

from flask import Flask


def init_app(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from app import nav
    from app.api import register
    from app.auth.models import Role
    from programs import api, feeds, models  # noqa: F401  (tables registered on the metadata)

    register(api.blp)
    feeds.init_app(app)
