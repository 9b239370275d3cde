"""``flask users create`` and ``flask users token``."""

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import AppGroup

from app.auth import services
from app.auth.models import ROLE_VALUES, User
from app.errors import AppError
from app.extensions import db

users_cli = AppGroup("users", help="Manage users and API tokens.")


@users_cli.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLE_VALUES), required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--name", "display_name", default="", help="Display name.")
@click.option("--county-id", type=int)
@click.option("--center-id", type=int)
@click.option("--instructor-id", type=int)
def create_user(username, role, password, display_name, county_id, center_id, instructor_id):
    """Create a user."""
    try:
        user = services.create_user(
            None, username=username, password=password, role=role, display_name=display_name,
            county_id=county_id, center_id=center_id, instructor_id=instructor_id, source="cli",
        )
    except AppError as exc:
        db.session.rollback()
        raise click.ClickException(f"{exc.code}: {exc.message} {exc.details or ''}".strip()) from exc
    db.session.commit()
    click.echo(f"created user {user.username} (id {user.id}, {user.role})")


@users_cli.command("token")
@click.argument("username")
@click.option("--name", default="cli", help="A label for the token.")
def create_token(username, name):
    """Print a new API token for USERNAME (last line of output)."""
    user = db.session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"no such user: {username}")
    token = services.issue_token(None, user, name=name, source="cli")
    db.session.commit()
    click.echo(token)


translate_cli = AppGroup("translate", help="Extract, update and compile the translation catalogs.")
CATALOG_DIR = "translations"


def _pybabel(*args: str) -> None:
    import subprocess
    import sys

    from app.config import PROJECT_ROOT

    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True, cwd=PROJECT_ROOT)


@translate_cli.command("update")
def translate_update():
    """Extract every wrapped string and merge it into the ko and en catalogs."""
    _pybabel("extract", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext", "--no-location",
             "--sort-output", "-o", f"{CATALOG_DIR}/messages.pot", ".")
    _pybabel("update", "-i", f"{CATALOG_DIR}/messages.pot", "-d", CATALOG_DIR, "--no-fuzzy-matching",
             "--ignore-obsolete")


@translate_cli.command("compile")
def translate_compile():
    """Compile the catalogs (.po → .mo)."""
    _pybabel("compile", "-d", CATALOG_DIR, "-f")


def init_app(app: Flask) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(translate_cli)
