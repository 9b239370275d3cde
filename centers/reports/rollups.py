"""Recomputing the rollups from the base tables: a slice of (center, day) pairs or of sessions
after a write (:mod:`centers.reports.rollup_sync`), or a whole period (``flask reports
rebuild-rollups``). A slice is deleted and inserted again from one aggregate over the same
rows the live report reads, so the two cannot drift apart and running it twice changes
nothing."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from centers.attendance.models import Attendance, AttendanceMember
from centers.directory.models import Center
from centers.reports.models import AttendanceMemberRollup, AttendanceRollup, SessionCountyRollup
from programs.schedule.models import Session, SessionCenter

S = Session.__table__
SC = SessionCenter.__table__
A = Attendance.__table__
AM = AttendanceMember.__table__
C = Center.__table__
R = AttendanceRollup.__table__
MR = AttendanceMemberRollup.__table__
SCR = SessionCountyRollup.__table__

CHUNK = 400  # pairs or ids per statement (bind parameters stay well under SQLite's limit)
STATUS_COLUMNS = ("attended", "absent", "technical_issue", "excused")


def minutes_of_day(connection, column):
    if connection.dialect.name == "postgresql":
        return sa.cast(sa.extract("hour", column) * 60 + sa.extract("minute", column), sa.Integer)
    return sa.cast(sa.func.strftime("%H", column), sa.Integer) * 60 + sa.cast(
        sa.func.strftime("%M", column), sa.Integer
    )


def _figures_select(connection, where) -> sa.Select:
    ends = minutes_of_day(connection, S.c.start_time) + S.c.duration_minutes
    status = A.c.status
    return (
        sa.select(
            SC.c.center_id,
            S.c.date,
            S.c.program_id,
            ends,
            sa.func.count(),
            *[sa.func.count(A.c.id).filter(status == s) for s in STATUS_COLUMNS],
            sa.func.coalesce(sa.func.sum(A.c.headcount), 0),
            sa.func.coalesce(sa.func.sum(A.c.headcount).filter(status == "attended"), 0),
        )
        .select_from(
            SC.join(S, S.c.id == SC.c.session_id).outerjoin(
                A, sa.and_(A.c.session_id == SC.c.session_id, A.c.center_id == SC.c.center_id)
            )
        )
        .where(S.c.status == "published", *where)
        .group_by(SC.c.center_id, S.c.date, S.c.program_id, ends)
    )


def _invitations_select(connection, where) -> sa.Select:
    """:func:`_figures_select` for sessions without a single record (drafts just published):
    the invitations alone, without reaching into the records."""
    ends = minutes_of_day(connection, S.c.start_time) + S.c.duration_minutes
    zero = sa.literal(0)
    return (
        sa.select(
            SC.c.center_id, S.c.date, S.c.program_id, ends, sa.func.count(),
            *[zero] * (len(STATUS_COLUMNS) + 2),
        )
        .select_from(SC.join(S, S.c.id == SC.c.session_id))
        .where(S.c.status == "published", *where)
        .group_by(SC.c.center_id, S.c.date, S.c.program_id, ends)
    )


def _members_select(where) -> sa.Select:
    return (
        sa.select(A.c.center_id, S.c.date, S.c.program_id, AM.c.member_id, A.c.session_date)
        .select_from(
            A.join(S, S.c.id == A.c.session_id).join(AM, AM.c.attendance_id == A.c.id)
        )
        .where(S.c.status == "published", *where)
        .distinct()
    )


FIGURE_COLUMNS = [
    "center_id", "day", "program_id", "ends", "invited", *STATUS_COLUMNS, "headcount",
    "attended_headcount",
]
MEMBER_COLUMNS = ["center_id", "day", "program_id", "member_id", "record_day"]


def _pair_filters(pairs: list[tuple[int, date]], center_col, day_col) -> list:
    """(center, day) IN (...), with the centers and days alone too so the planner can use
    the indexes on them."""
    return [
        center_col.in_(sorted({c for c, _ in pairs})),
        day_col.in_(sorted({d for _, d in pairs})),
        sa.tuple_(center_col, day_col).in_(pairs),
    ]


def refresh_pairs(connection, pairs: Iterable[tuple[int, date]]) -> None:
    """Recompute the daily figures and member rows of these (center, session day) pairs."""
    pairs = sorted(set(pairs))
    for i in range(0, len(pairs), CHUNK):
        chunk = pairs[i : i + CHUNK]
        connection.execute(R.delete().where(*_pair_filters(chunk, R.c.center_id, R.c.day)))
        connection.execute(MR.delete().where(*_pair_filters(chunk, MR.c.center_id, MR.c.day)))
        connection.execute(
            R.insert().from_select(
                FIGURE_COLUMNS,
                _figures_select(connection, _pair_filters(chunk, SC.c.center_id, S.c.date)),
            )
        )
        connection.execute(
            MR.insert().from_select(
                MEMBER_COLUMNS, _members_select(_pair_filters(chunk, A.c.center_id, S.c.date))
            )
        )


def refresh_days_of_sessions(connection, session_ids: Iterable[int]) -> None:
    """Recompute every (center, day) the given sessions invite, set-based (a week's publish
    touches a few hundred thousand pairs): the pairs go to a temporary table with a key, so
    each statement meets them through an index whatever the planner thinks of rows this very
    transaction has just written; the days (a handful) are given as values."""
    ids = sorted(set(session_ids))
    pairs = sa.Table(
        f"rollup_pairs_{secrets.token_hex(6)}",
        sa.MetaData(),
        sa.Column("center_id", sa.Integer, primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        prefixes=["TEMPORARY"],
    )
    pairs.create(connection)
    try:
        for i in range(0, len(ids), CHUNK * 10):
            chunk = ids[i : i + CHUNK * 10]
            found = (
                sa.select(SC.c.center_id, S.c.date)
                .select_from(SC.join(S, S.c.id == SC.c.session_id))
                .where(S.c.id.in_(chunk))
                .except_(sa.select(pairs.c.center_id, pairs.c.day))
            )
            connection.execute(pairs.insert().from_select(["center_id", "day"], found))
        if connection.dialect.name == "postgresql":
            connection.execute(sa.text(f"ANALYZE {pairs.name}"))
        days = sorted(connection.execute(sa.select(pairs.c.day).distinct()).scalars())
        listed = sa.select(pairs.c.center_id, pairs.c.day)
        for table in (R, MR):
            connection.execute(
                table.delete().where(
                    table.c.day.in_(days), sa.tuple_(table.c.center_id, table.c.day).in_(listed)
                )
            )
        connection.execute(
            R.insert().from_select(
                FIGURE_COLUMNS,
                _figures_select(
                    connection,
                    [S.c.date.in_(days), sa.tuple_(SC.c.center_id, S.c.date).in_(listed)],
                ),
            )
        )
        connection.execute(
            MR.insert().from_select(
                MEMBER_COLUMNS,
                _members_select(
                    [S.c.date.in_(days), sa.tuple_(A.c.center_id, S.c.date).in_(listed)]
                ),
            )
        )
    finally:
        pairs.drop(connection)


def add_sessions(connection, session_ids: Iterable[int]) -> None:
    """Add sessions that counted nowhere until now (drafts just published) to the rollups: one
    upsert of their own invitations' sums, driven by the session ids alone; the rest of each
    (center, day) is already right."""
    ids = sorted(set(session_ids))
    dialect = connection.dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    for i in range(0, len(ids), CHUNK * 10):
        chunk = ids[i : i + CHUNK * 10]
        recorded = connection.execute(
            sa.select(A.c.id).where(A.c.session_id.in_(chunk)).limit(1)
        ).first()
        source = (
            _figures_select(connection, [S.c.id.in_(chunk)])
            if recorded is not None
            else _invitations_select(connection, [S.c.id.in_(chunk)])
        )
        stmt = insert(R).from_select(FIGURE_COLUMNS, source)
        summed = FIGURE_COLUMNS[4:]
        connection.execute(
            stmt.on_conflict_do_update(
                index_elements=FIGURE_COLUMNS[:4],
                set_={name: R.c[name] + stmt.excluded[name] for name in summed},
            )
        )
        if recorded is not None:
            stmt = insert(MR).from_select(MEMBER_COLUMNS, _members_select([S.c.id.in_(chunk)]))
            connection.execute(stmt.on_conflict_do_nothing(index_elements=MEMBER_COLUMNS))
    refresh_sessions(connection, ids)


def _counties_select(where) -> sa.Select:
    return (
        sa.select(S.c.id, C.c.county_id, S.c.date, S.c.program_id)
        .select_from(S.join(SC, SC.c.session_id == S.c.id).join(C, C.c.id == SC.c.center_id))
        .where(S.c.status == "published", *where)
        .distinct()
    )


COUNTY_COLUMNS = ["session_id", "county_id", "day", "program_id"]


def refresh_sessions(connection, session_ids: Iterable[int]) -> None:
    """Recompute which counties each of these sessions counts in (none unless published)."""
    ids = sorted(set(session_ids))
    for i in range(0, len(ids), CHUNK * 10):
        chunk = ids[i : i + CHUNK * 10]
        connection.execute(SCR.delete().where(SCR.c.session_id.in_(chunk)))
        connection.execute(
            SCR.insert().from_select(COUNTY_COLUMNS, _counties_select([S.c.id.in_(chunk)]))
        )


def pairs_of_sessions(connection, session_ids: Iterable[int]) -> list[tuple[int, date]]:
    ids = sorted(set(session_ids))
    found: list[tuple[int, date]] = []
    for i in range(0, len(ids), CHUNK * 10):
        found += [
            (row.center_id, row.date)
            for row in connection.execute(
                sa.select(SC.c.center_id, S.c.date)
                .select_from(SC.join(S, S.c.id == SC.c.session_id))
                .where(S.c.id.in_(ids[i : i + CHUNK * 10]))
            )
        ]
    return found


def rebuild(connection, start: date | None = None, end: date | None = None) -> dict[str, int]:
    """Every rollup row of sessions dated in [start, end] (both optional), from scratch."""

    def period(column):
        out = []
        if start is not None:
            out.append(column >= start)
        if end is not None:
            out.append(column <= end)
        return out

    for table in (R, MR, SCR):
        connection.execute(table.delete().where(*period(table.c.day)))
    connection.execute(
        R.insert().from_select(FIGURE_COLUMNS, _figures_select(connection, period(S.c.date)))
    )
    connection.execute(MR.insert().from_select(MEMBER_COLUMNS, _members_select(period(S.c.date))))
    connection.execute(SCR.insert().from_select(COUNTY_COLUMNS, _counties_select(period(S.c.date))))
    return {
        table.name: connection.execute(
            sa.select(sa.func.count()).select_from(table).where(*period(table.c.day))
        ).scalar_one()
        for table in (R, MR, SCR)
    }


def months_between(connection, start: date | None, end: date | None) -> list[tuple[date, date]]:
    """The period cut into calendar months (default: from the first session to the last), so
    a national rebuild goes a month per statement and commit."""
    if start is None or end is None:
        first, last = connection.execute(sa.select(sa.func.min(S.c.date), sa.func.max(S.c.date))).one()
        if first is None:
            return []
        start, end = start or _as_date(first), end or _as_date(last)
    out, day = [], start
    while day <= end:
        following = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
        out.append((day, min(end, following - timedelta(days=1))))
        day = following
    return out


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])

