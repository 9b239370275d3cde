"""Attendance: one record per (session, center), from the tablet (offline first), pages and API."""

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    from app import labels, nav
    from app.api import register
    from app.auth.models import Role
    from centers.attendance import api, views
    from centers.attendance.models import UNREPORTED_LABEL, AttendanceMember, AttendanceStatus
    from centers.members import services as members

    members.keep_members_named_in(AttendanceMember.member_id)
    labels.register(app, "attendance_status_label", AttendanceStatus, UNREPORTED_LABEL)
    app.register_blueprint(views.bp)
    register(app, api.blp)
    nav.register(app, _l("출석 현황"), "attendance.sessions",
                 (Role.ADMIN, Role.COORDINATOR, Role.COUNTY_VIEWER), order=40)
    nav.register(app, _l("출석 기록"), "attendance.tablet_day", (Role.CENTER_MANAGER,), order=30)
