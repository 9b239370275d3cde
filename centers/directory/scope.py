"""Who may see which counties and centers: staff every one, a county viewer its county, a center
manager (and its tablet) its center; other roles what their features register."""

from collections.abc import Callable, Iterable

import sqlalchemy as sa

from app.auth.models import Role, User
from app.auth.policy import is_staff
from app.errors import Forbidden, NotFound
from app.extensions import db
from centers.directory.models import Center, County

# Roles whose centers come from another feature (an instructor sees the centers invited to its
# sessions): the feature registers the rule, so this package never imports it.
_ROLE_CENTERS: dict[str, Callable[[User], sa.Select]] = {}


def register_role_centers(role: str, centers_of: Callable[[User], sa.Select]) -> None:
    """``centers_of(user)`` is a subquery of the center ids a user of ``role`` may read."""
    _ROLE_CENTERS[role] = centers_of


def visible_center_ids(user: User) -> sa.Select | None:
    """A subquery of the center ids the user may read, or ``None`` for every center."""
    if is_staff(user):
        return None
    if user.role == Role.COUNTY_VIEWER:
        return sa.select(Center.id).where(Center.county_id == user.county_id)
    if user.role == Role.CENTER_MANAGER:
        return sa.select(Center.id).where(Center.id == user.center_id)
    if user.role in _ROLE_CENTERS:
        return _ROLE_CENTERS[user.role](user)
    return sa.select(Center.id).where(sa.false())


def scope_centers(stmt: sa.Select, user: User) -> sa.Select:

    ids = visible_center_ids(user)
    return stmt if ids is None else stmt.where(Center.id.in_(ids))


def visible_county_ids(user: User) -> sa.Select | None:

    if is_staff(user):
        return None
    if user.role == Role.COUNTY_VIEWER:
        return sa.select(sa.literal(user.county_id))
    ids = visible_center_ids(user)
    return sa.select(Center.county_id).where(Center.id.in_(ids)).distinct()


def scope_counties(stmt: sa.Select, user: User) -> sa.Select:

    ids = visible_county_ids(user)
    return stmt if ids is None else stmt.where(County.id.in_(ids))


def can_see_contact_phone(user: User, center) -> bool:
    """A center's contact phone: staff, and the welfare officer of the center's own county
    (the live board also shows it to the session's instructor)."""
    if is_staff(user):
        return True
    return (
        user.is_authenticated
        and user.role == Role.COUNTY_VIEWER
        and user.county_id == center.county_id
    )


def can_read_center(user: User, center_id: int) -> bool:
    ids = visible_center_ids(user)
    if ids is None:
        return True
    return center_id in set(db.session.scalars(ids))


def get_county(user: User, county_id: int):
    """The county, or 404 if it does not exist, 403 if it is outside the user's scope."""

    county = db.session.get(County, county_id)
    if county is None:
        raise NotFound()
    ids = visible_county_ids(user)
    if ids is not None and county.id not in set(db.session.scalars(ids)):
        raise Forbidden()
    return county


def get_center(user: User, center_id: int):
    """The center, or 404 if it does not exist, 403 if it is outside the user's scope."""

    center = db.session.get(Center, center_id)
    if center is None:
        raise NotFound()
    if not _can_read_loaded_center(user, center):
        raise Forbidden()
    return center


def _can_read_loaded_center(user: User, center) -> bool:
    """:func:`can_read_center` for a row already loaded: a center's manager and a county
    viewer are answered from the row itself (the same rule as :func:`visible_center_ids`),
    without asking the database again."""
    if not is_staff(user):
        if user.role == Role.CENTER_MANAGER:
            return center.id == user.center_id
        if user.role == Role.COUNTY_VIEWER:
            return center.county_id == user.county_id
    return can_read_center(user, center.id)


def can_manage_center(user: User, center) -> bool:
    """Write to a center's own data (members, attendance): its manager or staff."""
    if is_staff(user):
        return True
    return user.role == Role.CENTER_MANAGER and user.center_id == center.id


def require_center_manager_or_staff(user: User, center) -> None:
    if not can_manage_center(user, center):
        raise Forbidden()


def require_ids_in_scope(user: User, center_ids: Iterable[int]) -> None:
    for center_id in center_ids:
        get_center(user, center_id)


def visible_center_id_set(user: User) -> set[int] | None:
    """The ids of the centers the user may read, or None for all (staff)."""
    ids = visible_center_ids(user)
    return None if ids is None else set(db.session.scalars(ids))


def filter_center_ids(
    user: User, center_ids: Iterable[int], visible: set[int] | None = None
) -> list[int]:
    """A session's invited centers as the user may see them (other centers' ids are hidden
    from center managers and county viewers)."""
    if is_staff(user) or user.role == Role.INSTRUCTOR:
        return sorted(center_ids)
    visible = visible if visible is not None else visible_center_id_set(user) or set()
    return sorted(cid for cid in center_ids if cid in visible)


def own_center_id(user: User) -> int | None:
    """The center a center's manager (or its tablet) works for; None for every other role."""
    if user.is_authenticated and user.role == Role.CENTER_MANAGER:
        return user.center_id
    return None


def own_center(user: User) -> Center:
    """The center of a center's manager; 403 for every other role."""
    center_id = own_center_id(user)
    if center_id is None:
        raise Forbidden()
    return get_center(user, center_id)


def own_county_id(user: User) -> int | None:
    """The county a county viewer reports on; None for every other role."""
    if user.is_authenticated and user.role == Role.COUNTY_VIEWER:
        return user.county_id
    return None
