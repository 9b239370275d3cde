"""Who may watch the live board, which of a session's centers they see, and who may call for
help: coordinators every center; an instructor their own sessions; a county viewer the centers
of its own county only (a session with centers of several counties shows only its own)."""

import sqlalchemy as sa

from app.auth.models import Role, User
from app.auth.policy import STAFF, is_staff
from app.errors import Forbidden, NotFound, Unauthorized
from app.extensions import db
from centers.directory.models import Center
from programs.schedule.models import Session, SessionCenter
from programs.schedule.scope import scope_sessions

BOARD_ROLES = (*STAFF, Role.INSTRUCTOR, Role.COUNTY_VIEWER)
HELP_ROLES = (Role.CENTER_MANAGER,)


def require_board_user(user: User) -> None:
    if not user.is_authenticated:
        raise Unauthorized()
    if user.role not in BOARD_ROLES:
        raise Forbidden()


def board_center_filter(user: User):
    """A condition on :class:`Center` limiting the board's tiles, or None for every center."""
    if user.role == Role.COUNTY_VIEWER:
        return Center.county_id == user.county_id
    return None


def scope_board_sessions(stmt: sa.Select, user: User) -> sa.Select:
    """Sessions on the user's board: staff every one, an instructor their own, a county viewer
    those inviting a center of its county (published ones only, as everywhere for non-staff)."""
    return scope_sessions(stmt, user)


def get_board_session(user: User, session_id: int) -> Session:
    """The session whose tiles the user may watch: 404 if missing or outside the user's sight,
    403 for roles that have no board."""
    require_board_user(user)
    session = db.session.get(Session, session_id)
    if session is None:
        raise NotFound()
    visible = scope_board_sessions(sa.select(Session.id).where(Session.id == session.id), user)
    if db.session.scalar(visible) is None:
        raise NotFound()
    return session


def board_centers(user: User, session_id: int) -> sa.Select:
    """The invited centers of a session the user sees on its board, by name."""
    stmt = (
        sa.select(Center)
        .join(SessionCenter, SessionCenter.center_id == Center.id)
        .where(SessionCenter.session_id == session_id)
        .order_by(Center.name, Center.id)
    )
    condition = board_center_filter(user)
    return stmt if condition is None else stmt.where(condition)


def require_help_caller(user: User) -> None:
    """A center's manager or its tablet (a tablet signs in as its center's manager)."""
    if not user.is_authenticated:
        raise Unauthorized()
    if user.role not in HELP_ROLES:
        raise Forbidden()


def require_resolver(user: User) -> None:
    if not user.is_authenticated:
        raise Unauthorized()
    if not is_staff(user):
        raise Forbidden()
