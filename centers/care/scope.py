"""Care follow-ups: staff see all; a county viewer its own county's."""

import sqlalchemy as sa

from app.auth.models import Role, User
from app.auth.policy import is_staff, require_role
from app.errors import Forbidden, NotFound
from app.extensions import db
from centers.care.models import FollowUp

CARE_ROLES = (Role.ADMIN, Role.COORDINATOR, Role.COUNTY_VIEWER)


def require_care_access(user: User) -> None:
    require_role(user, *CARE_ROLES)


def scope_follow_ups(stmt: sa.Select, user: User) -> sa.Select:
    """Care follow-ups: staff see all; a county viewer its county's."""

    require_care_access(user)
    if is_staff(user):
        return stmt
    return stmt.where(FollowUp.county_id == user.county_id)


def get_follow_up(user: User, follow_up_id: int):
    """The follow-up, or 404 if missing, 403 if it belongs to another county."""

    require_care_access(user)
    item = db.session.get(FollowUp, follow_up_id)
    if item is None:
        raise NotFound()
    if not is_staff(user) and item.county_id != user.county_id:
        raise Forbidden()
    return item
