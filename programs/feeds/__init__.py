"""Calendar feeds (iCalendar) of centers and instructors, behind a secret key, and their keys."""

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    from app import nav
    from app.api import register
    from app.auth.models import Role
    from app.extensions import csrf
    from programs.feeds import api, pages, stored, views

    stored.init_app(app)
    csrf.exempt(views.bp)
    app.register_blueprint(views.bp)
    app.register_blueprint(pages.bp)
    register(app, api.blp)
    nav.register(app, _l("캘린더 구독"), "feeds.calendar_feeds",
                 (Role.ADMIN, Role.COORDINATOR, Role.INSTRUCTOR, Role.CENTER_MANAGER), order=40)
