"""County attendance reports: one service behind the dashboard, the center page, the API and the
exports (CSV, Excel, print)."""

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    from app import nav
    from app.api import register
    from centers.reports import api, scope, views

    app.register_blueprint(views.bp)
    register(app, api.blp)
    nav.register(app, _l("참여 현황"), "reports.dashboard", scope.DASHBOARD_ROLES, order=30)
