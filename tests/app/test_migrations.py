"""The Alembic migrations build the schema on an empty database and match the models."""

import os
import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from app import create_app
from app.extensions import db

# Alembic works on its own engine and database: nothing to roll back in the session's.
pytestmark = pytest.mark.commits


@pytest.fixture
def empty_database_url(tmp_path):
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    name = f"ieum_migrations_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(base).set(database=name)
    yield url.render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _drift(conn) -> list:
    return compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)


def _migrations_app(url: str):
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x" * 40, "TESTING": True})


def test_upgrade_builds_the_schema_and_models_do_not_drift(empty_database_url):
    app = _migrations_app(empty_database_url)
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            tables = set(sa.inspect(conn).get_table_names())
            assert {"users", "counties", "centers", "sessions", "attendance", "follow_ups"} <= tables
            diff = _drift(conn)
        db.engine.dispose()
    assert diff == []


def test_upgrade_downgrade_to_base_and_upgrade_again(empty_database_url):
    """Every revision's downgrade undoes its upgrade: down to an empty database (only Alembic's
    own table left), then up again to a schema the models do not drift from."""
    app = _migrations_app(empty_database_url)
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        with db.engine.connect() as conn:
            left = set(sa.inspect(conn).get_table_names())
            version = conn.execute(sa.text("SELECT count(*) FROM alembic_version")).scalar()
            if conn.dialect.name == "postgresql":
                # types a downgrade forgot (CREATE TYPE for enums) would stay behind
                types = conn.execute(
                    sa.text("SELECT typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
                            "WHERE n.nspname = 'public' AND t.typtype = 'e'")
                ).scalars().all()
            else:
                types = []
        assert left == {"alembic_version"} and version == 0, left
        assert types == []
        upgrade()
        with db.engine.connect() as conn:
            tables = set(sa.inspect(conn).get_table_names())
            diff = _drift(conn)
        db.engine.dispose()
    assert {"users", "counties", "centers", "sessions", "attendance", "follow_ups", "room_presence"} <= tables
    assert diff == []
