"""The live board's data (issue 13): during class, who is in each room, who is late, who
dropped out and came back, and the centers' calls for help."""

from flask import Flask


def init_app(app: Flask) -> None:
    from app.api import register
    from centers.live import api, help_views

    app.register_blueprint(help_views.bp)
    register(app, api.blp)
    # The board's page and its stream (livestream).
    from centers.live import stream, views

    views.init_app(app)
    app.register_blueprint(stream.bp)
    stream.watch_rows()
