"""Who may read, record and correct attendance."""

import sqlalchemy as sa

from app.auth.models import User
from app.auth.policy import is_staff
from app.errors import Forbidden, NotFound
from app.extensions import db
from centers.attendance.models import Attendance
from centers.directory.scope import can_manage_center, visible_center_ids
from programs.schedule.models import Session, SessionCenter
from programs.schedule.scope import scope_sessions


def can_write_attendance(user: User, center) -> bool:
    """Record or correct a center's attendance: its manager (or its tablet) and staff.
    County viewers and instructors read, never write."""
    return can_manage_center(user, center)


def require_attendance_writer(user: User, center) -> None:
    if not can_write_attendance(user, center):
        raise Forbidden()


def attendance_window_open(user: User, session, now, days: int) -> bool:
    """Managers record and correct until ``days`` after the session ends; staff always."""
    from datetime import timedelta

    if is_staff(user):
        return True
    return now <= session.ends_at + timedelta(days=days)


def scope_attendance(stmt: sa.Select, user: User) -> sa.Select:
    """Attendance records of centers in scope, for sessions the user may see."""

    if is_staff(user):
        return stmt
    centers = visible_center_ids(user)
    sessions = scope_sessions(sa.select(Session.id), user)
    return stmt.where(Attendance.center_id.in_(centers), Attendance.session_id.in_(sessions))


def attendance_session_inviting(user: User, session_id: int, center_id: int) -> tuple[Session, bool]:
    """:func:`attendance_session`, and whether ``center_id`` is invited to it, in one
    statement (an ``EXISTS``, rather than loading every invitation)."""
    invited = sa.exists().where(
        SessionCenter.session_id == Session.id, SessionCenter.center_id == center_id
    )
    stmt = scope_sessions(
        sa.select(Session, invited.label("invited")).where(Session.id == session_id), user
    )
    row = db.session.execute(stmt).first()
    if row is None:
        raise NotFound()
    return row[0], bool(row[1])


def attendance_session(user: User, session_id: int):
    """A session whose attendance the user may see: 404 if missing or out of scope."""

    stmt = scope_sessions(sa.select(Session).where(Session.id == session_id), user)
    session = db.session.scalar(stmt)
    if session is None:
        raise NotFound()
    return session
