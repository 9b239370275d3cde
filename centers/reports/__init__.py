"""County attendance reports: one service behind the dashboard, the center page, the API and the
exports (CSV, Excel, print), reading daily rollups kept current on every write."""

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    from app import nav
    from app.api import register
    from centers.reports import api, cli, models, rollup_sync, scope, views  # noqa: F401

    app.config.setdefault("REPORT_ROLLUPS", True)
    rollup_sync.register()
    app.register_blueprint(views.bp)
    register(app, api.blp)
    app.cli.add_command(cli.reports_cli)
    nav.register(app, _l("참여 현황"), "reports.dashboard", scope.DASHBOARD_ROLES, order=30)
