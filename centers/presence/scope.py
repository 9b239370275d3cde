"""Who may enter a session's room, as whom, and who may watch who is in it."""

import sqlalchemy as sa

from app.auth.models import Role, User
from app.auth.policy import STAFF, is_staff
from app.errors import Forbidden, Invalid, NotFound, Unauthorized
from app.extensions import db
from centers.directory.scope import get_center
from programs.schedule.models import Session
from programs.schedule.scope import scope_sessions

# The instructors' and coordinators' room pages (/rooms).
ROOM_ROLES = (Role.ADMIN, Role.COORDINATOR, Role.INSTRUCTOR)


def require_room_user(user: User) -> None:
    if not user.is_authenticated or user.role not in ROOM_ROLES:
        raise Forbidden()


def get_joinable_session(user: User, session_id: int, center_id: int | None = None):
    """The session ``user`` may enter, and the center they enter for: ``(session, center)``.

    ``center`` is the center the user joins as (its tablet or manager, or a coordinator who
    names an invited center); ``None`` when the user joins as the session's instructor or as a
    coordinator, both moderators. Other roles, or another center: 403. No such session, one
    outside the user's scope, or a center that is not invited: 404. A draft or cancelled
    session the user can see: 422 ``invalid`` (``details.field: "session"``).
    """
    from flask_babel import lazy_gettext as _l

    if not user.is_authenticated:
        raise Unauthorized()
    if user.role not in (*STAFF, Role.INSTRUCTOR, Role.CENTER_MANAGER):
        raise Forbidden()
    center = None
    if user.role == Role.CENTER_MANAGER:
        center = get_center(user, user.center_id if center_id is None else center_id)
    elif user.role == Role.INSTRUCTOR:
        if center_id is not None:
            raise Forbidden()
    elif center_id is not None:
        center = get_center(user, center_id)
    session = db.session.get(Session, session_id)
    if session is None:
        raise NotFound()
    visible = scope_sessions(sa.select(Session.id).where(Session.id == session.id), user)
    if db.session.scalar(visible) is None:
        raise NotFound()
    if center is not None and center.id not in session.center_ids:
        raise NotFound()
    if session.status != "published":
        raise Invalid("session", _l("게시되지 않았거나 취소된 수업입니다."))
    return session, center


def joins_as_moderator(user: User, session, center) -> bool:
    """Only the session's instructor and coordinators moderate; centers are participants."""
    if center is not None:
        return False
    if is_staff(user):
        return True
    return user.role == Role.INSTRUCTOR and user.instructor_id == session.instructor_id


def can_watch_presence(user: User, session) -> bool:
    """Who is in the room right now: staff and the session's instructor."""
    if is_staff(user):
        return True
    return user.role == Role.INSTRUCTOR and user.instructor_id == session.instructor_id


def get_watchable_session(user: User, session_id: int):

    session = db.session.get(Session, session_id)
    if session is None:
        raise NotFound()
    if not can_watch_presence(user, session):
        visible = scope_sessions(sa.select(Session.id).where(Session.id == session.id), user)
        raise Forbidden() if db.session.scalar(visible) is not None else NotFound()
    return session
