"""A center's tablets: who pairs and revokes them, and what a tablet sees."""

import sqlalchemy as sa

from app.auth.models import Role, User
from app.auth.policy import is_staff
from app.errors import Forbidden
from app.extensions import db
from centers.directory.scope import get_center
from centers.tablet.models import TabletDevice
from programs.schedule.models import Session, SessionCenter
from programs.schedule.scope import scope_sessions


def is_tablet(user: User) -> bool:
    """A paired tablet's own user (it may use its center, not manage other tablets)."""

    if not user.is_authenticated:
        return False
    stmt = sa.select(TabletDevice.id).where(TabletDevice.user_id == user.id).limit(1)
    return db.session.scalar(stmt) is not None


def can_manage_tablets(user: User, center) -> bool:
    """Pair and revoke a center's tablets: staff, or the center's own (human) manager."""
    if is_staff(user):
        return True
    return (
        user.is_authenticated
        and user.role == Role.CENTER_MANAGER
        and user.center_id == center.id
        and not is_tablet(user)
    )


def require_can_manage_tablets(user: User, center) -> None:
    if not can_manage_tablets(user, center):
        raise Forbidden()


def scope_tablet_sessions(stmt: sa.Select, user: User, center) -> sa.Select:
    """A center's sessions as its tablet sees them: published (or cancelled after publishing)
    sessions the center is invited to."""

    get_center(user, center.id)
    invited = sa.select(SessionCenter.session_id).where(SessionCenter.center_id == center.id)
    stmt = stmt.where(Session.id.in_(invited), Session.was_published)
    return scope_sessions(stmt, user)
