"""The one seam that says "the schedule changed here": which centers, which instructors, or
which dates for every center. Caches (the tablet's day, the calendar feeds) listen and move
their generations (:meth:`app.cache.Cache.rotate_after_commit`).

Every ORM write is seen in the flush: a session added, edited, cancelled, rescheduled (its old
and new date), its invitations added or removed, its room replaced; a program's title or
category, an instructor's name or calendar key, a center's name. Writes that bypass the ORM
(the week's publish, a center's calendar key) call :func:`sessions_changed` or
:func:`announce` themselves. Listeners run inside the flush or the service; they should only
touch the cache, never write rows.
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
# More sessions than this at once (a national publish): say "these dates, every center" instead
# of naming each center (the caches then move one generation per date, not one per center).
BROAD_SESSIONS = 200
# A program or instructor renamed: the tablet's days around today that may show the name.
RENAME_DAYS = (-1, 0, 1)


@dataclass
class ScheduleChange:
    centers: set[int] = field(default_factory=set)  # the center's sessions, name or feed key
    instructors: set[int] = field(default_factory=set)  # the instructor's sessions, name, key
    dates: set[date] = field(default_factory=set)  # every center's day on these dates
    every_feed: bool = False  # every calendar feed (a program renamed, a national publish)

    def __bool__(self) -> bool:
        return bool(self.centers or self.instructors or self.dates or self.every_feed)


_listeners: list[Callable[[ScheduleChange], None]] = []


def listen(fn: Callable[[ScheduleChange], None]) -> None:
    if fn not in _listeners:
        _listeners.append(fn)


def announce(change: ScheduleChange) -> None:
    if change:
        for fn in _listeners:
            fn(change)


def sessions_changed(session_ids: Iterable[int], *, extra: ScheduleChange | None = None) -> None:
    """These sessions changed: their centers and instructors (``extra`` adds what they were
    before), or, for many sessions at once, their dates for every center and every feed."""
    change = extra or ScheduleChange()
    _resolve(change, set(session_ids), {})
    announce(change)


def _resolve(change: ScheduleChange, ids: set[int], old_dates: dict[int, set[date]]) -> None:
    if not ids:
        return
    s, sc = Session.__table__, SessionCenter.__table__
    if len(ids) > BROAD_SESSIONS:
        change.every_feed = True
        change.dates.update(d for dates in old_dates.values() for d in dates)
        for chunk in _chunks(sorted(ids)):
            change.dates.update(
                db.session.scalars(sa.select(s.c.date).where(s.c.id.in_(chunk)).distinct())
            )
        return
    rows = db.session.execute(
        sa.select(s.c.instructor_id, sc.c.center_id)
        .select_from(s.outerjoin(sc, sc.c.session_id == s.c.id))
        .where(s.c.id.in_(sorted(ids)))
    )
    for row in rows:
        change.instructors.add(row.instructor_id)
        if row.center_id is not None:
            change.centers.add(row.center_id)


def _chunks(items: list[int], size: int = 5000):
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _renamed(change: ScheduleChange) -> None:
    """A program's title or an instructor's name: in every feed that lists it and in the
    tablet's days around today, wherever: everything, once (renames are rare)."""
    today = clock.today()
    change.every_feed = True
    change.dates.update(today + timedelta(days=d) for d in RENAME_DAYS)


# --- the flush ----------------------------------------------------------------------------


@dataclass
class _Pending:
    ids: set[int] = field(default_factory=set)
    new: list[Session] = field(default_factory=list)
    old_dates: dict[int, set[date]] = field(default_factory=dict)
    renamed: bool = False
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
            pending.change.centers.update(c for c in [obj.center_id, *_old(obj, "center_id")] if c)
            if obj.session_id is not None:  # else appended to a session: that one is dirty too
                pending.ids.add(obj.session_id)
        elif isinstance(obj, Program) and obj.id is not None and _changed(obj, "title", "category"):
            pending.renamed = True
        elif isinstance(obj, Instructor) and obj.id is not None and _changed(obj, "name", "calendar_key"):
            pending.change.instructors.add(obj.id)
            pending.renamed = pending.renamed or _changed(obj, "name")
        elif isinstance(obj, Center) and obj.id is not None and _changed(obj, "name", "calendar_key"):
            pending.change.centers.add(obj.id)
        elif type(obj).__name__ == "VideoRoom":
            # A replaced room: /join's cached room name (rooms stand on the schedule).
            session_id = obj.session_id
            if session_id is None:  # a new room on a session: the relationship is loaded
                session = getattr(obj, "session", None)
                session_id = session.id if session is not None else None
            if session_id is not None:
                pending.ids.add(session_id)
    if pending.ids or pending.new or pending.renamed or pending.change:
        db_session.info[PENDING] = pending


def _collect_session(pending: _Pending, obj: Session, *, deleted: bool) -> None:
    if obj.id is None:
        pending.new.append(obj)
        return
    if not deleted and not sa.inspect(obj).modified:
        return
    pending.ids.add(obj.id)
    pending.old_dates.setdefault(obj.id, set()).update(_old(obj, "date"))
    pending.change.instructors.update(_old(obj, "instructor_id"))
    removed = sa.inspect(obj).attrs.invitations.history.deleted
    pending.change.centers.update(i.center_id for i in removed)
    if deleted:
        pending.change.centers.update(i.center_id for i in obj.invitations)
        if obj.instructor_id is not None:
            pending.change.instructors.add(obj.instructor_id)


def _announce_flushed(db_session: orm.Session, _context) -> None:
    pending: _Pending | None = db_session.info.pop(PENDING, None)
    if pending is None:
        return
    with db_session.no_autoflush:
        change = pending.change
        ids = pending.ids | {obj.id for obj in pending.new if obj.id is not None}
        _resolve(change, ids, pending.old_dates)
        if pending.renamed:
            _renamed(change)
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
