"""The role primitives every scope rule is built on. Who may see what lives beside the models it
filters, in each feature's ``scope.py``; views and services ask those, they never decide."""


from app.auth.models import Role, User
from app.errors import Forbidden, Unauthorized

STAFF = (Role.ADMIN, Role.COORDINATOR)


def is_admin(user: User) -> bool:
    return user.is_authenticated and user.role == Role.ADMIN


def is_staff(user: User) -> bool:
    """Admins and coordinators: every county, every center, drafts included."""
    return user.is_authenticated and user.role in STAFF


def require_role(user: User, *roles: str) -> None:
    if not user.is_authenticated:

        raise Unauthorized()
    if user.role not in roles:
        raise Forbidden()


def require_staff(user: User) -> None:
    require_role(user, *STAFF)


def require_admin(user: User) -> None:
    require_role(user, Role.ADMIN)
