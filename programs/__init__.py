"""Programs, instructors, sessions, weeks, holidays and closures, video rooms, calendar feeds.

This package never imports :mod:`centers`.
"""

from flask import Flask


def init_app(app: Flask) -> None:
    from programs import models  # noqa: F401  (tables registered on the metadata)
    _init_rooms(app)


def _init_rooms(app: Flask) -> None:
    """Video rooms (issue 4): every new session gets its room; an unknown JITSI_MODE stops here."""
    from programs import rooms

    rooms.check_config(app.config)
    rooms.listen_for_new_sessions()
