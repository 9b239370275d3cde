"""Who may read and keep a center's roster (personal data)."""

from app.auth.models import Role, User
from app.errors import Forbidden
from centers.directory.scope import can_manage_center


def can_see_member_names(user: User, center) -> bool:
    """Personal data: staff, the center's manager, and the viewer of the center's county."""
    if can_manage_center(user, center):
        return True
    return user.role == Role.COUNTY_VIEWER and user.county_id == center.county_id


def can_read_members(user: User, center) -> bool:
    """The roster (names): staff, the center's manager, the viewer of its county."""
    return can_see_member_names(user, center)


def require_member_reader(user: User, center) -> None:
    if not can_read_members(user, center):
        raise Forbidden()


def require_member_manager(user: User, center) -> None:
    """Keep the roster (add, edit, mark moved or deceased): the center's manager and staff."""
    if not can_manage_center(user, center):
        raise Forbidden()


def can_see_member_contact(user: User, center) -> bool:
    """Phone numbers and notes: only those who keep the roster."""
    return can_manage_center(user, center)
