"""Backups restore: on PostgreSQL pg_dump -Fc of the test database restored with pg_restore into
a fresh, empty database; on SQLite the online backup API (``flask db-backup``) into a new file.
Either way the data is found again in the copy."""

import subprocess

import pytest
import sqlalchemy as sa

from app import backup
from app.extensions import db
from tests.factories import CenterFactory, MemberFactory


def _rows(engine) -> dict:
    with engine.connect() as conn:
        return {
            "centers": conn.execute(sa.text("SELECT name FROM centers ORDER BY id")).scalars().all(),
            "members": conn.execute(sa.text("SELECT name FROM members ORDER BY id")).scalars().all(),
        }


@pytest.mark.commits  # pg_dump and the backup API read what is committed
def test_backup_restores_into_an_empty_database(app, tmp_path):
    center = CenterFactory(name="복원리 경로당")
    MemberFactory(center=center, name="김복원")
    url = db.engine.url
    expected = _rows(db.engine)
    assert expected == {"centers": ["복원리 경로당"], "members": ["김복원"]}
    dump = tmp_path / "ieum.backup"

    result = app.test_cli_runner().invoke(args=["db-backup", str(dump)])
    assert result.exit_code == 0, result.output
    assert dump.stat().st_size > 0

    if url.get_backend_name() == "sqlite":
        restored_url = sa.engine.URL.create("sqlite", database=str(dump))
        fresh = None
    else:
        fresh = f"{url.database}_restore"
        admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{fresh}"'))
            conn.execute(sa.text(f'CREATE DATABASE "{fresh}"'))
        restored_url = url.set(database=fresh)
        subprocess.run(
            [backup.pg_tool("pg_restore"), "--no-owner", "--exit-on-error",
             f"--dbname={backup.libpq_url(restored_url)}", str(dump)],
            check=True, capture_output=True,
        )
    restored = sa.create_engine(restored_url)
    try:
        assert _rows(restored) == expected
        assert set(sa.inspect(restored).get_table_names()) >= set(db.metadata.tables)
    finally:
        restored.dispose()
        if fresh:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{fresh}"'))
            admin.dispose()


def test_backup_refuses_to_overwrite(app, tmp_path):
    target = tmp_path / "exists.backup"
    target.write_text("keep me")
    result = app.test_cli_runner().invoke(args=["db-backup", str(target)])
    assert result.exit_code != 0 and "exists" in result.output
    assert target.read_text() == "keep me"
