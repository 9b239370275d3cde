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
from app.errors import Invalid
from app.extensions import db
from programs.catalog.models import Instructor, Program
from programs.rooms.models import VideoRoom
from programs.schedule import calendar_rules as rules
from programs.schedule import changes, rulebook
from programs.schedule import scope as session_scope
from programs.schedule.models import Session, SessionCenter
from programs.schedule.services import lock_days, refuse_overlap, skip_entry
from programs.schedule.weeks import parse_week, week_of

# --- publish --------------------------------------------------------------------------------------


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
    s = Session.__table__
    in_week = sa.and_(s.c.date.between(monday, monday + timedelta(days=6)), s.c.status == "draft")
    rows = db.session.execute(
        sa.select(s.c.id, s.c.date, s.c.start_time, s.c.duration_minutes)
        .where(in_week)
        .order_by(s.c.date, s.c.id)
    ).all()
    stored = rulebook.Stored(lambda day: sa.and_(s.c.date == day, s.c.status == "draft"))
    # The calendar rules again; operating hours may have narrowed too (SESSION_HOURS).
    found = rulebook.first_violations(
        [rulebook.Candidate(r.id, r.date, r.start_time, r.duration_minutes) for r in rows],
        (rulebook.DAY, rulebook.HOURS, rulebook.CLOSED, rulebook.SUPPORT),
        stored,
    )
    dates = {r.id: r.date for r in rows}
    skipped = [
        skip_entry(dates[key], exc, session_id=key)
        for key, exc in sorted(found.items(), key=lambda item: dates[item[0]])
    ]

    count = 0
    if len(skipped) < len(rows):
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
        changes.sessions_changed(r.id for r in rows if r.id not in set(held))
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

    s = Session.__table__
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
    if not sources:
        return {"created": [], "skipped": []}

    active_programs = set(db.session.scalars(sa.select(Program.id).where(Program.active.is_(True))))
    active_instructors = set(
        db.session.scalars(sa.select(Instructor.id).where(Instructor.active.is_(True)))
    )
    without_centers = _sessions_without_active_centers(src_days)
    sharing = _sources_sharing_centers(src_days)

    stored = rulebook.Stored(
        lambda target: sa.and_(s.c.date == target - shift, s.c.status != "cancelled"), sharing
    )
    by_id = {src.id: src for src in sources}
    candidates = {
        src.id: rulebook.Candidate(
            src.id, src.target, src.start_time, src.duration_minutes, src.instructor_id
        )
        for src in sources
    }
    found = rulebook.first_violations(list(candidates.values()), (rulebook.DAY,), stored)
    for src in sources:
        if src.id in found:
            continue
        if src.program_id not in active_programs:
            found[src.id] = Invalid("program_id", _l("운영을 마친 프로그램입니다."))
        elif src.instructor_id not in active_instructors:
            found[src.id] = Invalid("instructor_id", _l("활동을 마친 강사입니다."))
        elif src.id in without_centers:
            found[src.id] = Invalid("center_ids", _l("운영하는 초대 경로당이 없습니다."))
    found.update(
        rulebook.first_violations(
            [c for key, c in candidates.items() if key not in found],
            (rulebook.HOURS, rulebook.CLOSED, rulebook.SUPPORT, rulebook.CONFLICT),
            stored,
        )
    )
    skipped = [
        skip_entry(by_id[key].target, exc, session_id=key)
        for key, exc in sorted(found.items(), key=lambda item: by_id[item[0]].target)
    ]
    accepted = [src for src in sources if src.id not in found]

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


def _sources_sharing_centers(src_days) -> dict[int, dict[int, set[int]]]:
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
    sharing: dict[int, dict[int, set[int]]] = defaultdict(dict)
    for (center_id, _day), ids in groups.items():
        for one in ids:
            for other in ids - {one}:
                sharing[one].setdefault(other, set()).add(center_id)
    return sharing


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
