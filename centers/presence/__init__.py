"""Who is in a session's video room (the tablet's IFrame events, Jitsi's event_sync webhooks,
muc_size polling), joining a room, and the instructors' room pages."""

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    from app import nav
    from app.api import register
    from centers.presence import api, cli, scope, views

    app.register_blueprint(views.bp)
    register(app, api.blp)
    register(app, api.events_blp)
    cli.init_app(app)
    nav.register(app, _l("화상 수업"), "rooms.room_list", scope.ROOM_ROLES, order=15)
