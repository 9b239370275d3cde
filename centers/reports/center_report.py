"""A center's page: its recent sessions and records, and its members' attendance over time.
The figures themselves come from :mod:`centers.reports` like everywhere else."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from app import clock
from app.extensions import db
from centers.attendance.models import Attendance
from centers.directory.models import Center
from centers.live import services as live
from centers.members import scope as member_scope
from centers.members.models import Member
from centers.reports.services import AM, A, S, as_date, month_range, month_start
from programs.schedule import scope as session_scope
from programs.schedule.models import Session, SessionCenter


def center_records(
    user, center: Center, *, until: date | None = None, limit: int = 20
) -> list[tuple]:
    """The center's latest sessions (published or cancelled after publishing) up to ``until``
    with its record (or None) and the number of members on it."""
    until = until or clock.today()
    member_count = (
        sa.select(sa.func.count()).where(AM.c.attendance_id == Attendance.id).scalar_subquery()
    )
    stmt = (
        sa.select(Session, Attendance, member_count)
        .join(SessionCenter, SessionCenter.session_id == Session.id)
        .outerjoin(
            Attendance,
            sa.and_(Attendance.session_id == Session.id, Attendance.center_id == center.id),
        )
        .where(
            SessionCenter.center_id == center.id,
            Session.date <= until,
            Session.was_published,
        )
        .order_by(Session.date.desc(), Session.start_time.desc())
        .limit(limit)
    )
    stmt = session_scope.scope_sessions(stmt, user)
    return [(s, a, n if a is not None else 0) for s, a, n in db.session.execute(stmt)]


def recent_months(until: date, months: int) -> list[date]:
    """The first day of each of the last ``months`` months up to ``until``, oldest first."""
    first = month_range(until)[0]
    for _ in range(months - 1):
        first = month_range(first - timedelta(days=1))[0]
    month_list = [first]
    while len(month_list) < months:
        month_list.append(month_range(month_list[-1])[1] + timedelta(days=1))
    return month_list


def help_per_month(center: Center, *, months: int = 6, until: date | None = None) -> dict:
    """The center's help requests per month over the last ``months`` months: a center that
    needs help every day needs a visit."""
    until = until or clock.today()
    month_list = recent_months(until, months)
    counts = live.help_by_month(center.id, month_list[0], until)
    return {"months": month_list, "counts": [counts.get(m, 0) for m in month_list]}


def member_attendance(
    user, center: Center, *, months: int = 6, until: date | None = None
) -> dict | None:
    """Each member's attendances per month over the last ``months`` months, beside the number
    of sessions the center attended. None when the user may not see member names."""
    if not member_scope.can_see_member_names(user, center):
        return None
    until = until or clock.today()
    first = month_range(until)[0]
    for _ in range(months - 1):
        first = month_range(first - timedelta(days=1))[0]
    month_list = [first]
    while len(month_list) < months:
        month_list.append(month_range(month_list[-1])[1] + timedelta(days=1))
    month = month_start(A.c.session_date)
    base = (
        sa.select(month.label("month"))
        .select_from(A.join(S, S.c.id == A.c.session_id))
        .where(
            A.c.center_id == center.id,
            A.c.status == "attended",
            S.c.status == "published",
            A.c.session_date.between(first, until),
        )
    )
    held = {
        as_date(row.month): row.n
        for row in db.session.execute(base.add_columns(sa.func.count().label("n")).group_by(month))
    }
    per_member = (
        base.add_columns(AM.c.member_id, sa.func.count().label("n"))
        .join(AM, AM.c.attendance_id == A.c.id)
        .group_by(month, AM.c.member_id)
    )
    counts: dict[int, dict[date, int]] = {}
    for row in db.session.execute(per_member):
        counts.setdefault(row.member_id, {})[as_date(row.month)] = row.n
    members = list(
        db.session.scalars(
            sa.select(Member)
            .where(Member.center_id == center.id)
            .order_by(Member.status, Member.name)
        )
    )
    return {
        "months": month_list,
        "held": [held.get(m, 0) for m in month_list],
        "members": [
            {
                "member": m,
                "counts": [counts.get(m.id, {}).get(mo, 0) for mo in month_list],
                "total": sum(counts.get(m.id, {}).values()),
            }
            for m in members
            if m.status == "active" or m.id in counts
        ],
    }
