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


def subscribable_center_ids(user: User) -> set[int] | None:
    """The centers whose feed addresses the user is shown (None: every center): staff all of
    them, a center's manager its own; nobody else."""
    if is_staff(user):
        return None
    if user.role == Role.CENTER_MANAGER and user.center_id:
        return {user.center_id}
    return set()


def subscribable_instructor_ids(user: User) -> set[int] | None:
    """The instructors whose feed addresses the user is shown (None: every instructor)."""
    if is_staff(user):
        return None
    if user.role == Role.INSTRUCTOR and user.instructor_id:
        return {user.instructor_id}
    return set()
