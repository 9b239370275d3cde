"""A center's tablet: pairing instead of passwords, and its one screen for today."""

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    from app import clock, nav
    from app.api import register
    from app.auth.models import Role
    from centers.tablet import api, day_cache, views

    day_cache.init_app(app)
    app.register_blueprint(views.bp)
    register(app, api.blp)
    nav.register(app, _l("태블릿 화면"), "tablet.home", (Role.CENTER_MANAGER,), order=15)

    @app.context_processor
    def _tablet_helpers():
        return {"tablet_panel": views.tablet_panel, "tablet_now": clock.now}
