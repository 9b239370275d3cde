"""Counties, centers, members, the tablet, attendance, county reports and care follow-ups."""

from flask import Flask


def init_app(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from app import nav
    from app.api import register
    from app.auth.models import Role
    from centers import api, cli, models, views  # noqa: F401

    app.register_blueprint(views.bp)
    nav.register(app, _l("경로당"), "centers.county_list",
                 (Role.ADMIN, Role.COORDINATOR, Role.COUNTY_VIEWER, Role.INSTRUCTOR), order=20)
    register(api.blp)
    cli.init_app(app)
    _init_video(app)


def _init_video(app: Flask) -> None:
    """Video rooms, the tablet and presence (issue 4)."""
    from flask_babel import lazy_gettext as _l

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
