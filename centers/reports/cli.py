"""``flask reports rebuild-rollups``: recompute the report rollups of a period from the base
tables (idempotent; after a bulk load or changes made outside the application)."""

import time

import click
from flask.cli import AppGroup

from app.extensions import db
from centers.reports import rollups

reports_cli = AppGroup("reports", help="Attendance reports.")


@reports_cli.command("rebuild-rollups")
@click.option("--from", "start", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="First session day (default: the earliest).")
@click.option("--to", "end", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Last session day (default: the latest).")
def rebuild_command(start, end):
    """Rebuild the daily rollups of sessions dated in the period (every day by default), a
    month per transaction."""
    began = time.perf_counter()
    totals: dict[str, int] = {}
    months = rollups.months_between(
        db.session.connection(), start.date() if start else None, end.date() if end else None
    )
    for first, last in months:
        for table, n in rollups.rebuild(db.session.connection(), first, last).items():
            totals[table] = totals.get(table, 0) + n
        db.session.commit()
    click.echo(
        ", ".join(f"{table} {n:,}" for table, n in totals.items())
        + f" ({len(months)} months, {time.perf_counter() - began:.1f} s)"
    )
