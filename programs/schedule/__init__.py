"""Sessions, weeks (build, copy, repeat, publish), closure days and the calendar rules."""

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    from app import labels, nav
    from app.api import register
    from app.auth.models import Role
    from centers.directory import scope as center_scope
    from programs.schedule import api, changes, closure_views, scope, timetable, views  # noqa: F401  (routes)
    from programs.schedule.models import SessionStatus
    from programs.schedule.weeks import monday_of, week_of

    changes.listen_for_flushes()
    center_scope.register_role_centers(Role.INSTRUCTOR, scope.instructor_centers)
    labels.register(app, "session_status_label", SessionStatus)
    app.register_blueprint(views.bp)
    register(app, api.blp)
    app.jinja_env.globals.setdefault("week_of", week_of)
    app.jinja_env.globals.setdefault("monday_of", monday_of)
    staff = (Role.ADMIN, Role.COORDINATOR)
    nav.register(app, _l("주간 일정"), "schedule.week_current", tuple(Role), order=10)
    nav.register(app, _l("휴관일"), "schedule.closure_list", staff, order=32)
