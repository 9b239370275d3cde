"""Who may see and change sessions: staff everything, drafts included; others published sessions
(and those cancelled after publishing) of their own scope."""

import sqlalchemy as sa

from app.auth.models import Role, User
from app.auth.policy import is_staff, require_staff
from app.errors import Forbidden, NotFound
from app.extensions import db
from centers.directory.scope import visible_center_ids
from programs.schedule.models import Session, SessionCenter


def scope_sessions(stmt: sa.Select, user: User) -> sa.Select:
    """Non-staff see published (and cancelled-after-publishing) sessions within their scope."""

    if is_staff(user):
        return stmt
    stmt = stmt.where(Session.was_published)
    if user.role == Role.INSTRUCTOR:
        return stmt.where(Session.instructor_id == user.instructor_id)
    ids = visible_center_ids(user)
    invited = sa.select(SessionCenter.session_id).where(SessionCenter.center_id.in_(ids))
    return stmt.where(Session.id.in_(invited))


def can_schedule(user: User) -> bool:
    """Build, change and publish sessions; keep programs, instructors and closures."""
    return is_staff(user)


def require_scheduler(user: User) -> None:
    require_staff(user)


def session_visible(user: User, session_id: int) -> bool:
    """Whether ``user`` may read the session (drafts only for staff)."""

    stmt = scope_sessions(sa.select(Session.id).where(Session.id == session_id), user)
    return db.session.scalar(stmt) is not None


def get_session(user: User, session_id: int):
    """The session, or 404 (missing, or a draft outside the user's sight), or 403 (published
    but outside the user's scope)."""

    session = db.session.get(Session, session_id)
    if session is None:
        raise NotFound()
    if is_staff(user):
        return session
    if not session.was_published:
        raise NotFound()
    if not session_visible(user, session_id):
        raise Forbidden()
    return session


def require_instructor_in_scope(user: User, instructor_id: int) -> None:
    """An instructor may filter by, and read, only themself; others are not restricted."""
    if user.role == Role.INSTRUCTOR and user.instructor_id != instructor_id:
        raise Forbidden()


def instructor_centers(user: User) -> sa.Select:
    """An instructor reads the centers invited to its sessions that others can see."""
    return (
        sa.select(SessionCenter.center_id)
        .join(Session, Session.id == SessionCenter.session_id)
        .where(Session.instructor_id == user.instructor_id, Session.was_published)
        .distinct()
    )
