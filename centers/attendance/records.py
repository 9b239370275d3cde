"""The one attendance record per (session, center), made safely under concurrent callers.

Presence (the tablet's and Jitsi's join events) and the attendance form both start here, so a
double tap, an offline retry and a webhook racing each other still leave a single row.
"""

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import joinedload

from app.database import utcnow
from app.extensions import db
from centers.attendance.models import Attendance, AttendanceSubmission


def _insert_missing(session, center_id: int) -> None:
    """``INSERT … ON CONFLICT DO NOTHING`` of the (session, center) record, status null."""
    now = utcnow()
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = (
        insert(Attendance.__table__)
        .values(
            session_id=session.id, center_id=center_id, session_date=session.date,
            version=1, note="", created_at=now, updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["session_id", "center_id"])
    )
    db.session.execute(stmt)


def _first_then_insert(query, session, center_id: int):
    """The query's row, the record inserted first when missing.

    PostgreSQL: read (locked) first, and insert only when the record is missing: it usually
    exists already (a tablet's join makes it), so this is one statement. SQLite: insert
    first, always, since that write is what makes a second writer wait for the first one's
    commit (SQLite has no row locks) before it reads."""
    if db.session.get_bind().dialect.name == "sqlite":
        _insert_missing(session, center_id)
        return db.session.execute(query).unique().one()
    found = db.session.execute(query).unique().first()
    if found is None:
        _insert_missing(session, center_id)
        found = db.session.execute(query).unique().one()
    return found


def ensure_record(session, center_id: int, *, lock: bool = True) -> Attendance:
    """The record of ``session`` at ``center_id``, inserted if missing (status null).

    Read first; if missing, ``INSERT … ON CONFLICT DO NOTHING`` on the unique key and read
    again. The read is ``SELECT … FOR UPDATE`` on PostgreSQL (with ``lock``), so concurrent
    writers take turns: two first writers both insert, one waits on the key and does nothing.
    """
    query = sa.select(Attendance).where(
        Attendance.session_id == session.id, Attendance.center_id == center_id
    ).execution_options(populate_existing=True)
    if lock:
        query = query.with_for_update()
    return _first_then_insert(query, session, center_id)[0]


def lock_record(session, center_id: int, client_ref: str | None) -> tuple[Attendance, bool]:
    """:func:`ensure_record` (locked) with its members, and whether the submission
    ``client_ref`` was applied to it before, in the same statement.

    The ``EXISTS`` sees the submissions committed when the statement began; one committed
    while it waited for the lock is the one the row now names (``client_ref``: the row is
    read as it is once the lock is granted), hence the second test. The primary key of
    ``attendance_submissions`` stays the guard of last resort (:func:`services._claim`)."""
    applied = (
        sa.exists().where(
            AttendanceSubmission.attendance_id == Attendance.id,
            AttendanceSubmission.client_ref == client_ref,
        )
        if client_ref
        else sa.false()
    )
    query = (
        sa.select(Attendance, applied.label("applied"))
        .where(Attendance.session_id == session.id, Attendance.center_id == center_id)
        .options(joinedload(Attendance.members))
        .execution_options(populate_existing=True)
        .with_for_update(of=Attendance.__table__)
    )
    record, was_applied = _first_then_insert(query, session, center_id)
    return record, bool(was_applied) or bool(client_ref and record.client_ref == client_ref)
