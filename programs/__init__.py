"""Programs, instructors, sessions, weeks, holidays and closures, video rooms, calendar feeds.

This package never imports :mod:`centers`.
"""

from flask import Flask


def init_app(app: Flask) -> None:
    from programs import models  # noqa: F401  (tables registered on the metadata)
