"""Video rooms: one Jitsi room per session, and the providers that sign the way in."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Every new session gets its room; an unknown ``JITSI_MODE`` stops the app here."""
    from programs.rooms import services

    services.check_config(app.config)
    services.listen_for_new_sessions()
