"""A whole week at once: copy a week into another, publish a week.

Set-based (a few statements per weekday, ``INSERT … SELECT`` for the invitations, one
``UPDATE`` to publish), so that a national week — about 1,100 sessions and 340,000
invitations — copies and publishes in seconds (``bench/national_week.py``).
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from app import audit
from app.database import utcnow
from app.errors import Conflict, Invalid, RuleViolation
from app.extensions import db
from programs.catalog.models import Instructor, Program
from programs.rooms.models import VideoRoom
from programs.schedule import calendar_rules as rules
from programs.schedule import scope as session_scope
from programs.schedule.models import Session, SessionCenter
from programs.schedule.overlap import minutes, overlaps
from programs.schedule.services import lock_days, refuse_overlap, skip_entry
from programs.schedule.weeks import parse_week, week_of

# --- publish --------------------------------------------------------------------------------------


@dataclass
class _Draft:
    id: int
    target: date


def publish_week(user, week: str, source: str = "api") -> dict[str, Any]:
    """Publish the drafts of the ISO week with one UPDATE; answers ``{published, skipped}``.

    The rules are checked again, set-based, because the calendar may have changed since a
    draft was made: a draft on a day that became a holiday or a closure, or whose centers
    left their support period, stays a draft and is reported like a skipped copy.
    """
    session_scope.require_scheduler(user)
    monday = parse_week(week)
    db.session.flush()
    lock_days(monday + timedelta(days=i) for i in range(7))
    s, c = Session.__table__, rules.centers_table()
    in_week = sa.and_(s.c.date.between(monday, monday + timedelta(days=6)), s.c.status == "draft")
    drafts = [
        _Draft(r.id, r.date)
        for r in db.session.execute(
            sa.select(s.c.id, s.c.date).where(in_week).order_by(s.c.date, s.c.id)
        )
    ]
    skipped: list[dict[str, Any]] = []

    def skip(draft: _Draft, exc) -> None:
        skipped.append(skip_entry(draft.target, exc, session_id=draft.id))

    by_day: dict[date, list[_Draft]] = defaultdict(list)
    for draft in drafts:
        by_day[draft.target].append(draft)
    for day, day_drafts in sorted(by_day.items()):
        violation = rules.date_rule_violation(day)
        if violation is not None:
            for draft in day_drafts:
                skip(draft, violation)
            continue
        day_filter = sa.and_(s.c.date == day, s.c.status == "draft", c.c.active.is_(True))
        kept = _skip_closed(day_drafts, day, day_filter, skip)
        _skip_outside_support(kept, day, day_filter, skip)

    count = 0
    if len(skipped) < len(drafts):
        now = utcnow()
        held = sorted(x["session_id"] for x in skipped)
        stmt = sa.update(s).where(in_week)
        if held:
            stmt = stmt.where(s.c.id.not_in(held))
        try:
            result = db.session.execute(
                stmt.values(
                    status="published",
                    published_at=sa.func.coalesce(s.c.published_at, now),
                    version=s.c.version + 1,
                    updated_at=now,
                )
            )
        except IntegrityError as exc:
            refuse_overlap(exc)
        count = result.rowcount or 0
        for obj in list(db.session.identity_map.values()):
            if isinstance(obj, Session):
                db.session.expire(obj)
    audit.record(
        user,
        "week.publish",
        "week",
        None,
        after={"week": week_of(monday), "published": count, "held": len(skipped)},
        source=source,
        note=week_of(monday),
    )
    return {"published": count, "skipped": skipped}


# --- copy -----------------------------------------------------------------------------------------


@dataclass
class _Source:
    id: int
    program_id: int
    instructor_id: int
    date: date
    start_time: Any
    duration_minutes: int
    note: str
    target: date


def copy_week(user, from_week: str, to_week: str, source: str = "api") -> dict[str, list]:
    """Copy every non-cancelled session of ``from_week`` (draft or published) to the same
    weekday of ``to_week`` as drafts, with the same centers (active ones) and a new room.

    What cannot be scheduled is skipped, one ``{date, reason, session_id}`` per source session:
    ``weekend``, ``holiday``, ``closed``, ``outside_support_period``, ``conflict`` (with the
    clashing sessions), ``invalid`` (retired program or instructor, no active center left).
    """
    session_scope.require_scheduler(user)
    src_monday = parse_week(from_week, "from_week")
    dst_monday = parse_week(to_week, "week")
    if src_monday == dst_monday:
        raise Invalid("from_week", _l("같은 주로는 복사할 수 없습니다."))
    shift = dst_monday - src_monday
    db.session.flush()
    lock_days(dst_monday + timedelta(days=i) for i in range(7))

    s, c = Session.__table__, rules.centers_table()
    src_days = sa.and_(
        s.c.date.between(src_monday, src_monday + timedelta(days=6)), s.c.status != "cancelled"
    )
    sources = [
        _Source(
            r.id,
            r.program_id,
            r.instructor_id,
            r.date,
            r.start_time,
            r.duration_minutes,
            r.note or "",
            r.date + shift,
        )
        for r in db.session.execute(
            sa.select(
                s.c.id,
                s.c.program_id,
                s.c.instructor_id,
                s.c.date,
                s.c.start_time,
                s.c.duration_minutes,
                s.c.note,
            )
            .where(src_days)
            .order_by(s.c.date, s.c.start_time, s.c.id)
        )
    ]
    skipped: list[dict[str, Any]] = []
    if not sources:
        return {"created": [], "skipped": skipped}

    active_programs = set(db.session.scalars(sa.select(Program.id).where(Program.active.is_(True))))
    active_instructors = set(
        db.session.scalars(sa.select(Instructor.id).where(Instructor.active.is_(True)))
    )
    without_centers = _sessions_without_active_centers(src_days)
    sharing = _sources_sharing_centers(src_days)

    def skip(src: _Source, exc, **extra) -> None:
        skipped.append(skip_entry(src.target, exc, session_id=src.id, **extra))

    by_day: dict[date, list[_Source]] = defaultdict(list)
    for src in sources:
        by_day[src.date].append(src)

    accepted: list[_Source] = []
    for src_day, day_sources in sorted(by_day.items()):
        target = src_day + shift
        violation = rules.date_rule_violation(target)
        candidates = []
        for src in day_sources:
            if violation is not None:
                skip(src, violation)
            elif src.program_id not in active_programs:
                skip(src, Invalid("program_id", _l("운영을 마친 프로그램입니다.")))
            elif src.instructor_id not in active_instructors:
                skip(src, Invalid("instructor_id", _l("활동을 마친 강사입니다.")))
            elif src.id in without_centers:
                skip(src, Invalid("center_ids", _l("운영하는 초대 경로당이 없습니다.")))
            else:
                candidates.append(src)
        if not candidates:
            continue
        day_filter = sa.and_(s.c.date == src_day, s.c.status != "cancelled", c.c.active.is_(True))
        candidates = _skip_closed(candidates, target, day_filter, skip)
        candidates = _skip_outside_support(candidates, target, day_filter, skip)
        accepted.extend(_skip_conflicts(candidates, src_day, target, sharing, skip))

    created = _insert_copies(accepted)
    audit.record(
        user,
        "week.copy",
        "week",
        None,
        source=source,
        note=week_of(dst_monday),
        after={
            "from_week": week_of(src_monday),
            "week": week_of(dst_monday),
            "created": len(created),
            "skipped": len(skipped),
        },
    )
    return {"created": created, "skipped": skipped}


def _invitations_where(day_filter, condition) -> list[tuple[int, int]]:
    s, sc, c = Session.__table__, SessionCenter.__table__, rules.centers_table()
    stmt = (
        sa.select(sc.c.session_id, sc.c.center_id)
        .select_from(sc.join(s, s.c.id == sc.c.session_id).join(c, c.c.id == sc.c.center_id))
        .where(day_filter, condition)
    )
    return [(r.session_id, r.center_id) for r in db.session.execute(stmt)]


def _skip_closed(candidates, target: date, day_filter, skip):
    closures = [x for x in rules.closures_between(target, target) if x.county_id or x.center_id]
    if not closures:
        return candidates
    c = rules.centers_table()
    center_ids = {x.center_id for x in closures if x.center_id}
    county_ids = {x.county_id for x in closures if x.county_id}
    hits = _invitations_where(
        day_filter, sa.or_(c.c.id.in_(center_ids or [-1]), c.c.county_id.in_(county_ids or [-1]))
    )
    closed: dict[int, list[int]] = defaultdict(list)
    for session_id, center_id in hits:
        closed[session_id].append(center_id)
    kept = []
    for src in candidates:
        if src.id not in closed:
            kept.append(src)
            continue
        rows = rules.center_rows(closed[src.id])
        closure = next(x for x in closures if rules.closure_applies(x, rows.values()))
        skip(src, rules._closed(target, closure, rules.closed_centers(closure, rows.values())))
    return kept


def _skip_outside_support(candidates, target: date, day_filter, skip):
    county_t = rules.counties_table()
    uncovered = set(db.session.scalars(sa.select(county_t.c.id))) - rules.covered_county_ids(target)
    if not uncovered:
        return candidates
    c = rules.centers_table()
    outside: dict[int, list[int]] = defaultdict(list)
    for session_id, center_id in _invitations_where(
        day_filter, c.c.county_id.in_(sorted(uncovered))
    ):
        outside[session_id].append(center_id)
    kept = []
    for src in candidates:
        if src.id in outside:
            skip(
                src,
                RuleViolation(
                    "outside_support_period",
                    _l("지원 기간이 아닌 경로당이 있습니다."),
                    date=target.isoformat(),
                    center_ids=sorted(outside[src.id]),
                ),
            )
        else:
            kept.append(src)
    return kept


def _sessions_without_active_centers(src_days) -> set[int]:
    """Source sessions none of whose invited centers is active (usually none: two index
    lookups, not a scan of every invitation)."""
    s, sc, c = Session.__table__, SessionCenter.__table__, rules.centers_table()
    empty = set(
        db.session.scalars(
            sa.select(s.c.id).where(src_days, ~sa.exists().where(sc.c.session_id == s.c.id))
        )
    )
    touched = set(
        db.session.scalars(
            sa.select(sc.c.session_id)
            .distinct()
            .select_from(sc.join(s, s.c.id == sc.c.session_id).join(c, c.c.id == sc.c.center_id))
            .where(src_days, c.c.active.is_(False))
        )
    )
    if touched:
        with_active = (
            set(
                db.session.scalars(
                    sa.select(sc.c.session_id)
                    .distinct()
                    .select_from(
                        sc.join(s, s.c.id == sc.c.session_id).join(c, c.c.id == sc.c.center_id)
                    )
                    .where(src_days, c.c.active.is_(True), sc.c.session_id.in_(sorted(touched)))
                )
            )
            if len(touched) <= rules.MAX_IN_IDS
            else set(
                db.session.scalars(
                    sa.select(sc.c.session_id)
                    .distinct()
                    .select_from(
                        sc.join(s, s.c.id == sc.c.session_id).join(c, c.c.id == sc.c.center_id)
                    )
                    .where(src_days, c.c.active.is_(True))
                )
            )
        )
        empty |= touched - with_active
    return empty


def _sources_sharing_centers(src_days) -> dict[int, set[int]]:
    """Pairs of source sessions on the same day inviting a common center. One aggregate
    finds the (center, day) pairs with more than one session — none in a typical week —
    and only those are expanded."""
    s, sc = Session.__table__, SessionCenter.__table__
    busy = db.session.execute(
        sa.select(sc.c.center_id, s.c.date)
        .select_from(sc.join(s, s.c.id == sc.c.session_id))
        .where(src_days)
        .group_by(sc.c.center_id, s.c.date)
        .having(sa.func.count() > 1)
    ).all()
    if not busy:
        return {}
    wanted = {(row.center_id, row.date) for row in busy}
    centers = sorted({center_id for center_id, _ in wanted})
    stmt = (
        sa.select(sc.c.session_id, sc.c.center_id, s.c.date)
        .select_from(sc.join(s, s.c.id == sc.c.session_id))
        .where(src_days)
    )
    if len(centers) <= rules.MAX_IN_IDS:
        stmt = stmt.where(sc.c.center_id.in_(centers))
    rows = [row for row in db.session.execute(stmt) if (row.center_id, row.date) in wanted]
    groups: dict[tuple, set[int]] = defaultdict(set)
    for row in rows:
        groups[(row.center_id, row.date)].add(row.session_id)
    sharing: dict[int, set[int]] = defaultdict(set)
    for ids in groups.values():
        for one in ids:
            sharing[one] |= ids - {one}
    return sharing


def _targets_sharing_centers(src_day: date, target: date) -> dict[int, set[int]]:
    """Source sessions of ``src_day`` and existing ones of ``target`` inviting a common center."""
    s, sc = Session.__table__, SessionCenter.__table__
    a, b = sc.alias("a"), sc.alias("b")
    sa_, sb = s.alias("sa"), s.alias("sb")
    rows = db.session.execute(
        sa.select(a.c.session_id, b.c.session_id.label("other_id"))
        .select_from(
            a.join(b, a.c.center_id == b.c.center_id)
            .join(sa_, sa_.c.id == a.c.session_id)
            .join(sb, sb.c.id == b.c.session_id)
        )
        .where(
            sa_.c.date == src_day,
            sa_.c.status != "cancelled",
            sb.c.date == target,
            sb.c.status != "cancelled",
        )
        .distinct()
    ).all()
    sharing: dict[int, set[int]] = defaultdict(set)
    for row in rows:
        sharing[row.session_id].add(row.other_id)
    return sharing


def _skip_conflicts(candidates, src_day: date, target: date, source_sharing, skip):
    """Greedy, in start-time order: a copy clashing (same instructor or a shared center, times
    overlapping) with a session already on the target day, or with an earlier copy, is skipped."""
    s = Session.__table__
    existing = db.session.execute(
        sa.select(s.c.id, s.c.instructor_id, s.c.start_time, s.c.duration_minutes).where(
            s.c.date == target, s.c.status != "cancelled"
        )
    ).all()
    target_sharing = _targets_sharing_centers(src_day, target) if existing else {}

    placed: list[tuple[int, int, int, int, bool]] = [  # (id, instructor, start, minutes, is_copy)
        (e.id, e.instructor_id, minutes(e.start_time), e.duration_minutes, False) for e in existing
    ]
    kept = []
    for src in sorted(candidates, key=lambda x: (x.start_time, x.id)):
        start = minutes(src.start_time)
        shared = source_sharing.get(src.id, set()) | target_sharing.get(src.id, set())
        clashes = [
            (pid, is_copy)
            for pid, instr, pstart, plen, is_copy in placed
            if (instr == src.instructor_id or pid in shared)
            and overlaps(start, src.duration_minutes, pstart, plen)
        ]
        if clashes:
            skip(
                src,
                Conflict(
                    _l("같은 시간에 강사나 경로당이 이미 다른 수업에 있습니다."),
                    sessions=[pid for pid, is_copy in clashes if not is_copy],
                    copied_from=[pid for pid, is_copy in clashes if is_copy],
                ),
            )
            continue
        placed.append((src.id, src.instructor_id, start, src.duration_minutes, True))
        kept.append(src)
    return kept


def _insert_copies(accepted: list[_Source]) -> list[int]:
    """Insert the sessions, their rooms, and (one INSERT … SELECT through a temporary map of
    source → new id) their active centers' invitations."""
    if not accepted:
        return []
    s, sc, rooms, c = (
        Session.__table__,
        SessionCenter.__table__,
        VideoRoom.__table__,
        rules.centers_table(),
    )
    now = utcnow()
    new_ids = list(
        db.session.execute(
            sa.insert(s).returning(s.c.id, sort_by_parameter_order=True),
            [
                {
                    "program_id": x.program_id,
                    "instructor_id": x.instructor_id,
                    "date": x.target,
                    "start_time": x.start_time,
                    "duration_minutes": x.duration_minutes,
                    "status": "draft",
                    "version": 1,
                    "sequence": 0,
                    "note": x.note,
                    "created_at": now,
                    "updated_at": now,
                }
                for x in accepted
            ],
        ).scalars()
    )
    db.session.execute(
        sa.insert(rooms),
        [
            {
                "session_id": sid,
                "name": VideoRoom.generate_name(),
                "created_at": now,
                "updated_at": now,
            }
            for sid in new_ids
        ],
    )
    mapping = sa.Table(
        f"copy_map_{secrets.token_hex(6)}",
        sa.MetaData(),
        sa.Column("src_id", sa.Integer, primary_key=True),
        sa.Column("new_id", sa.Integer),
        prefixes=["TEMPORARY"],
    )
    connection = db.session.connection()
    postgres = connection.dialect.name == "postgresql"
    mapping.create(connection)
    try:
        connection.execute(
            sa.insert(mapping),
            [{"src_id": x.id, "new_id": nid} for x, nid in zip(accepted, new_ids, strict=True)],
        )
        if postgres:
            # Give the planner the map's real size, and skip JIT compilation (it costs more
            # than it saves on a statement like this one).
            connection.execute(sa.text(f"ANALYZE {mapping.name}"))
            connection.execute(sa.text("SET LOCAL jit = off"))
            connection.execute(sa.text("SET LOCAL work_mem = '32MB'"))
        rows = (
            sa.select(mapping.c.new_id, sc.c.center_id)
            .select_from(sc.join(mapping, mapping.c.src_id == sc.c.session_id))
            # In center order: the foreign-key checks and the center index then walk their
            # pages in order (about twice as fast on PostgreSQL as the join's own order).
            .order_by(sc.c.center_id, mapping.c.new_id)
        )
        if db.session.scalar(sa.select(c.c.id).where(c.c.active.is_(False)).limit(1)) is not None:
            rows = rows.join(c, c.c.id == sc.c.center_id).where(c.c.active.is_(True))
        connection.execute(sa.insert(sc).from_select(["session_id", "center_id"], rows))
    finally:
        mapping.drop(connection)
    return new_ids
