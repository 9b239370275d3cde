"""Who may replace a video room."""

from app.auth.models import User
from app.auth.policy import is_staff


def can_replace_room(user: User) -> bool:
    return is_staff(user)
