"""``flask jitsi poll``: reconcile presence with Prosody's ``mod_muc_size``."""

import time

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from app.extensions import db

jitsi_cli = AppGroup("jitsi", help="Jitsi video rooms.")


@jitsi_cli.command("poll")
@click.option("--every", type=int, default=0, help="Repeat every N seconds (0: once).")
def poll(every: int):
    """Ask Prosody who is in each room in use now (needs JITSI_PROSODY_URL)."""
    from centers.presence import services as presence

    if not current_app.config.get("JITSI_PROSODY_URL"):
        raise click.ClickException("JITSI_PROSODY_URL is not set: nothing to poll")
    while True:
        results = presence.poll_prosody()
        db.session.commit()
        for r in results:
            detail = (
                r.get("error")
                or f"participants={r.get('participants', 0)} centers_in_room={r.get('in_room', 0)}"
            )
            click.echo(f"session {r['session_id']} {r['room']}: {r['status']} {detail}")
        if not results:
            click.echo("no rooms in use now")
        if every <= 0:
            break
        time.sleep(every)
        db.session.remove()


def init_app(app: Flask) -> None:
    app.cli.add_command(jitsi_cli)
