"""Every role and scope rule lives here. Views and services ask; they never decide.

Scope: admins and coordinators see everything; a county viewer sees its county; a center
manager (and a paired tablet) sees its center; an instructor sees its own sessions and the
centers invited to them. Functions that filter take a ``Select`` and return it narrowed.
"""

from collections.abc import Iterable

import sqlalchemy as sa

from app.auth.models import Role, User
from app.errors import Forbidden, NotFound
from app.extensions import db

STAFF = (Role.ADMIN, Role.COORDINATOR)


def is_admin(user: User) -> bool:
    return user.is_authenticated and user.role == Role.ADMIN


def is_staff(user: User) -> bool:
    """Admins and coordinators: every county, every center, drafts included."""
    return user.is_authenticated and user.role in STAFF


def require_role(user: User, *roles: str) -> None:
    if not user.is_authenticated:
        from app.errors import Unauthorized

        raise Unauthorized()
    if user.role not in roles:
        raise Forbidden()


def require_staff(user: User) -> None:
    require_role(user, *STAFF)


def require_admin(user: User) -> None:
    require_role(user, Role.ADMIN)


# --- counties and centers -------------------------------------------------------------


def visible_center_ids(user: User) -> sa.Select | None:
    """A subquery of the center ids the user may read, or ``None`` for every center."""
    from centers.models import Center
    from programs.models import Session, SessionCenter

    if is_staff(user):
        return None
    if user.role == Role.COUNTY_VIEWER:
        return sa.select(Center.id).where(Center.county_id == user.county_id)
    if user.role == Role.CENTER_MANAGER:
        return sa.select(Center.id).where(Center.id == user.center_id)
    if user.role == Role.INSTRUCTOR:
        return (
            sa.select(SessionCenter.center_id)
            .join(Session, Session.id == SessionCenter.session_id)
            .where(Session.instructor_id == user.instructor_id, Session.status != "draft")
            .distinct()
        )
    return sa.select(Center.id).where(sa.false())


def scope_centers(stmt: sa.Select, user: User) -> sa.Select:
    from centers.models import Center

    ids = visible_center_ids(user)
    return stmt if ids is None else stmt.where(Center.id.in_(ids))


def visible_county_ids(user: User) -> sa.Select | None:
    from centers.models import Center

    if is_staff(user):
        return None
    if user.role == Role.COUNTY_VIEWER:
        return sa.select(sa.literal(user.county_id))
    ids = visible_center_ids(user)
    return sa.select(Center.county_id).where(Center.id.in_(ids)).distinct()


def scope_counties(stmt: sa.Select, user: User) -> sa.Select:
    from centers.models import County

    ids = visible_county_ids(user)
    return stmt if ids is None else stmt.where(County.id.in_(ids))


def can_read_center(user: User, center_id: int) -> bool:
    ids = visible_center_ids(user)
    if ids is None:
        return True
    return center_id in set(db.session.scalars(ids))


def get_county(user: User, county_id: int):
    """The county, or 404 if it does not exist, 403 if it is outside the user's scope."""
    from centers.models import County

    county = db.session.get(County, county_id)
    if county is None:
        raise NotFound()
    ids = visible_county_ids(user)
    if ids is not None and county.id not in set(db.session.scalars(ids)):
        raise Forbidden()
    return county


def get_center(user: User, center_id: int):
    """The center, or 404 if it does not exist, 403 if it is outside the user's scope."""
    from centers.models import Center

    center = db.session.get(Center, center_id)
    if center is None:
        raise NotFound()
    if not can_read_center(user, center.id):
        raise Forbidden()
    return center


def can_manage_center(user: User, center) -> bool:
    """Write to a center's own data (members, attendance): its manager or staff."""
    if is_staff(user):
        return True
    return user.role == Role.CENTER_MANAGER and user.center_id == center.id


def require_center_manager_or_staff(user: User, center) -> None:
    if not can_manage_center(user, center):
        raise Forbidden()


def can_see_member_names(user: User, center) -> bool:
    """Personal data: staff, the center's manager, and the viewer of the center's county."""
    if can_manage_center(user, center):
        return True
    return user.role == Role.COUNTY_VIEWER and user.county_id == center.county_id


# --- sessions -------------------------------------------------------------------------


def scope_sessions(stmt: sa.Select, user: User) -> sa.Select:
    """Non-staff see published (and cancelled-after-publishing) sessions within their scope."""
    from programs.models import Session, SessionCenter

    if is_staff(user):
        return stmt
    stmt = stmt.where(Session.published_at.is_not(None))
    if user.role == Role.INSTRUCTOR:
        return stmt.where(Session.instructor_id == user.instructor_id)
    ids = visible_center_ids(user)
    invited = sa.select(SessionCenter.session_id).where(SessionCenter.center_id.in_(ids))
    return stmt.where(Session.id.in_(invited))


def require_ids_in_scope(user: User, center_ids: Iterable[int]) -> None:
    for center_id in center_ids:
        get_center(user, center_id)


# --- reports, exports and care follow-ups (issue #6) ----------------------------------------

REPORT_ROLES = (Role.ADMIN, Role.COORDINATOR, Role.COUNTY_VIEWER, Role.CENTER_MANAGER)
CARE_ROLES = (Role.ADMIN, Role.COORDINATOR, Role.COUNTY_VIEWER)


def require_report_access(user: User) -> None:
    """Attendance figures: staff (every county), county viewers (own county), center managers
    (own center). Instructors have no report."""
    require_role(user, *REPORT_ROLES)


def scope_report(stmt: sa.Select, user: User, *, county_id: int | None = None,
                 center_id: int | None = None) -> sa.Select:
    """Narrow a report statement (it joins ``centers``) to the centers the user may read.

    ``county_id``/``center_id`` say what the statement already filters on (checked in scope by
    :func:`get_county`/:func:`get_center`): when that is exactly the user's scope, the same
    predicate is not added twice (a doubled predicate misleads the planner's estimates).
    Reports count published sessions only, so the drafts that ``scope_sessions`` hides from
    non-staff never enter a figure; the center scope is the whole rule."""
    require_report_access(user)
    if user.role == Role.COUNTY_VIEWER and county_id is not None and county_id == user.county_id:
        return stmt
    if user.role == Role.CENTER_MANAGER and center_id is not None and center_id == user.center_id:
        return stmt
    clause = report_center_clause(user)
    return stmt if clause is None else stmt.where(clause)


def report_center_clause(user: User):
    """The report scope as a predicate on ``centers`` (None: every center). The same rule as
    :func:`visible_center_ids` for these roles, written so the planner can use the indexes."""
    from centers.models import Center

    if is_staff(user):
        return None
    if user.role == Role.COUNTY_VIEWER:
        return Center.county_id == user.county_id
    if user.role == Role.CENTER_MANAGER:
        return Center.id == user.center_id
    return sa.false()


def can_export_member_names(user: User, county=None) -> bool:
    """Member names in downloaded files: staff always; a county viewer only for its own county
    and only where the deployment allows it (``REPORT_EXPORT_MEMBER_NAMES_TO_COUNTY``)."""
    from flask import current_app

    if is_staff(user):
        return True
    allowed = current_app.config.get("REPORT_EXPORT_MEMBER_NAMES_TO_COUNTY")
    if user.role != Role.COUNTY_VIEWER or not allowed:
        return False
    return county is not None and county.id == user.county_id


def require_care_access(user: User) -> None:
    require_role(user, *CARE_ROLES)


def scope_follow_ups(stmt: sa.Select, user: User) -> sa.Select:
    """Care follow-ups: staff see all; a county viewer its county's."""
    from centers.models import FollowUp

    require_care_access(user)
    if is_staff(user):
        return stmt
    return stmt.where(FollowUp.county_id == user.county_id)


def get_follow_up(user: User, follow_up_id: int):
    """The follow-up, or 404 if missing, 403 if it belongs to another county."""
    from centers.models import FollowUp

    require_care_access(user)
    item = db.session.get(FollowUp, follow_up_id)
    if item is None:
        raise NotFound()
    if not is_staff(user) and item.county_id != user.county_id:
        raise Forbidden()
    return item
