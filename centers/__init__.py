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
    from app.api import register
    from centers import reports_api

    register(reports_api.blp)
