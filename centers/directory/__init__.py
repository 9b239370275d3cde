"""Counties, their support periods, and centers. It imports nothing from :mod:`programs`."""

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    from app import nav
    from app.api import register
    from app.auth.models import Role
    from app.auth.services import register_scope_model
    from centers.directory import api, views
    from centers.directory.models import Center, County

    register_scope_model("county_id", County)
    register_scope_model("center_id", Center)

    app.register_blueprint(views.bp)
    register(app, api.blp)
    nav.register(app, _l("경로당"), "centers.county_list",
                 (Role.ADMIN, Role.COORDINATOR, Role.COUNTY_VIEWER, Role.INSTRUCTOR), order=20)
