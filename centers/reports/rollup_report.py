"""The report computed from the rollups: the same figures, rows and order as
:func:`centers.reports.services._compute_many` over the live tables (a property test compares
the two on random histories), from three narrow tables instead of every invitation.

``sessions`` is the one figure whose source depends on the scope: for one center it is its
invitations; for a county, the (session, county) rows of that county; for the whole country,
the distinct sessions of those rows."""

from __future__ import annotations

import sqlalchemy as sa

from app.auth.models import Role
from app.errors import Invalid
from app.extensions import db
from centers.reports import scope as report_scope
from centers.reports import services as live
from centers.reports.models import AttendanceMemberRollup, AttendanceRollup, SessionCountyRollup

R = AttendanceRollup.__table__
MR = AttendanceMemberRollup.__table__
SCR = SessionCountyRollup.__table__
C, CN, P = live.C, live.CN, live.P
GROUPS = ("center", "county", "program", "category", "week")


def supports(groupings) -> bool:
    return all(g in GROUPS for g in groupings)


def _level(filters: live.Filters) -> str:
    if filters.center is not None:
        return "center"
    return "county" if filters.county is not None else "country"


def _group_columns(group_by: str, source, week=None) -> tuple[list, list, list]:
    if group_by == "center":
        cols = [
            C.c.id.label("key"),
            C.c.name.label("label"),
            C.c.county_id.label("county_id"),
            CN.c.name.label("county"),
        ]
        return cols, [C.c.id, C.c.name, C.c.county_id, CN.c.name], [CN.c.name, C.c.name, C.c.id]
    if group_by == "county":
        if source is SCR:  # the session-county table: its own county key
            return [SCR.c.county_id.label("key")], [SCR.c.county_id], [SCR.c.county_id]
        cols = [CN.c.id.label("key"), CN.c.name.label("label"), CN.c.province.label("province")]
        return cols, [CN.c.id, CN.c.name, CN.c.province], [CN.c.province, CN.c.name, CN.c.id]
    if group_by == "program":
        cols = [P.c.id.label("key"), P.c.title.label("label"), P.c.category.label("category")]
        return cols, [P.c.id, P.c.title, P.c.category], [P.c.category, P.c.title, P.c.id]
    if group_by == "category":
        return [P.c.category.label("key")], [P.c.category], [P.c.category]
    if group_by == "week":
        week = live.week_start(SCR.c.day) if source is SCR else week
        return [week.label("key")], [week], [week]
    raise Invalid("group_by")


def _center_scope(user, filters) -> list:
    """The centers the rows may come from, as conditions on ``center_id`` (the report scope of
    :func:`scope.scope_report`, without doubling what the filters already say)."""
    out = []
    if filters.center is not None:
        out.append(lambda col: col == filters.center.id)
    elif filters.county is not None:
        out.append(lambda col: col.in_(sa.select(C.c.id).where(C.c.county_id == filters.county.id)))
    report_scope.require_report_access(user)
    redundant = (user.role == Role.COUNTY_VIEWER and filters.county is not None
                 and filters.county.id == user.county_id) or (
        user.role == Role.CENTER_MANAGER and filters.center is not None
        and filters.center.id == user.center_id)
    clause = None if redundant else report_scope.report_center_clause(user)
    if clause is not None:
        out.append(lambda col: col.in_(sa.select(C.c.id).where(clause)))
    return out


def _inner(user, filters, groupings: list[str], source) -> sa.Subquery:
    """The rows of the period summed (figures) or made distinct (members) per the keys the
    groupings need, before any join: the country's month is 1.4 million daily rows, summed per
    center in one pass, then 68,000 rows meet the centers' names."""
    keys = []
    if {"center", "county"} & set(groupings):
        keys.append(source.c.center_id.label("center_id"))
    if {"program", "category"} & set(groupings):
        keys.append(source.c.program_id.label("program_id"))
    if "week" in groupings:
        keys.append(live.week_start(source.c.day).label("week"))
    where = [source.c.day.between(filters.start, filters.end)]
    if source is MR:
        where.append(MR.c.record_day.between(filters.start, filters.end))
    if filters.category:
        where.append(
            source.c.program_id.in_(sa.select(P.c.id).where(P.c.category == filters.category))
        )
    where += [condition(source.c.center_id) for condition in _center_scope(user, filters)]
    if source is MR:
        return sa.select(*keys, MR.c.member_id).where(*where).distinct().subquery("rolled")
    reported = R.c.attended + R.c.absent + R.c.technical_issue + R.c.excused
    upcoming = sa.case((live.not_ended(day=R.c.day, ends=R.c.ends), R.c.invited - reported), else_=0)
    sums = [
        sa.func.sum(R.c.invited).label("invited"),
        *[sa.func.sum(R.c[s]).label(s) for s in live.STATUSES],
        sa.func.sum(reported).label("reported"),
        sa.func.sum(upcoming).label("upcoming"),
        sa.func.sum(R.c.headcount).label("headcount"),
        sa.func.sum(R.c.attended_headcount).label("attended_headcount"),
    ]
    stmt = sa.select(*keys, *sums).where(*where)
    if keys:
        stmt = stmt.group_by(*[k.element for k in keys])
    return stmt.subquery("rolled")


def _figures(source, inner) -> list:
    if source is MR:
        return [sa.func.count(sa.distinct(inner.c.member_id)).label("members")]
    if source is SCR:
        return [sa.func.count(sa.distinct(SCR.c.session_id)).label("sessions")]
    names = ("invited", *live.STATUSES, "reported", "upcoming", "headcount", "attended_headcount")
    # a sum of sums is NUMERIC on PostgreSQL: back to integers, as the live counts are
    return [sa.cast(sa.func.sum(inner.c[name]), sa.BigInteger).label(name) for name in names]


def _statement(user, filters, groupings: list[str], source, with_totals: bool):
    inner = None
    if source is SCR:
        parts = {g: _group_columns(g, SCR) for g in groupings}
        joined = SCR
        if filters.category or {"program", "category"} & set(groupings):
            joined = joined.join(P, P.c.id == SCR.c.program_id)
    else:
        inner = _inner(user, filters, groupings, source)
        parts = {
            g: _group_columns(g, source, inner.c.week if "week" in inner.c else None)
            for g in groupings
        }
        joined = inner
        if {"center", "county"} & set(groupings):
            joined = joined.join(C, C.c.id == inner.c.center_id).join(CN, CN.c.id == C.c.county_id)
        if {"program", "category"} & set(groupings):
            joined = joined.join(P, P.c.id == inner.c.program_id)
    columns = [
        col.element.label(f"{g}__{col.name}") for g, part in parts.items() for col in part[0]
    ]
    columns += _figures(source, inner)
    mask_columns, masks = live.grouping_masks(parts, groupings, with_totals)
    columns += mask_columns
    stmt = sa.select(*columns).select_from(joined)
    if source is SCR:
        stmt = stmt.where(SCR.c.day.between(filters.start, filters.end))
        if filters.category:
            stmt = stmt.where(P.c.category == filters.category)
        if filters.county is not None:
            stmt = stmt.where(SCR.c.county_id == filters.county.id)
    stmt = live.group_by_sets(stmt, parts, groupings, with_totals, ordered=source is R)
    return stmt, masks


def _keyed(user, filters, groupings, source, with_totals) -> dict:
    stmt, masks = _statement(user, filters, groupings, source, with_totals)
    out: dict = {}
    for row in db.session.execute(stmt).mappings():
        g = masks.get(row.get("grouping_mask", 0)) if masks else None
        key = row[f"{g}__key"] if g else None
        out[(g, live.as_date(key) if g == "week" else key)] = row[source is MR and "members" or "sessions"]
    return out


def compute_many(
    user, filters: live.Filters, groupings: list[str], *, want_totals: bool = True
) -> tuple[dict | None, dict[str, list[dict]]]:
    """(totals, {grouping: rows}), exactly as the live service answers."""
    if live._dialect() != "postgresql" and (len(groupings) > 1 or (groupings and want_totals)):
        results = {g: compute_many(user, filters, [g], want_totals=False)[1][g] for g in groupings}
        return (compute_many(user, filters, [])[0] if want_totals else None), results
    level = _level(filters)
    if level == "country" and live._dialect() == "postgresql":
        # The country's rows are summed per center in memory (the default 4 MB spills them to
        # disk) and JIT compiling costs more than it saves here, as in bulk publishing.
        db.session.execute(sa.text("SET LOCAL work_mem = '64MB'"))
        db.session.execute(sa.text("SET LOCAL jit = off"))
    members = _keyed(user, filters, groupings, MR, want_totals)
    sessions = (
        _keyed(user, filters, [g for g in groupings if g != "center"], SCR, want_totals)
        if level != "center"
        else {}
    )
    stmt, masks = _statement(user, filters, groupings, R, want_totals)
    total_counts = None
    results: dict[str, list[dict]] = {g: [] for g in groupings}
    for row in db.session.execute(stmt).mappings():
        g = masks.get(row.get("grouping_mask", 0)) if masks else None
        counts = dict(row)
        if g is None:
            counts["sessions"] = row["invited"] if level == "center" else sessions.get((None, None), 0)
            total_counts = counts
            continue
        fields = live._fields(g, row)
        key = fields.pop("key")
        lookup = live.as_date(key) if g == "week" else key
        counts["sessions"] = (
            row["invited"] if level == "center" or g == "center" else sessions.get((g, lookup), 0)
        )
        out = {
            "key": key,
            "label": live._row_label(g, {"key": key, **fields}),
            **{k: v for k, v in fields.items() if k != "label"},
            **live.finish(counts, members.get((g, lookup), 0)),
        }
        if g == "week":
            monday = live.as_date(key)
            out.update(key=live.iso_week(monday), week_start=monday)
        results[g].append(out)
    if len(groupings) > 1 or (groupings and want_totals):
        for g, rows in results.items():
            rows.sort(key=live.SORT_KEYS[g])
    if total_counts is not None and total_counts["invited"] is None:
        total_counts = None  # GROUPING SETS' empty set over no rows
    totals = (
        live.finish(
            total_counts if total_counts is not None else live.EMPTY,
            members.get((None, None), 0),
        )
        if want_totals
        else None
    )
    return totals, results
