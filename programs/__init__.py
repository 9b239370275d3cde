"""Programs, instructors, sessions, weeks, closures, video rooms and calendar feeds.

It stands on :mod:`centers.directory` (sessions invite centers) and imports nothing else of
:mod:`centers`.
"""

from flask import Flask


def init_app(app: Flask) -> None:
    from programs import catalog, feeds, rooms, schedule

    catalog.init_app(app)
    schedule.init_app(app)
    rooms.init_app(app)
    feeds.init_app(app)
