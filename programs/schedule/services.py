"""Sessions: create, change, cancel, reschedule, repeat; conflicts. Copy and publish a whole
week live in :mod:`programs.weekly`.

Services take the user, check the rules on the server, flush and never commit. Every session
gets its video room when it is made. Changes to a published session are audited and raise its
calendar ``sequence``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, time, timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app import audit
from app.database import advisory_lock, utcnow
from app.errors import Conflict, Invalid, RuleViolation, Stale
from app.extensions import db
from programs.catalog.models import DURATION_MINUTES, Instructor, Program
from programs.schedule import calendar_rules as rules
from programs.schedule import rulebook
from programs.schedule import scope as session_scope
from programs.schedule.models import OVERLAP_CONSTRAINT, Session, SessionCenter
from programs.schedule.overlap import minutes

MAX_REPEAT_DAYS = 366
LATEST_END = 24 * 60  # a session ends the day it starts


# --- snapshots (audit) -------------------------------------------------------------------------


def snapshot(session: Session) -> dict[str, Any]:
    return {
        "program_id": session.program_id,
        "instructor_id": session.instructor_id,
        "date": session.date.isoformat(),
        "start": session.start_time.strftime("%H:%M"),
        "duration_minutes": session.duration_minutes,
        "status": session.status,
        "center_ids": session.center_ids,
        "note": session.note,
        "cancel_reason": session.cancel_reason,
        "sequence": session.sequence,
    }


# --- field checks --------------------------------------------------------------------------------


def active_program(program_id: int) -> Program:
    program = db.session.get(Program, program_id)
    if program is None:
        raise Invalid("program_id", _l("프로그램이 없습니다."))
    if not program.active:
        raise Invalid("program_id", _l("운영을 마친 프로그램입니다."))
    return program


def active_instructor(instructor_id: int) -> Instructor:
    instructor = db.session.get(Instructor, instructor_id)
    if instructor is None:
        raise Invalid("instructor_id", _l("강사가 없습니다."))
    if not instructor.active:
        raise Invalid("instructor_id", _l("활동을 마친 강사입니다."))
    return instructor


def check_time(start: time, duration_minutes: int) -> None:
    if duration_minutes not in DURATION_MINUTES:
        raise Invalid("duration_minutes", _l("수업 길이는 10분에서 240분 사이여야 합니다."))
    if minutes(start) + duration_minutes > LATEST_END:
        raise Invalid("start", _l("수업은 자정 전에 끝나야 합니다."))
    rules.check_hours(start, duration_minutes)


def check_centers(center_ids: Sequence[int]) -> dict[int, rules.CenterRow]:
    """Every id names an active center; answers the centers by id."""
    if not center_ids:
        raise Invalid("center_ids", _l("초대할 경로당을 한 곳 이상 고르세요."))
    rows = rules.center_rows(center_ids)
    unknown = sorted(set(center_ids) - set(rows))
    if unknown:
        raise Invalid("center_ids", _l("없는 경로당입니다."), center_ids=unknown)
    inactive = sorted(cid for cid in set(center_ids) if not rows[cid].active)
    if inactive:
        raise Invalid(
            "center_ids", _l("운영하지 않는 경로당은 초대할 수 없습니다."), center_ids=inactive
        )
    return rows


# --- conflicts ----------------------------------------------------------------------------------

# The advisory lock namespace of "who books sessions on a day" (the key is the day's ordinal).
SCHEDULE_LOCK = 0x5E55


def lock_days(days: Iterable[date]) -> None:
    """Every path that books, moves or publishes sessions takes the lock of each day it touches
    before it checks for conflicts, so two concurrent requests cannot both find the slot free
    and book an instructor or a center twice (PostgreSQL; see ``ex_sessions_instructor_overlap``
    for the database's own rule on instructors)."""
    advisory_lock(
        db.session, SCHEDULE_LOCK, (d.toordinal() for d in days), sqlite_table=Session.__table__
    )


def refuse_overlap(exc: IntegrityError) -> None:
    """The exclusion constraint refused an instructor's overlapping published session: 409."""
    if OVERLAP_CONSTRAINT in str(exc.orig):
        raise Conflict(
            _l("같은 시간에 강사나 경로당이 이미 다른 수업에 있습니다."), instructor=True
        ) from None
    raise exc


def find_conflicts(
    day: date,
    start: time,
    duration_minutes: int,
    instructor_id: int,
    center_ids: Iterable[int],
    exclude_ids: Iterable[int] = (),
) -> list[rulebook.Clash]:
    """Non-cancelled sessions overlapping the slot that share its instructor or a center."""
    candidate = rulebook.Candidate(
        0, day, start, duration_minutes, instructor_id, tuple(center_ids), frozenset(exclude_ids)
    )
    return rulebook.clashes([candidate], rulebook.Listed()).get(0, [])


def raise_on_conflicts(
    day: date,
    start: time,
    duration_minutes: int,
    instructor_id: int,
    center_ids: Sequence[int],
    exclude_ids: Iterable[int] = (),
) -> None:
    clashes = find_conflicts(day, start, duration_minutes, instructor_id, center_ids, exclude_ids)
    if clashes:
        raise rulebook.conflict(clashes, instructor_id)


# --- one session ----------------------------------------------------------------------------------


def create_session(
    user,
    *,
    program_id: int,
    instructor_id: int,
    date: date,
    start: time,
    duration_minutes: int | None = None,
    center_ids: Sequence[int] | None = None,
    note: str = "",
    source: str = "api",
    publish: bool = False,
    rescheduled_from_id: int | None = None,
    exclude_ids: Iterable[int] = (),
) -> Session:
    """A new draft (or, with ``publish``, published) session with its video room.

    Without ``center_ids`` every active center whose county's support period covers the date
    is invited.
    """
    session_scope.require_scheduler(user)
    program = active_program(program_id)
    active_instructor(instructor_id)
    duration = duration_minutes or program.duration_minutes
    check_time(start, duration)
    if center_ids is None:
        rulebook.check(rulebook.Candidate(0, date), (rulebook.DAY,))
        center_ids = rules.default_center_ids(date)
    center_ids = sorted(set(center_ids))
    rows = check_centers(center_ids)
    rules.check_day(date, center_ids, rows)
    lock_days([date])
    raise_on_conflicts(date, start, duration, instructor_id, center_ids, exclude_ids)

    now = utcnow()
    session = Session(
        program_id=program_id,
        instructor_id=instructor_id,
        date=date,
        start_time=start,
        duration_minutes=duration,
        status="published" if publish else "draft",
        published_at=now if publish else None,
        note=note or "",
        rescheduled_from_id=rescheduled_from_id,
    )
    session.invitations = [SessionCenter(center_id=cid) for cid in center_ids]
    db.session.add(session)
    try:
        db.session.flush()
    except IntegrityError as exc:
        refuse_overlap(exc)
    audit.record(
        user, "session.create", "session", session.id, after=snapshot(session), source=source
    )
    return session


def _check_version(session: Session, version: int | None) -> None:
    if version is not None and version != session.version:
        raise Stale(current_version=session.version)


def _flush(session: Session) -> None:
    try:
        db.session.flush()
    except StaleDataError:
        raise Stale() from None
    except IntegrityError as exc:
        refuse_overlap(exc)


def _touch(session: Session) -> None:
    """Mark the row changed (its ``version`` goes up); a published session's calendar
    ``sequence`` is raised too."""
    session.updated_at = utcnow()
    if session.published_at is not None:
        session.sequence = (session.sequence or 0) + 1


UPDATABLE = (
    "program_id",
    "instructor_id",
    "date",
    "start",
    "duration_minutes",
    "center_ids",
    "note",
)


def update_session(
    user, session: Session, changes: dict[str, Any], *, version: int | None, source: str = "api"
) -> Session:
    """Change a session; ``version`` must be the one the caller read (else ``stale``)."""
    session_scope.require_scheduler(user)
    if version is None:
        raise Invalid("version", _l("버전이 필요합니다."))
    _check_version(session, version)
    if session.status == "cancelled":
        raise Invalid("status", _l("취소된 수업은 고칠 수 없습니다."))
    before = snapshot(session)

    program_id = changes.get("program_id") or session.program_id
    instructor_id = changes.get("instructor_id") or session.instructor_id
    day = changes.get("date") or session.date
    start = changes.get("start") or session.start_time
    duration = changes.get("duration_minutes") or session.duration_minutes
    note = changes["note"] if changes.get("note") is not None else session.note
    center_ids = (
        sorted(set(changes["center_ids"]))
        if changes.get("center_ids") is not None
        else session.center_ids
    )

    if program_id != session.program_id:
        active_program(program_id)
    if instructor_id != session.instructor_id:
        active_instructor(instructor_id)
    check_time(start, duration)
    added = sorted(set(center_ids) - set(session.center_ids))
    if changes.get("center_ids") is not None:
        if not center_ids:
            raise Invalid("center_ids", _l("초대할 경로당을 한 곳 이상 고르세요."))
        if added:
            check_centers(added)
    if day != session.date:
        rules.check_day(day, center_ids)
    elif added:
        rules.check_day(day, added)
    moved = (day, start, duration, instructor_id) != (
        session.date,
        session.start_time,
        session.duration_minutes,
        session.instructor_id,
    )
    if moved or added:
        lock_days({day, session.date})
        raise_on_conflicts(
            day, start, duration, instructor_id, center_ids, exclude_ids=[session.id]
        )

    session.program_id, session.instructor_id = program_id, instructor_id
    session.date, session.start_time, session.duration_minutes, session.note = (
        day,
        start,
        duration,
        note,
    )
    if changes.get("center_ids") is not None and center_ids != session.center_ids:
        keep = set(center_ids)
        session.invitations = [inv for inv in session.invitations if inv.center_id in keep] + [
            SessionCenter(center_id=cid) for cid in added
        ]
    if snapshot(session) == before:
        return session
    _touch(session)
    _flush(session)
    audit.record(
        user,
        "session.update",
        "session",
        session.id,
        before=before,
        after=snapshot(session),
        source=source,
    )
    return session


def cancel_session(
    user, session: Session, reason: str = "", *, version: int | None = None, source: str = "api"
) -> Session:
    """Cancel: a published session stays visible (as cancelled) with a raised ``sequence``."""
    session_scope.require_scheduler(user)
    _check_version(session, version)
    if session.status == "cancelled":
        raise Invalid("status", _l("이미 취소된 수업입니다."))
    before = snapshot(session)
    session.status = "cancelled"
    session.cancelled_at = utcnow()
    session.cancel_reason = (reason or "").strip() or None
    _touch(session)
    _flush(session)
    audit.record(
        user,
        "session.cancel",
        "session",
        session.id,
        before=before,
        after=snapshot(session),
        source=source,
    )
    return session


def apply_closure(user, closure, *, source: str = "api") -> list[dict[str, Any]]:
    """What a new closure does to the sessions already published on its date (API.md): one
    whose invited centers are then all closed (by this closure and the day's others) is
    cancelled with the closure's reason; one with only some closed loses those invitations.
    Both raise the calendar ``sequence`` and are audited. Drafts are left alone (publishing
    skips them as ``closed``). Returns ``[{session_id, action, center_ids}]``."""
    session_scope.require_scheduler(user)
    published = list(
        db.session.scalars(
            sa.select(Session)
            .where(Session.date == closure.date, Session.status == "published")
            .order_by(Session.start_time, Session.id)
        )
    )
    if not published:
        return []
    closures = rules.closures_between(closure.date, closure.date)
    invited = {cid for s in published for cid in s.center_ids}
    centers = rules.center_rows(invited).values()
    closed_now = set(rules.closed_centers(closure, centers))
    closed_all = {cid for c in closures for cid in rules.closed_centers(c, centers)}
    affected: list[dict[str, Any]] = []
    for session in published:
        hit = sorted(closed_now & set(session.center_ids))
        if not hit:
            continue
        before = snapshot(session)
        if set(session.center_ids) <= closed_all:
            session.status = "cancelled"
            session.cancelled_at = utcnow()
            session.cancel_reason = closure.reason
            action, centers_out, kind = "cancelled", session.center_ids, "session.cancel"
        else:
            session.invitations = [i for i in session.invitations if i.center_id not in hit]
            action, centers_out, kind = "uninvited", hit, "session.uninvite"
        _touch(session)
        _flush(session)
        audit.record(
            user,
            kind,
            "session",
            session.id,
            before=before,
            after={**snapshot(session), "closure_id": closure.id},
            source=source,
        )
        affected.append({"session_id": session.id, "action": action, "center_ids": centers_out})
    return affected


def reschedule_session(
    user,
    session: Session,
    *,
    date: date,
    start: time | None = None,
    duration_minutes: int | None = None,
    reason: str = "",
    version: int | None = None,
    source: str = "api",
) -> Session:
    """A make-up on another day: a new session for the same program, instructor and centers,
    linked by ``rescheduled_from_id``; the original is cancelled (if it is not already).
    The make-up is published right away when the original was published."""
    session_scope.require_scheduler(user)
    _check_version(session, version)
    if date == session.date and (start or session.start_time) == session.start_time:
        raise Invalid("date", _l("다른 날짜나 시간을 고르세요."))
    active_ids = [cid for cid, row in rules.center_rows(session.center_ids).items() if row.active]
    makeup = create_session(
        user,
        program_id=session.program_id,
        instructor_id=session.instructor_id,
        date=date,
        start=start or session.start_time,
        duration_minutes=duration_minutes or session.duration_minutes,
        center_ids=sorted(active_ids),
        note=session.note,
        source=source,
        publish=session.published_at is not None,
        rescheduled_from_id=session.id,
        exclude_ids=[session.id],
    )
    if session.status != "cancelled":
        text = (reason or "").strip() or str(_l("보강 수업으로 옮김"))
        cancel_session(user, session, text, source=source)
    return makeup


# --- repeat ---------------------------------------------------------------------------------------


def repeat_sessions(
    user,
    *,
    program_id: int,
    instructor_id: int,
    start: time,
    weekdays: Sequence[str],
    from_: date,
    until: date,
    duration_minutes: int | None = None,
    center_ids: Sequence[int] | None = None,
    note: str = "",
    source: str = "api",
) -> dict[str, list]:
    """Draft sessions on the chosen weekdays from ``from_`` to ``until`` (inclusive). Dates
    that cannot be scheduled are skipped and reported as ``{date, reason}`` with the rule's code."""
    session_scope.require_scheduler(user)
    codes = [str(w).upper() for w in weekdays]
    if not codes or any(c not in rules.WEEKDAY_CODES for c in codes):
        raise Invalid("weekdays", _l("요일은 MO, TU, WE, TH, FR 중에서 고르세요."))
    if until < from_:
        raise Invalid("until", _l("끝나는 날이 시작하는 날보다 빠릅니다."))
    if (until - from_).days >= MAX_REPEAT_DAYS:
        raise Invalid("until", _l("반복은 1년까지만 만들 수 있습니다."))
    program = active_program(program_id)
    active_instructor(instructor_id)
    check_time(start, duration_minutes or program.duration_minutes)
    if center_ids is not None:
        check_centers(center_ids)

    created: list[int] = []
    skipped: list[dict[str, Any]] = []
    day = from_
    while day <= until:
        if rules.WEEKDAY_CODES[day.weekday()] in codes:
            try:
                session = create_session(
                    user,
                    program_id=program_id,
                    instructor_id=instructor_id,
                    date=day,
                    start=start,
                    duration_minutes=duration_minutes,
                    center_ids=center_ids,
                    note=note,
                    source=source,
                )
                created.append(session.id)
            except (RuleViolation, Conflict) as exc:
                skipped.append(skip_entry(day, exc))
            except Invalid as exc:
                if exc.details.get("field") != "center_ids":
                    raise
                skipped.append(skip_entry(day, exc))
        day += timedelta(days=1)
    return {"created": created, "skipped": skipped}


def skip_entry(day: date, exc, **extra) -> dict[str, Any]:
    return {
        "date": day.isoformat(),
        "reason": exc.code,
        "message": str(exc.message),
        "details": exc.details,
        **extra,
    }
