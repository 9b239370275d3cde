"""``flask db-backup PATH``: a consistent copy of the database while the app runs.

SQLite: the online backup API (``sqlite3.Connection.backup``) into a new file, readable with
``sqlite3`` or as ``DATABASE_URL=sqlite:///PATH``. PostgreSQL: ``pg_dump -Fc`` (custom format,
restored with ``pg_restore``; see README, "Backups").
"""

import shutil
import sqlite3
import subprocess
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask, current_app

PG_BIN_DIRS = ("/usr/lib/postgresql/17/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/15/bin")


def pg_tool(name: str) -> str:
    """The path of ``pg_dump`` / ``pg_restore``: on PATH, else Debian's versioned directory."""
    found = shutil.which(name) or next(
        (str(Path(d) / name) for d in PG_BIN_DIRS if (Path(d) / name).exists()), None
    )
    if not found:
        raise click.ClickException(f"{name} not found (install postgresql-client)")
    return found


def libpq_url(url: sa.engine.URL) -> str:
    """A SQLAlchemy URL (``postgresql+psycopg://…``) as libpq's connection URI."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def backup(url: str | sa.engine.URL, target: Path) -> Path:
    url = sa.engine.make_url(url)
    target = Path(target)
    if target.exists():
        raise click.ClickException(f"{target} exists: choose a new file")
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(url.database)
        copy = sqlite3.connect(target)
        try:
            with copy:
                source.backup(copy)
        finally:
            copy.close()
            source.close()
    elif url.get_backend_name() == "postgresql":
        # A fixed program with an argument list built from the configured URL: no shell.
        subprocess.run(  # nosec B603
            [pg_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={target}", f"--dbname={libpq_url(url)}"],
            check=True,
        )
    else:
        raise click.ClickException(f"no backup for {url.get_backend_name()}")
    return target


@click.command("db-backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def db_backup(path: Path):
    """Copy the database to PATH (SQLite: backup API; PostgreSQL: pg_dump -Fc)."""
    backup(current_app.config["SQLALCHEMY_DATABASE_URI"], path)
    click.echo(f"backup written to {path}")


def init_app(app: Flask) -> None:
    app.cli.add_command(db_backup)
