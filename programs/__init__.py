"""Programs, instructors, sessions, weeks, holidays and closures, video rooms, calendar feeds.

This package never imports :mod:`centers`.
"""

from flask import Flask


def init_app(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from app import nav
    from app.api import register
    from app.auth.models import Role
    from programs import api, feeds, models, views  # noqa: F401  (models: tables on the metadata)

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
