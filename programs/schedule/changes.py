"""The one seam that says "the schedule changed here": which centers' days, which centers,
which instructors. Caches (the tablet's day, the calendar feeds) listen and invalidate.

Every ORM write is seen in the flush: a session added, edited, cancelled, rescheduled (its old
and new date), its invitations added or removed, its room replaced; a program's title or
category, an instructor's name or calendar key, a center's name. Writes that bypass the ORM
(the week's publish, a center's calendar key) call :func:`sessions_changed` or
:func:`announce` themselves. Listeners run inside the flush or the service; they should only
queue cache deletes (``cache.invalidate_after_commit``), never write rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy import orm

from app import clock
from app.extensions import db
from centers.directory.models import Center
from programs.catalog.models import Instructor, Program
from programs.schedule.models import Session, SessionCenter

PENDING = "ieum_schedule_changes"
# A program renamed: the days whose caches hold its title (the tablet's window around today).
RENAME_DAYS = (-1, 0, 1)
# A rename reaches the feeds of sessions back to this many days (the feeds' own history).
RENAME_HISTORY_DAYS = 90


@dataclass
class ScheduleChange:
    days: set[tuple[int, date]] = field(default_factory=set)  # (center_id, date)
    centers: set[int] = field(default_factory=set)  # any of the center's days, or its name/key
    instructors: set[int] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.days or self.centers or self.instructors)

    @property
    def all_centers(self) -> set[int]:
        return self.centers | {center_id for center_id, _ in self.days}


_listeners: list[Callable[[ScheduleChange], None]] = []


def listen(fn: Callable[[ScheduleChange], None]) -> None:
    if fn not in _listeners:
        _listeners.append(fn)


def announce(change: ScheduleChange) -> None:
    if change:
        for fn in _listeners:
            fn(change)


def sessions_changed(session_ids: Iterable[int], *, extra: ScheduleChange | None = None) -> None:
    """These sessions changed (their current dates, centers and instructors; ``extra`` adds
    what they were before)."""
    change = extra or ScheduleChange()
    _resolve(change, set(session_ids), {}, {})
    announce(change)


def _resolve(
    change: ScheduleChange,
    ids: set[int],
    old_dates: dict[int, set[date]],
    old_centers: dict[int, set[int]],
) -> None:
    """Every (center, date) of the sessions: current and former centers × current and former dates."""
    if not ids:
        return
    s, sc = Session.__table__, SessionCenter.__table__
    current_dates: dict[int, date] = {}
    centers: dict[int, set[int]] = {i: set(old_centers.get(i, ())) for i in ids}
    for chunk in _chunks(sorted(ids)):
        rows = db.session.execute(
            sa.select(s.c.id, s.c.date, s.c.instructor_id, sc.c.center_id)
            .select_from(s.outerjoin(sc, sc.c.session_id == s.c.id))
            .where(s.c.id.in_(chunk))
        )
        for row in rows:
            current_dates[row.id] = row.date
            change.instructors.add(row.instructor_id)
            if row.center_id is not None:
                centers[row.id].add(row.center_id)
    for session_id in ids:
        dates = set(old_dates.get(session_id, ()))
        if session_id in current_dates:
            dates.add(current_dates[session_id])
        change.days.update((c, d) for c in centers[session_id] for d in dates)


def _chunks(items: list[int], size: int = 5000):
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _renamed(change: ScheduleChange, column, value: int) -> None:
    """A program's or instructor's text changed: the caches of its recent and coming sessions."""
    today = clock.today()
    s, sc = Session.__table__, SessionCenter.__table__
    rows = db.session.execute(
        sa.select(s.c.date, s.c.instructor_id, sc.c.center_id)
        .select_from(s.join(sc, sc.c.session_id == s.c.id))
        .where(column == value, s.c.date >= today - timedelta(days=RENAME_HISTORY_DAYS))
        .where(s.c.published_at.is_not(None))
    )
    window = {today + timedelta(days=d) for d in RENAME_DAYS}
    for row in rows:
        change.instructors.add(row.instructor_id)
        change.centers.add(row.center_id)
        if row.date in window:
            change.days.add((row.center_id, row.date))


# --- the flush ----------------------------------------------------------------------------


@dataclass
class _Pending:
    ids: set[int] = field(default_factory=set)
    new: list[Session] = field(default_factory=list)
    old_dates: dict[int, set[date]] = field(default_factory=dict)
    old_centers: dict[int, set[int]] = field(default_factory=dict)
    programs: set[int] = field(default_factory=set)
    instructors: set[int] = field(default_factory=set)
    change: ScheduleChange = field(default_factory=ScheduleChange)


def _old(obj, name: str) -> list:
    return [v for v in sa.inspect(obj).attrs[name].history.deleted if v is not None]


def _changed(obj, *names: str) -> bool:
    attrs = sa.inspect(obj).attrs
    return any(attrs[n].history.has_changes() for n in names)


def _collect(db_session: orm.Session, _context, _instances) -> None:
    pending = db_session.info.get(PENDING) or _Pending()
    for obj in list(db_session.new) + list(db_session.dirty) + list(db_session.deleted):
        if isinstance(obj, Session):
            _collect_session(pending, obj, deleted=obj in db_session.deleted)
        elif isinstance(obj, SessionCenter):
            if obj.session_id is None:
                continue  # appended to a session's invitations: the session is dirty too
            pending.ids.add(obj.session_id)
            for center_id in [obj.center_id, *_old(obj, "center_id")]:
                pending.old_centers.setdefault(obj.session_id, set()).add(center_id)
        elif isinstance(obj, Program) and obj.id is not None and _changed(obj, "title", "category"):
            pending.programs.add(obj.id)
        elif isinstance(obj, Instructor) and obj.id is not None and _changed(obj, "name", "calendar_key"):
            pending.instructors.add(obj.id)
        elif isinstance(obj, Center) and obj.id is not None and _changed(obj, "name", "calendar_key"):
            pending.change.centers.add(obj.id)
        elif type(obj).__name__ == "VideoRoom":
            # A replaced room: /join's cached room name (rooms stand on the schedule).
            session = getattr(obj, "session", None)
            session_id = obj.session_id or (session.id if session is not None else None)
            if session_id is not None:
                pending.ids.add(session_id)
    if pending.ids or pending.new or pending.programs or pending.instructors or pending.change:
        db_session.info[PENDING] = pending


def _collect_session(pending: _Pending, obj: Session, *, deleted: bool) -> None:
    if obj.id is None:
        pending.new.append(obj)
        return
    if not deleted and not sa.inspect(obj).modified:
        return
    pending.ids.add(obj.id)
    pending.old_dates.setdefault(obj.id, set()).update(_old(obj, "date"))
    if obj.date is not None:
        pending.old_dates[obj.id].add(obj.date)
    pending.change.instructors.update(_old(obj, "instructor_id"))
    removed = sa.inspect(obj).attrs.invitations.history.deleted
    pending.old_centers.setdefault(obj.id, set()).update(i.center_id for i in removed)
    if deleted:
        pending.old_centers[obj.id].update(i.center_id for i in obj.invitations)
        if obj.instructor_id is not None:
            pending.change.instructors.add(obj.instructor_id)


def _announce_flushed(db_session: orm.Session, _context) -> None:
    pending: _Pending | None = db_session.info.pop(PENDING, None)
    if pending is None:
        return
    with db_session.no_autoflush:
        change = pending.change
        ids = pending.ids | {obj.id for obj in pending.new if obj.id is not None}
        _resolve(change, ids, pending.old_dates, pending.old_centers)
        for program_id in pending.programs:
            _renamed(change, Session.__table__.c.program_id, program_id)
        for instructor_id in pending.instructors:
            change.instructors.add(instructor_id)
            _renamed(change, Session.__table__.c.instructor_id, instructor_id)
        announce(change)


def _forget(db_session: orm.Session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        db_session.info.pop(PENDING, None)


def listen_for_flushes() -> None:
    target = orm.Session
    for name, fn in (
        ("before_flush", _collect),
        ("after_flush_postexec", _announce_flushed),
        ("after_soft_rollback", _forget),
    ):
        if not sa.event.contains(target, name, fn):
            sa.event.listen(target, name, fn)
