"""County attendance reports: the ONE service behind the dashboard, the center page, the API and
the exports. Every figure is API.md's "A report" definition, computed in the database with
GROUP BY over the (session × invited center) pairs:

- ``sessions``       sessions with at least one invited center in scope
- ``invited``        session × invited-center pairs
- ``attended`` / ``absent`` / ``technical_issue`` / ``excused``   records by status
- ``upcoming``       pairs of sessions not yet ended (start + duration > now, the app's clock)
                     without a status: not yet held, so neither unreported nor in the rate
- ``unreported``     ``invited`` minus records with a status minus ``upcoming``
- ``headcount``      sum of the records' headcounts (연인원)
- ``members``        distinct members on the records' member lists (marked present)
- ``participation_rate``  attended ÷ (invited − upcoming − technical_issue − excused), 0 when
                     that is 0

Only sessions with status ``published`` count (drafts and cancelled sessions never do), over the
centers in the caller's scope (:func:`app.auth.policy.scope_report`), in an inclusive period.
Dashboard extras: ``average_headcount`` (headcount of attended records ÷ attended records) and
:func:`silent_centers` (centers that have not joined for 5 or more scheduled days).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from app import clock
from app.errors import Invalid
from app.extensions import db
from centers.attendance.models import Attendance, AttendanceMember, AttendanceStatus
from centers.directory import scope as center_scope
from centers.directory.models import Center, County
from centers.members.models import Member
from centers.reports import scope as report_scope
from programs.catalog.models import CATEGORIES, Category, Instructor, Program
from programs.schedule.models import Session, SessionCenter

GROUPS = ("center", "program", "category", "week")
INTERNAL_GROUPS = GROUPS + ("county", "session")
FIGURES = (
    "sessions",
    "invited",
    "attended",
    "absent",
    "technical_issue",
    "excused",
    "upcoming",
    "unreported",
    "headcount",
    "members",
    "participation_rate",
)
STATUSES = AttendanceStatus.values()
SILENT_DAYS = 5
SILENT_LOOKBACK_DAYS = 60
MAX_PERIOD_DAYS = 366 * 5

S = Session.__table__
SC = SessionCenter.__table__
C = Center.__table__
CN = County.__table__
P = Program.__table__
I = Instructor.__table__  # noqa: E741
A = Attendance.__table__
AM = AttendanceMember.__table__


# --- periods and filters ------------------------------------------------------------------


def month_range(day: date) -> tuple[date, date]:
    start = day.replace(day=1)
    following = (start + timedelta(days=32)).replace(day=1)
    return start, following - timedelta(days=1)


def quarter_range(day: date) -> tuple[date, date]:
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = date(day.year, first_month, 1)
    _, end = month_range(date(day.year, first_month + 2, 1))
    return start, end


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class Filters:
    """What a report covers, after the scope checks. ``county``/``center`` are None for "all"."""

    start: date
    end: date
    county: County | None = None
    center: Center | None = None
    category: str | None = None

    def as_args(self) -> dict:
        """The query string that reproduces these filters (links, exports)."""
        args = {"from": self.start.isoformat(), "to": self.end.isoformat()}
        if self.county is not None:
            args["county_id"] = self.county.id
        if self.center is not None:
            args["center_id"] = self.center.id
        if self.category:
            args["category"] = self.category
        return args


def resolve(
    user,
    *,
    county_id: int | None = None,
    center_id: int | None = None,
    category: str | None = None,
    start: date | None = None,
    end: date | None = None,
) -> Filters:
    """Check scope and arguments: a county or center outside the user's scope is 403 (404 if it
    does not exist). The period defaults to the current month in Seoul."""
    report_scope.require_report_access(user)
    if start is None and end is None:
        start, end = month_range(clock.today())
    elif start is None:
        start = month_range(end)[0]
    elif end is None:
        end = month_range(start)[1]
    if start > end:
        raise Invalid("to", _l("기간의 끝이 시작보다 빠릅니다."))
    if (end - start).days > MAX_PERIOD_DAYS:
        raise Invalid("from", _l("기간은 5년을 넘을 수 없습니다."))
    if category is not None and category not in CATEGORIES:
        raise Invalid("category")
    county = center_scope.get_county(user, county_id) if county_id is not None else None
    center = center_scope.get_center(user, center_id) if center_id is not None else None
    if county is not None and center is not None and center.county_id != county.id:
        raise Invalid("center_id", _l("선택한 경로당이 그 군에 없습니다."))
    if center is not None:
        county = center.county
    if county is None and center_scope.own_county_id(user) is not None:
        county = center_scope.get_county(user, center_scope.own_county_id(user))
    if center is None and center_scope.own_center_id(user) is not None:
        center = center_scope.own_center(user)
        county = center.county
    return Filters(start=start, end=end, county=county, center=center, category=category)


# --- SQL building blocks ------------------------------------------------------------------


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def week_start(column):
    """The Monday of the ISO week of a date column, in the database."""
    if _dialect() == "postgresql":
        return sa.cast(sa.func.date_trunc("week", column), sa.Date)
    return sa.func.date(column, "weekday 0", "-6 days")


def month_start(column):
    if _dialect() == "postgresql":
        return sa.cast(sa.func.date_trunc("month", column), sa.Date)
    return sa.func.strftime("%Y-%m-01", column)


def as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def minutes_of_day(column):
    """Minutes since midnight of a time column, in the database."""
    if _dialect() == "postgresql":
        return sa.cast(
            sa.extract("hour", column) * 60 + sa.extract("minute", column), sa.Integer
        )
    return sa.cast(sa.func.strftime("%H", column), sa.Integer) * 60 + sa.cast(
        sa.func.strftime("%M", column), sa.Integer
    )


def not_ended(now=None, *, day=None, ends=None):
    """THE rule of when a session is held: once start + duration <= now (the application's
    clock, Seoul wall time). This is its SQL form: true for sessions not yet ended. A session
    lasts at most 240 minutes, so only today's and yesterday's need the arithmetic. ``day`` and
    ``ends`` (minutes after that day's midnight) default to the sessions' own columns."""
    now = (now or clock.now()).astimezone(clock.SEOUL)
    today = now.date()
    minute = now.hour * 60 + now.minute  # ends > now ⟺ ends > whole minutes of now
    if day is None:
        day, ends = S.c.date, minutes_of_day(S.c.start_time) + S.c.duration_minutes
    return sa.or_(
        day > today,
        sa.and_(day == today, ends > minute),
        sa.and_(day == today - timedelta(days=1), ends > minute + 24 * 60),
    )


def has_ended(session, now=None) -> bool:
    """The same rule for one loaded session."""
    return session.ends_at <= (now or clock.now())


def _figure_columns() -> list:
    status = A.c.status
    return [
        sa.func.count(sa.distinct(S.c.id)).label("sessions"),
        sa.func.count().label("invited"),
        *[sa.func.count(A.c.id).filter(status == s).label(s) for s in STATUSES],
        sa.func.count(status).label("reported"),
        sa.func.count().filter(sa.and_(status.is_(None), not_ended())).label("upcoming"),
        sa.func.coalesce(sa.func.sum(A.c.headcount), 0).label("headcount"),
        sa.func.coalesce(sa.func.sum(A.c.headcount).filter(status == "attended"), 0).label(
            "attended_headcount"
        ),
    ]


def _group_columns(group_by: str | None) -> tuple[list, list, list]:
    """(key/label columns, GROUP BY columns, ORDER BY columns) for a grouping."""
    if group_by is None:
        return [], [], []
    if group_by == "center":
        cols = [
            C.c.id.label("key"),
            C.c.name.label("label"),
            C.c.county_id.label("county_id"),
            CN.c.name.label("county"),
        ]
        return cols, [C.c.id, C.c.name, C.c.county_id, CN.c.name], [CN.c.name, C.c.name, C.c.id]
    if group_by == "county":
        cols = [CN.c.id.label("key"), CN.c.name.label("label"), CN.c.province.label("province")]
        return cols, [CN.c.id, CN.c.name, CN.c.province], [CN.c.province, CN.c.name, CN.c.id]
    if group_by == "program":
        cols = [P.c.id.label("key"), P.c.title.label("label"), P.c.category.label("category")]
        return cols, [P.c.id, P.c.title, P.c.category], [P.c.category, P.c.title, P.c.id]
    if group_by == "category":
        return [P.c.category.label("key")], [P.c.category], [P.c.category]
    if group_by == "week":
        week = week_start(S.c.date)
        return [week.label("key")], [week], [week]
    if group_by == "session":
        cols = [
            S.c.id.label("key"),
            S.c.date.label("date"),
            S.c.start_time.label("start_time"),
            S.c.duration_minutes.label("duration_minutes"),
            P.c.title.label("label"),
            P.c.category.label("category"),
            I.c.name.label("instructor"),
        ]
        group = [
            S.c.id,
            S.c.date,
            S.c.start_time,
            S.c.duration_minutes,
            P.c.title,
            P.c.category,
            I.c.name,
        ]
        return cols, group, [S.c.date, S.c.start_time, S.c.id]
    raise Invalid("group_by")


def grouping_masks(parts: dict, groupings: list[str], with_totals: bool) -> tuple[list, dict]:
    """For several grouping sets in one statement: the ``grouping_mask`` column (none for a
    single set) and which grouping (None: the totals) each of its values stands for. ``parts``
    maps a grouping to its (columns, GROUP BY expressions)."""
    masks: dict = {}
    if len(groupings) + (1 if with_totals else 0) > 1:
        flags = [parts[g][1][0] for g in groupings]
        for g in groupings:
            bits = ["0" if any(f is c for c in parts[g][1]) else "1" for f in flags]
            masks[int("".join(bits), 2)] = g
        masks[2 ** len(flags) - 1] = None
        return [sa.func.grouping(*flags).label("grouping_mask")], masks
    if groupings:
        masks[0] = groupings[0]
    return [], masks


def group_by_sets(stmt: sa.Select, parts: dict, groupings: list[str], with_totals: bool,
                  *, ordered: bool) -> sa.Select:
    """GROUP BY the groupings' sets (and the empty set for the totals), or by the one grouping,
    then in its order when ``ordered``."""
    if len(groupings) + (1 if with_totals else 0) > 1:
        sets = [sa.tuple_(*parts[g][1]) for g in groupings]
        if with_totals:
            sets.append(sa.tuple_())
        return stmt.group_by(sa.func.grouping_sets(*sets))
    if groupings:
        stmt = stmt.group_by(*parts[groupings[0]][1])
        if ordered:
            stmt = stmt.order_by(*parts[groupings[0]][2])
    return stmt


def _statement(
    user,
    filters: Filters,
    groupings: list[str],
    *,
    members: bool = False,
    with_totals: bool = False,
) -> tuple[sa.Select, dict]:
    """The figures over the invited pairs (or, with ``members``, the distinct members marked
    present) for the filters, grouped by each of ``groupings``.

    One grouping and no totals: a plain ``GROUP BY``. Otherwise (PostgreSQL) one pass with
    ``GROUP BY GROUPING SETS ((grouping 1), (grouping 2), …, ())`` — the totals row is the
    empty set — and a ``grouping_mask`` column telling the sets apart. Columns are labelled
    ``<grouping>__<field>``. Returns the statement and {mask: grouping} (None: the totals)."""
    parts = {g: _group_columns(g) for g in groupings}
    if members:
        # Driven from the records through their index (center_id, session_date): records
        # exist for invited centers only (recording checks the invitation), so the
        # invitations need not be joined again.
        joined = (
            A.join(S, S.c.id == A.c.session_id)
            .join(C, C.c.id == A.c.center_id)
            .join(AM, AM.c.attendance_id == A.c.id)
        )
        figures = [sa.func.count(sa.distinct(AM.c.member_id)).label("members")]
    else:
        joined = (
            SC.join(S, S.c.id == SC.c.session_id)
            .join(C, C.c.id == SC.c.center_id)
            .outerjoin(
                A, sa.and_(A.c.session_id == SC.c.session_id, A.c.center_id == SC.c.center_id)
            )
        )
        figures = _figure_columns()
    if {"center", "county"} & set(groupings):
        joined = joined.join(CN, CN.c.id == C.c.county_id)
    if filters.category or {"program", "category", "session"} & set(groupings):
        joined = joined.join(P, P.c.id == S.c.program_id)
    if "session" in groupings:
        joined = joined.join(I, I.c.id == S.c.instructor_id)
    columns = [
        col.element.label(f"{g}__{col.name}") for g, part in parts.items() for col in part[0]
    ]
    columns += figures
    mask_columns, masks = grouping_masks(parts, groupings, with_totals)
    columns += mask_columns
    stmt = (
        sa.select(*columns)
        .select_from(joined)
        .where(S.c.status == "published", S.c.date.between(filters.start, filters.end))
    )
    if members:
        stmt = stmt.where(A.c.session_date.between(filters.start, filters.end))
    if filters.county is not None:
        stmt = stmt.where(C.c.county_id == filters.county.id)
    if filters.center is not None:
        stmt = stmt.where(C.c.id == filters.center.id)
    if filters.category:
        stmt = stmt.where(P.c.category == filters.category)
    stmt = group_by_sets(stmt, parts, groupings, with_totals, ordered=not members)
    return _scoped(stmt, user, filters), masks


def _scoped(stmt: sa.Select, user, filters: Filters) -> sa.Select:
    return report_scope.scope_report(
        stmt,
        user,
        county_id=filters.county.id if filters.county is not None else None,
        center_id=filters.center.id if filters.center is not None else None,
    )


def finish(counts, members: int) -> dict:
    """API.md's figures from the raw counts of one group (or the totals)."""
    counts = {k: counts[k] or 0 for k in EMPTY}
    invited = counts["invited"]
    attended = counts["attended"]
    upcoming = counts["upcoming"]
    denominator = invited - upcoming - counts["technical_issue"] - counts["excused"]
    return {
        "sessions": counts["sessions"],
        "invited": invited,
        "attended": attended,
        "absent": counts["absent"],
        "technical_issue": counts["technical_issue"],
        "excused": counts["excused"],
        "upcoming": upcoming,
        "unreported": invited - counts["reported"] - upcoming,
        "headcount": int(counts["headcount"]),
        "members": members,
        "participation_rate": round(attended / denominator, 4) if denominator > 0 else 0.0,
        "average_headcount": round(int(counts["attended_headcount"]) / attended, 1)
        if attended
        else 0.0,
    }


EMPTY = {
    "sessions": 0,
    "invited": 0,
    "attended": 0,
    "absent": 0,
    "technical_issue": 0,
    "excused": 0,
    "reported": 0,
    "upcoming": 0,
    "headcount": 0,
    "attended_headcount": 0,
}


def _row_label(group_by: str, row) -> str:
    if group_by == "category":
        # lazy: rendered in the request's language
        return Category(row["key"]).lazy_label if row["key"] in CATEGORIES else row["key"]
    if group_by == "week":
        monday = as_date(row["key"])
        return f"{iso_week(monday)} ({monday:%m.%d}–{monday + timedelta(days=4):%m.%d})"
    return row["label"]


SORT_KEYS = {
    "center": lambda r: (r["county"], r["label"], r["key"]),
    "county": lambda r: (r["province"], r["label"], r["key"]),
    "program": lambda r: (r["category"], r["label"], r["key"]),
    "category": lambda r: r["key"],
    "week": lambda r: r["week_start"],
    "session": lambda r: (str(r["date"]), str(r["start_time"]), r["key"]),
}


def _fields(group_by: str, row) -> dict:
    prefix = f"{group_by}__"
    return {k[len(prefix) :]: v for k, v in row.items() if k.startswith(prefix)}


def _compute_many(
    user, filters: Filters, groupings: list[str], *, want_totals: bool = True, live=None
) -> tuple[dict | None, dict[str, list[dict]]]:
    """(totals, {grouping: rows}), from the rollups (:mod:`centers.reports.rollup_report`)
    unless ``live`` (default: the ``REPORT_ROLLUPS`` setting off) or the grouping is by
    session. Live, on PostgreSQL two statements in all (figures and members, each one pass
    with GROUPING SETS); elsewhere two per grouping and two for the totals."""
    for g in groupings:
        if g not in INTERNAL_GROUPS:
            raise Invalid("group_by")
    if live is None:
        live = not current_app.config.get("REPORT_ROLLUPS", True)
    if not live:
        from centers.reports import rollup_report

        if rollup_report.supports(groupings):
            return rollup_report.compute_many(user, filters, groupings, want_totals=want_totals)
    if _dialect() != "postgresql" and (len(groupings) > 1 or (groupings and want_totals)):
        results = {
            g: _compute_many(user, filters, [g], want_totals=False, live=True)[1][g]
            for g in groupings
        }
        return (_compute_many(user, filters, [], live=True)[0] if want_totals else None), results
    stmt, masks = _statement(user, filters, groupings, members=True, with_totals=want_totals)
    members: dict = {}
    for row in db.session.execute(stmt).mappings():
        g = masks.get(row.get("grouping_mask", 0)) if masks else None
        members[(g, row[f"{g}__key"] if g else None)] = row["members"]
    stmt, masks = _statement(user, filters, groupings, with_totals=want_totals)
    total_counts = None
    results: dict[str, list[dict]] = {g: [] for g in groupings}
    for row in db.session.execute(stmt).mappings():
        g = masks.get(row.get("grouping_mask", 0)) if masks else None
        if g is None:
            total_counts = row
            continue
        fields = _fields(g, row)
        key = fields.pop("key")
        label_fields = {"key": key, **fields}
        out = {
            "key": key,
            "label": _row_label(g, label_fields),
            **{k: v for k, v in fields.items() if k != "label"},
            **finish(row, members.get((g, key), 0)),
        }
        if g == "week":
            monday = as_date(key)
            out.update(key=iso_week(monday), week_start=monday)
        results[g].append(out)
    if len(groupings) > 1 or (groupings and want_totals):
        for g, rows in results.items():  # GROUPING SETS come unordered
            rows.sort(key=SORT_KEYS[g])
    totals = (
        finish(total_counts if total_counts is not None else EMPTY, members.get((None, None), 0))
        if want_totals
        else None
    )
    return totals, results


def _compute(
    user, filters: Filters, group_by: str | None, *, want_totals: bool = True
) -> tuple[dict | None, list[dict]]:
    """(totals, rows) for one grouping (or none: totals only)."""
    groupings = [group_by] if group_by else []
    report_totals, results = _compute_many(user, filters, groupings, want_totals=want_totals)
    return report_totals, results.get(group_by, []) if group_by else []


def grouped(user, filters: Filters, group_by: str) -> list[dict]:
    """One row per group with ``key``, ``label`` and every figure (plus the group's own fields)."""
    return _compute(user, filters, group_by, want_totals=False)[1]


def totals(user, filters: Filters) -> dict:
    return _compute(user, filters, None)[0]


def attendance_report(user, filters: Filters, group_by: str = "center") -> dict:
    """API.md's report: ``{from, to, totals, rows}``."""
    report_totals, rows = _compute(user, filters, group_by)
    return {"from": filters.start, "to": filters.end, "totals": report_totals, "rows": rows}


def member_totals(user, filters: Filters) -> list[dict]:
    """Each member marked present in the period, with how many times: personal data, for the
    callers :func:`policy.can_export_member_names` or :func:`policy.can_see_member_names` allow."""
    M = Member.__table__
    stmt = (
        sa.select(
            C.c.name.label("center"),
            M.c.id,
            M.c.name,
            M.c.birth_year,
            sa.func.count().label("attended"),
        )
        .select_from(
            A.join(S, S.c.id == A.c.session_id)
            .join(C, C.c.id == A.c.center_id)
            .join(AM, AM.c.attendance_id == A.c.id)
            .join(M, M.c.id == AM.c.member_id)
        )
        .where(
            S.c.status == "published",
            S.c.date.between(filters.start, filters.end),
            A.c.session_date.between(filters.start, filters.end),
        )
        .group_by(C.c.name, M.c.id, M.c.name, M.c.birth_year)
        .order_by(C.c.name, M.c.name, M.c.id)
    )
    if filters.county is not None:
        stmt = stmt.where(C.c.county_id == filters.county.id)
    if filters.center is not None:
        stmt = stmt.where(C.c.id == filters.center.id)
    if filters.category:
        stmt = stmt.join(P, P.c.id == S.c.program_id).where(P.c.category == filters.category)
    return [dict(row) for row in db.session.execute(_scoped(stmt, user, filters)).mappings()]


# --- dashboard extras ---------------------------------------------------------------------


def silent_centers(
    user, filters: Filters, *, min_days: int = SILENT_DAYS, as_of: date | None = None
) -> list[dict]:
    """Centers that have not joined for ``min_days`` or more scheduled days, as of the period's
    end (or yesterday, if that is earlier: today's sessions may not be over yet).

    A scheduled day is a date with a published session the center is invited to; joining is a
    record with status ``attended`` or a join time (from the tablet or Jitsi). The streak is
    counted back from the last day over at most ``SILENT_LOOKBACK_DAYS`` calendar days."""
    as_of = as_of or min(filters.end, clock.today() - timedelta(days=1))
    since = as_of - timedelta(days=SILENT_LOOKBACK_DAYS)
    scheduled = (
        sa.select(SC.c.center_id.label("center_id"), S.c.date.label("day"))
        .select_from(SC.join(S, S.c.id == SC.c.session_id).join(C, C.c.id == SC.c.center_id))
        .where(S.c.status == "published", S.c.date.between(since, as_of))
        .distinct()
    )
    joined = (
        sa.select(A.c.center_id.label("center_id"), sa.func.max(A.c.session_date).label("last_day"))
        .select_from(A.join(C, C.c.id == A.c.center_id))
        .where(
            A.c.session_date.between(since, as_of),
            sa.or_(A.c.status == "attended", A.c.joined_at.is_not(None)),
        )
        .group_by(A.c.center_id)
    )
    if filters.county is not None:
        scheduled = scheduled.where(C.c.county_id == filters.county.id)
        joined = joined.where(C.c.county_id == filters.county.id)
    if filters.center is not None:
        scheduled = scheduled.where(C.c.id == filters.center.id)
        joined = joined.where(C.c.id == filters.center.id)
    scheduled = _scoped(scheduled, user, filters).subquery("scheduled")
    joined = _scoped(joined, user, filters).subquery("joined")
    streaks = (
        sa.select(
            scheduled.c.center_id,
            sa.func.count().label("days"),
            sa.func.min(scheduled.c.day).label("first_missed"),
            sa.func.max(joined.c.last_day).label("last_joined"),
        )
        .select_from(scheduled.outerjoin(joined, joined.c.center_id == scheduled.c.center_id))
        .where(sa.or_(joined.c.last_day.is_(None), scheduled.c.day > joined.c.last_day))
        .group_by(scheduled.c.center_id)
        .having(sa.func.count() >= min_days)
    ).subquery("streaks")
    stmt = (
        sa.select(
            C.c.id,
            C.c.name,
            CN.c.name.label("county"),
            streaks.c.days,
            streaks.c.first_missed,
            streaks.c.last_joined,
        )
        .select_from(
            streaks.join(C, C.c.id == streaks.c.center_id).join(CN, CN.c.id == C.c.county_id)
        )
        .order_by(streaks.c.days.desc(), CN.c.name, C.c.name)
    )
    return [
        {
            "center_id": row.id,
            "center": row.name,
            "county": row.county,
            "days": row.days,
            "first_missed": as_date(row.first_missed),
            "last_joined": as_date(row.last_joined) if row.last_joined is not None else None,
            "beyond_lookback": row.last_joined is None,
        }
        for row in db.session.execute(stmt)
    ]


def dashboard(user, filters: Filters) -> dict:
    """Everything the county dashboard shows, from the same queries as the API (on
    PostgreSQL one pass for the totals and all four groupings)."""
    compare_by = "center" if filters.county is not None or filters.center is not None else "county"
    report_totals, rows = _compute_many(user, filters, [compare_by, "week", "category", "program"])
    return {
        "filters": filters,
        "totals": report_totals,
        "compare_by": compare_by,
        "compare": rows[compare_by],
        "weeks": rows["week"],
        "categories": rows["category"],
        "programs": rows["program"],
        "silent": silent_centers(user, filters),
        "as_of": min(filters.end, clock.today() - timedelta(days=1)),
    }
