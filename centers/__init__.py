"""Counties, centers, members, the tablet, attendance, county reports and care follow-ups."""

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    from app import labels, nav
    from app.api import register
    from app.auth.models import Role
    from centers import api, cli, models, views  # noqa: F401

    labels.register(app, "attendance_status_label", models.AttendanceStatus, models.UNREPORTED_LABEL)
    labels.register(app, "member_status_label", models.MemberStatus)
    labels.register(app, "follow_up_kind_label", models.FollowUpKind)
    labels.register(app, "follow_up_status_label", models.FollowUpStatus)
    app.register_blueprint(views.bp)
    nav.register(app, _l("경로당"), "centers.county_list",
                 (Role.ADMIN, Role.COORDINATOR, Role.COUNTY_VIEWER, Role.INSTRUCTOR), order=20)
    register(api.blp)
    cli.init_app(app)
    _init_video(app)
    _init_attendance(app)
    _init_reports(app)


def _init_video(app: Flask) -> None:
    """Video rooms, the tablet and presence (issue 4)."""
    from app import clock, nav
    from app.api import register
    from app.auth.models import Role
    from centers import presence, room_views, tablet_views, video_api, video_cli  # noqa: F401

    app.register_blueprint(tablet_views.bp)
    app.register_blueprint(room_views.bp)
    register(video_api.blp)
    register(video_api.events_blp)
    video_cli.init_app(app)
    nav.register(app, _l("화상 수업"), "rooms.room_list", room_views.ROLES, order=15)
    nav.register(app, _l("태블릿 화면"), "tablet.home", (Role.CENTER_MANAGER,), order=15)

    @app.context_processor
    def _tablet_helpers():
        return {"tablet_panel": tablet_views.tablet_panel, "tablet_now": clock.now}


def _init_attendance(app: Flask) -> None:
    """Attendance and members (issue 5)."""
    from app import nav
    from app.api import register
    from app.auth.models import Role
    from centers import attendance_api, attendance_views, member_views

    app.register_blueprint(attendance_views.bp)
    app.register_blueprint(member_views.bp)
    register(attendance_api.blp)
    nav.register(app, _l("출석 현황"), "attendance.sessions",
                 (Role.ADMIN, Role.COORDINATOR, Role.COUNTY_VIEWER), order=40)
    nav.register(app, _l("출석 기록"), "attendance.tablet_day", (Role.CENTER_MANAGER,), order=30)
    nav.register(app, _l("어르신 명단"), "members.my_roster", (Role.CENTER_MANAGER,), order=35)


def _init_reports(app: Flask) -> None:
    """County reports, exports and care follow-ups (issue #6)."""
    from app import nav
    from app.api import register
    from app.auth.models import Role
    from centers import care_api, care_views, report_views, reports_api

    app.register_blueprint(report_views.bp)
    app.register_blueprint(care_views.bp)
    readers = (Role.ADMIN, Role.COORDINATOR, Role.COUNTY_VIEWER)
    nav.register(app, _l("참여 현황"), "reports.dashboard", readers, order=30)
    nav.register(app, _l("돌봄 확인"), "care.worklist", readers, order=35)
    register(reports_api.blp)
    register(care_api.blp)
    app.cli.add_command(care_views.care_cli)
