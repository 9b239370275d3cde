"""``flask demo seed``."""

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from app.extensions import db

demo_cli = AppGroup("demo", help="Demo data.")


@demo_cli.command("seed")
def seed():
    """Load the Bucheon partner centers demo (idempotent) and print the demo logins."""
    from centers.demo import seed as demo

    if current_app.config.get("IEUM_ENV") == "production":
        # The demo makes an admin with a published password: never on a real site.
        raise click.ClickException("demo seed refuses to run in production (IEUM_ENV=production)")

    summary = demo.seed()
    db.session.commit()
    click.echo(
        f"Demo data ready: {summary['counties']} counties, {summary['centers']} centers, "
        f"{summary['programs']} programs, {summary['sessions']} sessions "
        f"({summary['new_sessions']} new)."
    )
    click.echo("")
    click.echo(f"Demo logins (password for all: {demo.DEMO_PASSWORD})")
    for username, role, label in demo.DEMO_USERS_TABLE:
        click.echo(f"  {username:<12} {role:<15} {label}")


def init_app(app: Flask) -> None:
    app.cli.add_command(demo_cli)
