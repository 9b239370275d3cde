"""The one attendance record per (session, center), made safely under concurrent callers.

Presence (the tablet's and Jitsi's join events) and the attendance form both start here, so a
double tap, an offline retry and a webhook racing each other still leave a single row.
"""

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from app.database import utcnow
from app.extensions import db
from centers.attendance.models import Attendance


def ensure_record(session, center_id: int, *, lock: bool = True) -> Attendance:
    """The record of ``session`` at ``center_id``, inserted if missing (status null).

    The insert is ``ON CONFLICT DO NOTHING`` on the unique key, then the row is read back,
    locked ``FOR UPDATE`` on PostgreSQL so that concurrent writers take turns.
    """
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
    query = sa.select(Attendance).where(
        Attendance.session_id == session.id, Attendance.center_id == center_id
    ).execution_options(populate_existing=True)
    if lock:
        query = query.with_for_update()
    return db.session.scalars(query).one()
