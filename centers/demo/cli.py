"""``flask demo seed``."""

import click
from flask import Flask
from flask.cli import AppGroup

from app.extensions import db

demo_cli = AppGroup("demo", help="Demo data.")


@demo_cli.command("seed")
def seed():
    """Load the Bucheon partner centers demo (idempotent) and print the demo logins."""
    from centers.demo import seed as demo

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
