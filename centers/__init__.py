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
    _init_reports(app)


def _init_reports(app: Flask) -> None:
    """County reports, exports and care follow-ups (issue #6)."""
    from flask_babel import lazy_gettext as _l

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
