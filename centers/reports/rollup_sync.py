"""The one seam that keeps the rollups current: SQLAlchemy events on the ORM session, so no
lower layer (attendance, presence, schedule) knows of them.

- ``before_flush`` notes what the flush will change and reads the *old* (center, day) pairs
  of sessions about to move, lose invitations or be deleted, while the database still has
  them;
- ``after_flush`` reads the new pairs and recomputes every noted slice on the flush's own
  connection, so the rollups change in the same transaction as the rows they sum;
- ``do_orm_execute`` does the same around bulk statements run through the session (a week's
  publish is one ``UPDATE sessions``; a join event inserts a record with
  ``INSERT … ON CONFLICT``): the rows an UPDATE or DELETE will hit are read first, from its
  own WHERE clause.

Not seen: statements run on a bare connection (copying a week inserts *draft* sessions and
their invitations that way, and drafts count nowhere) and changes made outside the
application; ``flask reports rebuild-rollups`` recomputes a period after those.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession

from centers.attendance.models import Attendance, AttendanceMember
from centers.directory.models import Center
from centers.reports import rollups
from programs.schedule.models import Session, SessionCenter

SESSION_FIELDS = ("status", "date", "program_id", "start_time", "duration_minutes", "invitations")
RECORD_FIELDS = ("status", "headcount", "session_id", "center_id", "session_date", "members")
INFO_KEY = "report_rollups"
ENABLED_KEY = "report_rollups_enabled"


@dataclass
class Pending:
    pairs: set[tuple[int, date]] = field(default_factory=set)
    sessions: set[int] = field(default_factory=set)
    records: set[tuple[int, int]] = field(default_factory=set)  # (session_id, center_id)
    new: list = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.pairs or self.sessions or self.records or self.new)


def _changed(obj, names) -> bool:
    attrs = sa.inspect(obj).attrs
    return any(attrs[name].history.has_changes() for name in names)


def _old(obj, name):
    history = sa.inspect(obj).attrs[name].history
    return history.deleted[0] if history.deleted else getattr(obj, name)


def _records_of(connection, attendance_ids) -> set[tuple[int, int]]:
    A = rollups.A
    ids = sorted(set(attendance_ids))
    if not ids:
        return set()
    rows = connection.execute(sa.select(A.c.session_id, A.c.center_id).where(A.c.id.in_(ids)))
    return {(r.session_id, r.center_id) for r in rows}


def _sessions_of_centers(connection, center_ids) -> set[int]:
    SC = rollups.SC
    rows = connection.execute(
        sa.select(SC.c.session_id).where(SC.c.center_id.in_(sorted(center_ids))).distinct()
    )
    return {r.session_id for r in rows}


def _pairs_of_records(connection, records) -> set[tuple[int, date]]:
    """(center, session day) of (session, center) records: the rollups key by the session's
    date, which a record's own ``session_date`` may no longer equal after a date edit."""
    S = rollups.S
    records = set(records)
    if not records:
        return set()
    days = dict(
        connection.execute(
            sa.select(S.c.id, S.c.date).where(S.c.id.in_(sorted({s for s, _ in records})))
        ).all()
    )
    return {(center, days[sid]) for sid, center in records if sid in days}


def _enabled(session) -> bool:
    return session.info.get(ENABLED_KEY, True)


def _before_flush(session, flush_context, instances) -> None:
    if not _enabled(session):
        return
    pending: Pending = session.info.setdefault(INFO_KEY, Pending())
    connection = None
    old_sessions: set[int] = set()
    old_members: set[int] = set()
    moved_centers: set[int] = set()
    for obj in list(session.new):
        if isinstance(obj, (Session, SessionCenter, Attendance, AttendanceMember)):
            pending.new.append(obj)
    for obj in list(session.dirty) + list(session.deleted):
        deleted = obj in session.deleted
        if isinstance(obj, Session) and (deleted or _changed(obj, SESSION_FIELDS)):
            old_sessions.add(obj.id)
        elif isinstance(obj, SessionCenter):
            old_sessions.add(_old(obj, "session_id"))
        elif isinstance(obj, Attendance) and (deleted or _changed(obj, RECORD_FIELDS)):
            pending.records.add((_old(obj, "session_id"), _old(obj, "center_id")))
            pending.records.add((obj.session_id, obj.center_id))
        elif isinstance(obj, AttendanceMember):
            old_members.add(_old(obj, "attendance_id"))
        elif isinstance(obj, Center) and not deleted and _changed(obj, ("county_id",)):
            moved_centers.add(obj.id)
    if old_sessions or old_members or moved_centers:
        connection = session.connection()
        old_sessions.discard(None)
        pending.pairs |= set(rollups.pairs_of_sessions(connection, old_sessions))
        pending.sessions |= old_sessions
        pending.records |= _records_of(connection, old_members)
        if moved_centers:
            pending.sessions |= _sessions_of_centers(connection, moved_centers)


def _after_flush(session, flush_context) -> None:
    pending: Pending | None = session.info.pop(INFO_KEY, None)
    if not pending or not _enabled(session):
        return
    connection = session.connection()
    new_members: set[int] = set()
    for obj in pending.new:
        if isinstance(obj, Session):
            pending.sessions.add(obj.id)
        elif isinstance(obj, SessionCenter):
            pending.sessions.add(obj.session_id)
        elif isinstance(obj, Attendance):
            pending.records.add((obj.session_id, obj.center_id))
        elif isinstance(obj, AttendanceMember):
            new_members.add(obj.attendance_id)
    pending.sessions.discard(None)
    pending.records |= _records_of(connection, new_members)
    sync(connection, pending)


def sync(connection, pending: Pending) -> None:
    """Recompute what ``pending`` names: its pairs, its records' pairs and every pair of its
    sessions (the new dates and invitations, read now), and the sessions' counties."""
    pairs = set(pending.pairs) | _pairs_of_records(connection, pending.records)
    if len(pending.sessions) > 20:
        rollups.refresh_days_of_sessions(connection, pending.sessions)
    else:
        pairs |= set(rollups.pairs_of_sessions(connection, pending.sessions))
    if pairs:
        rollups.refresh_pairs(connection, pairs)
    if pending.sessions:
        rollups.refresh_sessions(connection, pending.sessions)


# --- statements run through the session ------------------------------------------------------

TRACKED = {
    rollups.S.name,
    rollups.SC.name,
    rollups.A.name,
    rollups.AM.name,
    rollups.C.name,
}


def _param_rows(state) -> list[dict]:
    params = state.parameters
    if isinstance(params, list | tuple):
        return [dict(p) for p in params]
    if params:
        return [dict(params)]
    return [dict(state.statement.compile().params)]


def _affected(connection, table, where) -> Pending:
    """What an UPDATE or DELETE with this WHERE clause is about to touch."""
    pending = Pending()
    key = [
        table.c[name]
        for name in {
            rollups.S.name: ["id"],
            rollups.SC.name: ["session_id"],
            rollups.A.name: ["session_id", "center_id"],
            rollups.AM.name: ["attendance_id"],
            rollups.C.name: ["id"],
        }[table.name]
    ]
    rows = connection.execute(sa.select(*key).where(where) if where is not None else sa.select(*key)).all()
    if table.name in (rollups.S.name, rollups.SC.name):
        pending.sessions = {r[0] for r in rows}
    elif table.name == rollups.A.name:
        pending.records = {(r[0], r[1]) for r in rows}
    elif table.name == rollups.AM.name:
        pending.records = _records_of(connection, [r[0] for r in rows])
    else:
        pending.sessions = _sessions_of_centers(connection, [r[0] for r in rows])
    return pending


PUBLISH_FIELDS = {"status", "published_at", "version", "sequence", "updated_at"}


def _publishes(values: dict) -> bool:
    """An UPDATE that only publishes (a week's publish): nothing but the status moves."""
    status = values.get("status")
    return (
        bool(values)
        and set(values) <= PUBLISH_FIELDS
        and getattr(status, "value", status) == "published"
    )


def _do_orm_execute(state):
    if not (state.is_update or state.is_delete or state.is_insert) or not _enabled(state.session):
        return None
    table = getattr(state.statement, "table", None)
    if table is None or getattr(table, "name", None) not in TRACKED:
        return None
    connection = state.session.connection()
    if state.is_insert:
        if table.name == rollups.C.name or getattr(state.statement, "select", None) is not None:
            return None  # new centers hold nothing yet; INSERT … SELECT: see the docstring
        pending = Pending()
        for row in _param_rows(state):
            if table.name == rollups.A.name:
                if row.get("status") is None and row.get("headcount") is None:
                    continue  # a join event's empty record: no figure changes
                pending.records.add((row.get("session_id"), row.get("center_id")))
            elif table.name == rollups.SC.name:
                pending.sessions.add(row.get("session_id"))
            elif table.name == rollups.AM.name:
                pending.records.add(("attendance", row.get("attendance_id")))
        pending.sessions.discard(None)
        if not pending:
            return None
        result = state.invoke_statement()
        members = {a for kind, a in pending.records if kind == "attendance"}
        pending.records = {r for r in pending.records if r[0] != "attendance"}
        pending.records |= _records_of(connection, members)
        sync(connection, pending)
        return result
    table = table if isinstance(table, sa.Table) else sa.inspect(table).local_table
    if table.name == rollups.C.name and "county_id" not in {
        getattr(k, "key", k) for k in dict(getattr(state.statement, "_values", None) or {})
    }:
        return None
    values = {getattr(k, "key", k): v for k, v in dict(getattr(state.statement, "_values", None) or {}).items()}
    if table.name == rollups.S.name and state.is_update and _publishes(values):
        S = rollups.S
        where = S.c.status != "published"
        if state.statement.whereclause is not None:
            where = sa.and_(state.statement.whereclause, where)
        drafts = list(connection.execute(sa.select(S.c.id).where(where)).scalars())
        result = state.invoke_statement()
        rollups.add_sessions(connection, drafts)
        return result
    pending = _affected(connection, table, state.statement.whereclause)
    if table.name in (rollups.S.name, rollups.SC.name) and (
        state.is_delete or len(pending.sessions) <= 20
    ):
        pending.pairs = set(rollups.pairs_of_sessions(connection, pending.sessions))
    elif table.name == rollups.S.name and "date" in {
        getattr(k, "key", k) for k in dict(getattr(state.statement, "_values", None) or {})
    }:
        pending.pairs = set(rollups.pairs_of_sessions(connection, pending.sessions))
    pending.pairs |= _pairs_of_records(connection, pending.records)
    result = state.invoke_statement()
    sync(connection, pending)
    return result


def register() -> None:
    """Listen on every ORM session (idempotent)."""
    for name, fn in (
        ("before_flush", _before_flush),
        ("after_flush", _after_flush),
        ("do_orm_execute", _do_orm_execute),
    ):
        if not event.contains(OrmSession, name, fn):
            event.listen(OrmSession, name, fn)
