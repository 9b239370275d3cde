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


def require_token_owner_or_admin(user: User, token) -> None:
    """Admins revoke any token; a user only their own (another user's answers 404)."""
    if is_admin(user):
        return
    if not user.is_authenticated or token.user_id != user.id:
        raise NotFound()


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


# --- video rooms, tablets and presence (issue 4) ----------------------------------------


def get_joinable_session(user: User, session_id: int, center_id: int | None = None):
    """The session ``user`` may enter, and the center they enter for: ``(session, center)``.

    ``center`` is the center the user joins as (its tablet or manager, or a coordinator who
    names an invited center); ``None`` when the user joins as the session's instructor or as a
    coordinator, both moderators. Other roles, or another center: 403. No such session, one
    outside the user's scope, or a center that is not invited: 404. A draft or cancelled
    session the user can see: 422 ``invalid`` (``details.field: "session"``).
    """
    from flask_babel import lazy_gettext as _l

    from app.errors import Invalid, Unauthorized
    from programs.models import Session

    if not user.is_authenticated:
        raise Unauthorized()
    if user.role not in (*STAFF, Role.INSTRUCTOR, Role.CENTER_MANAGER):
        raise Forbidden()
    center = None
    if user.role == Role.CENTER_MANAGER:
        center = get_center(user, user.center_id if center_id is None else center_id)
    elif user.role == Role.INSTRUCTOR:
        if center_id is not None:
            raise Forbidden()
    elif center_id is not None:
        center = get_center(user, center_id)
    session = db.session.get(Session, session_id)
    if session is None:
        raise NotFound()
    visible = scope_sessions(sa.select(Session.id).where(Session.id == session.id), user)
    if db.session.scalar(visible) is None:
        raise NotFound()
    if center is not None and center.id not in session.center_ids:
        raise NotFound()
    if session.status != "published":
        raise Invalid("session", _l("게시되지 않았거나 취소된 수업입니다."))
    return session, center


def joins_as_moderator(user: User, session, center) -> bool:
    """Only the session's instructor and coordinators moderate; centers are participants."""
    if center is not None:
        return False
    if is_staff(user):
        return True
    return user.role == Role.INSTRUCTOR and user.instructor_id == session.instructor_id


def can_watch_presence(user: User, session) -> bool:
    """Who is in the room right now: staff and the session's instructor."""
    if is_staff(user):
        return True
    return user.role == Role.INSTRUCTOR and user.instructor_id == session.instructor_id


def get_watchable_session(user: User, session_id: int):
    from programs.models import Session

    session = db.session.get(Session, session_id)
    if session is None:
        raise NotFound()
    if not can_watch_presence(user, session):
        visible = scope_sessions(sa.select(Session.id).where(Session.id == session.id), user)
        raise Forbidden() if db.session.scalar(visible) is not None else NotFound()
    return session


def can_replace_room(user: User) -> bool:
    return is_staff(user)


def is_tablet(user: User) -> bool:
    """A paired tablet's own user (it may use its center, not manage other tablets)."""
    from centers.models import TabletDevice

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
    from programs.models import Session, SessionCenter

    get_center(user, center.id)
    invited = sa.select(SessionCenter.session_id).where(SessionCenter.center_id == center.id)
    stmt = stmt.where(Session.id.in_(invited), Session.published_at.is_not(None))
    return scope_sessions(stmt, user)
# --- attendance and members (issue #5) -------------------------------------------------


def can_write_attendance(user: User, center) -> bool:
    """Record or correct a center's attendance: its manager (or its tablet) and staff.
    County viewers and instructors read, never write."""
    return can_manage_center(user, center)


def require_attendance_writer(user: User, center) -> None:
    if not can_write_attendance(user, center):
        raise Forbidden()


def attendance_window_open(user: User, session, now, days: int) -> bool:
    """Managers record and correct until ``days`` after the session ends; staff always."""
    from datetime import timedelta

    if is_staff(user):
        return True
    return now <= session.ends_at + timedelta(days=days)


def scope_attendance(stmt: sa.Select, user: User) -> sa.Select:
    """Attendance records of centers in scope, for sessions the user may see."""
    from centers.models import Attendance
    from programs.models import Session

    if is_staff(user):
        return stmt
    centers = visible_center_ids(user)
    sessions = scope_sessions(sa.select(Session.id), user)
    return stmt.where(Attendance.center_id.in_(centers), Attendance.session_id.in_(sessions))


def attendance_session(user: User, session_id: int):
    """A session whose attendance the user may see: 404 if missing or out of scope."""
    from programs.models import Session

    stmt = scope_sessions(sa.select(Session).where(Session.id == session_id), user)
    session = db.session.scalar(stmt)
    if session is None:
        raise NotFound()
    return session


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


# --- weekly schedules (issue 3): programs, instructors, sessions, weeks, closures, feeds -------


def can_schedule(user: User) -> bool:
    """Build, change and publish sessions; keep programs, instructors and closures."""
    return is_staff(user)


def require_scheduler(user: User) -> None:
    require_staff(user)


def session_visible(user: User, session_id: int) -> bool:
    """Whether ``user`` may read the session (drafts only for staff)."""
    from programs.models import Session

    stmt = scope_sessions(sa.select(Session.id).where(Session.id == session_id), user)
    return db.session.scalar(stmt) is not None


def get_session(user: User, session_id: int):
    """The session, or 404 (missing, or a draft outside the user's sight), or 403 (published
    but outside the user's scope)."""
    from programs.models import Session

    session = db.session.get(Session, session_id)
    if session is None:
        raise NotFound()
    if is_staff(user):
        return session
    if session.published_at is None:
        raise NotFound()
    if not session_visible(user, session_id):
        raise Forbidden()
    return session


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


def require_instructor_in_scope(user: User, instructor_id: int) -> None:
    """An instructor may filter by, and read, only themself; others are not restricted."""
    if user.role == Role.INSTRUCTOR and user.instructor_id != instructor_id:
        raise Forbidden()


def can_manage_instructor_calendar(user: User, instructor_id: int) -> bool:
    """See and rotate an instructor's calendar key: staff, or the instructor."""
    return is_staff(user) or (user.role == Role.INSTRUCTOR and user.instructor_id == instructor_id)


def can_manage_center_calendar(user: User, center) -> bool:
    """Rotate a center's calendar key: staff, or the center's manager."""
    return can_manage_center(user, center)


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
