"""Reading weeks: the sessions a user may see between two dates, and a week's days with their
holidays, closures and sessions. Copying and publishing a week live in :mod:`programs.bulk`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.auth import policy
from app.extensions import db
from centers.directory import scope as center_scope
from programs.schedule import calendar_rules as rules
from programs.schedule import scope as session_scope
from programs.schedule.models import Closure, Session, SessionCenter
from programs.schedule.weeks import parse_week, week_of

# --- reading ------------------------------------------------------------------------------------


def sessions_between(
    user,
    start: date | None,
    end: date | None,
    *,
    center_id: int | None = None,
    instructor_id: int | None = None,
    status: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[Session]:
    """Sessions the user may see (``start``/``end`` inclusive, either may be None), by date and
    time; a center or instructor filter outside the user's scope answers 403."""
    stmt = (
        sa.select(Session)
        .options(selectinload(Session.invitations), selectinload(Session.room))
        .order_by(Session.date, Session.start_time, Session.id)
    )
    if start is not None:
        stmt = stmt.where(Session.date >= start)
    if end is not None:
        stmt = stmt.where(Session.date <= end)
    if center_id is not None:
        center_scope.get_center(user, center_id)
        stmt = stmt.where(
            Session.id.in_(
                sa.select(SessionCenter.session_id).where(SessionCenter.center_id == center_id)
            )
        )
    if instructor_id is not None:
        session_scope.require_instructor_in_scope(user, instructor_id)
        stmt = stmt.where(Session.instructor_id == instructor_id)
    if status is not None:
        stmt = stmt.where(Session.status == status)
    stmt = session_scope.scope_sessions(stmt, user)
    if offset:
        stmt = stmt.offset(offset)
    if limit:
        stmt = stmt.limit(limit)
    return list(db.session.scalars(stmt))


@dataclass
class DayView:
    date: date
    holiday: str | None
    closures: list[Closure]
    closed: bool
    sessions: list[Session] = field(default_factory=list)


@dataclass
class WeekView:
    week: str
    monday: date
    status: str
    days: list[DayView]

    @property
    def previous(self) -> str:
        return week_of(self.monday - timedelta(days=7))

    @property
    def next(self) -> str:
        return week_of(self.monday + timedelta(days=7))

    @property
    def start_times(self) -> list:
        return sorted({s.start_time for d in self.days for s in d.sessions})


def _visible_closures(user, closures: list[Closure]) -> list[Closure]:
    if policy.is_staff(user):
        return closures
    centers = center_scope.visible_center_id_set(user) or set()
    counties = {row.county_id for row in rules.center_rows(centers).values()}
    return [
        c
        for c in closures
        if (c.county_id is None and c.center_id is None)
        or c.center_id in centers
        or c.county_id in counties
    ]


def _closed_for(user, closures: list[Closure]) -> bool:
    """Closed everywhere; for a center manager also its center's or county's closure; for a
    county viewer its county's."""
    center_id = center_scope.own_center_id(user)
    county_id = center_scope.own_county_id(user)
    if center_id is not None:
        row = rules.center_rows([center_id]).get(center_id)
        county_id = row.county_id if row else None
    for c in closures:
        if c.county_id is None and c.center_id is None:
            return True
        if center_id is not None and c.center_id == center_id:
            return True
        if county_id is not None and c.county_id == county_id:
            return True
    return False


def week_status(sessions: list[Session]) -> str:
    """``empty`` (no session), ``draft`` (some drafts), else ``published``."""
    if not sessions:
        return "empty"
    return "draft" if any(s.status == "draft" for s in sessions) else "published"


def week_view(user, week: str) -> WeekView:
    monday = parse_week(week)
    friday = monday + timedelta(days=4)
    sessions = sessions_between(user, monday, friday)
    by_day: dict[date, list[Session]] = defaultdict(list)
    for s in sessions:
        by_day[s.date].append(s)
    days = []
    for info in rules.days_info(monday, friday):
        closures = _visible_closures(user, info.closures)
        days.append(
            DayView(
                info.date, info.holiday, closures, _closed_for(user, closures), by_day[info.date]
            )
        )
    return WeekView(week_of(monday), monday, week_status(sessions), days)
