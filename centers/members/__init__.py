"""A center's roster: the seniors registered there."""

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    from app import labels, nav
    from app.api import register
    from app.auth.models import Role
    from centers.members import api, views
    from centers.members.models import MemberStatus

    labels.register(app, "member_status_label", MemberStatus)

    app.register_blueprint(views.bp)
    register(app, api.blp)
    nav.register(app, _l("어르신 명단"), "members.my_roster", (Role.CENTER_MANAGER,), order=35)
