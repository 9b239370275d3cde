"""Who may read, record and correct attendance."""

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from app.auth.models import User
from app.auth.policy import is_staff
from app.errors import Forbidden, NotFound
from app.extensions import db
from centers.attendance.models import Attendance
from centers.directory.scope import can_manage_center, visible_center_ids
from programs.schedule.models import Session
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


def attendance_session(user: User, session_id: int, *, invitations: bool = False):
    """A session whose attendance the user may see: 404 if missing or out of scope.
    ``invitations``: with its invited centers, loaded in the same statement."""

    stmt = scope_sessions(sa.select(Session).where(Session.id == session_id), user)
    if invitations:
        stmt = stmt.options(joinedload(Session.invitations))
    session = db.session.scalars(stmt).unique().first()
    if session is None:
        raise NotFound()
    return session
