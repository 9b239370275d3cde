"""``flask care scan``: raise the follow-ups that attendance suggests (nightly)."""

from datetime import date

import click
from flask.cli import AppGroup

from app.extensions import db
from centers.care import services as care

care_cli = AppGroup("care", help="Care follow-ups.")


@care_cli.command("scan")
@click.option(
    "--date",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Look at attendance up to this day (default: yesterday in Seoul).",
)
def scan_command(as_of):
    """Raise the care follow-ups attendance calls for (idempotent: run it nightly)."""
    day: date | None = as_of.date() if as_of else None
    created = care.scan(day)
    db.session.commit()
    click.echo("follow-ups raised: " + ", ".join(f"{kind} {n}" for kind, n in created.items()))
