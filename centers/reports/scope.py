"""Who may read attendance figures and exports, and with member names or not."""

import sqlalchemy as sa

from app.auth.models import Role, User
from app.auth.policy import is_staff, require_role
from centers.directory.models import Center

REPORT_ROLES = (Role.ADMIN, Role.COORDINATOR, Role.COUNTY_VIEWER, Role.CENTER_MANAGER)
# The dashboard's menu entry; a center's manager reads its figures on the center's page.
DASHBOARD_ROLES = (Role.ADMIN, Role.COORDINATOR, Role.COUNTY_VIEWER)


def can_read_reports(user: User) -> bool:
    return user.is_authenticated and user.role in REPORT_ROLES


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
