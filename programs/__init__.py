"""Programs, instructors, sessions, weeks, holidays and closures, video rooms, calendar feeds.

This package never imports :mod:`centers`.
"""

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    from app import labels
    from programs import models  # tables registered on the metadata

    labels.register(app, "category_label", models.Category)
    labels.register(app, "session_status_label", models.SessionStatus)

    _init_rooms(app)
    _init_schedules(app)


def _init_rooms(app: Flask) -> None:
    """Video rooms (issue 4): every new session gets its room; an unknown JITSI_MODE stops here."""
    from programs import rooms

    rooms.check_config(app.config)
    rooms.listen_for_new_sessions()


def _init_schedules(app: Flask) -> None:
    """Programs, instructors, sessions, weeks, closures and calendar feeds (issue 3)."""
    from app import nav
    from app.api import register
    from app.auth.models import Role
    from programs import api, feeds, views

    register(api.blp)
    feeds.init_app(app)
    views.init_app(app)
    everyone = tuple(Role)
    staff = (Role.ADMIN, Role.COORDINATOR)
    nav.register(app, _l("주간 일정"), "programs.week_current", everyone, order=10)
    nav.register(app, _l("프로그램"), "programs.program_list", staff, order=30)
    nav.register(app, _l("강사"), "programs.instructor_list", staff, order=31)
    nav.register(app, _l("휴관일"), "programs.closure_list", staff, order=32)
    nav.register(app, _l("캘린더 구독"), "programs.calendar_feeds",
                 (Role.ADMIN, Role.COORDINATOR, Role.INSTRUCTOR, Role.CENTER_MANAGER), order=40)
