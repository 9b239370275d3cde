"""Who may see and rotate a calendar key."""

from app.auth.models import Role, User
from app.auth.policy import is_staff
from centers.directory.scope import can_manage_center


def can_manage_instructor_calendar(user: User, instructor_id: int) -> bool:
    """See and rotate an instructor's calendar key: staff, or the instructor."""
    return is_staff(user) or (user.role == Role.INSTRUCTOR and user.instructor_id == instructor_id)


def can_manage_center_calendar(user: User, center) -> bool:
    """Rotate a center's calendar key: staff, or the center's manager."""
    return can_manage_center(user, center)
