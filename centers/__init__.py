"""Counties, centers, members, the tablet, attendance, county reports and care follow-ups."""

from flask import Flask


def init_app(app: Flask) -> None:
    from app.api import register
    from centers import api, cli, models, views  # noqa: F401

    from flask_babel import lazy_gettext as _l

    from app import nav
    from app.auth.models import Role

    app.register_blueprint(views.bp)
    nav.register(app, _l("경로당"), "centers.county_list",
                 (Role.ADMIN, Role.COORDINATOR, Role.COUNTY_VIEWER, Role.INSTRUCTOR), order=20)
    register(api.blp)
    cli.init_app(app)

    # Attendance and members (issue #5).
    from centers import attendance_api, attendance_views, member_views

    app.register_blueprint(attendance_views.bp)
    app.register_blueprint(member_views.bp)
    register(attendance_api.blp)
    nav.register(app, _l("출석 현황"), "attendance.sessions",
                 (Role.ADMIN, Role.COORDINATOR, Role.COUNTY_VIEWER), order=40)
    nav.register(app, _l("출석 기록"), "attendance.tablet_day", (Role.CENTER_MANAGER,), order=30)
    nav.register(app, _l("어르신 명단"), "members.my_roster", (Role.CENTER_MANAGER,), order=35)
