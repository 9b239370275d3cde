"""Who is in a session's room: the tablet's IFrame events, Jitsi's event_sync webhooks and muc_size polling."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from app import audit, clock
from app.database import utcnow
from app.extensions import db
from centers.attendance.models import Attendance
from centers.attendance.records import ensure_record
from centers.directory.models import Center
from centers.presence import disconnects
from centers.presence.models import RoomPresence
from programs.schedule.models import Session

PARTICIPANT_RE = re.compile(r"^(center|instructor|user)-(\d+)$")


def center_participant(center_id: int) -> str:
    return f"center-{center_id}"


def parse_participant(participant: str | None) -> tuple[str, int] | None:
    match = PARTICIPANT_RE.match(participant or "")
    return (match.group(1), int(match.group(2))) if match else None


def _invited_centers(session: Session) -> dict[int, str]:
    ids = session.center_ids
    if not ids:
        return {}
    rows = db.session.execute(sa.select(Center.id, Center.name).where(Center.id.in_(ids)))
    return {row.id: row.name for row in rows}


def identify(
    session: Session, participant_id: str | None, name: str | None
) -> tuple[str, int | None] | None:
    """``(participant, center_id)`` for a token user id (or, failing that, a display name that
    is exactly one invited center's name); None for someone Ieum did not invite."""
    parsed = parse_participant(participant_id)
    if parsed:
        kind, number = parsed
        if kind == "center":
            return (participant_id, number) if number in session.center_ids else None
        if kind == "instructor":
            return (participant_id, None) if number == session.instructor_id else None
        return participant_id, None
    if name:
        matches = [cid for cid, cname in _invited_centers(session).items() if cname == name.strip()]
        if len(matches) == 1:
            return center_participant(matches[0]), matches[0]
    return None


def _row(session_id: int, occupant: str, values: dict[str, Any]) -> tuple[RoomPresence, bool]:
    """The presence row of ``occupant``, inserted with ``values`` if missing; locked on
    PostgreSQL so that a webhook retry racing the original takes its turn."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    now = utcnow()
    inserted = db.session.execute(
        insert(RoomPresence.__table__)
        .values(session_id=session_id, occupant=occupant, created_at=now, updated_at=now, **values)
        .on_conflict_do_nothing(index_elements=["session_id", "occupant"])
        .returning(RoomPresence.__table__.c.id)
    ).scalar()
    row = db.session.scalars(
        sa.select(RoomPresence)
        .where(RoomPresence.session_id == session_id, RoomPresence.occupant == occupant)
        .execution_options(populate_existing=True)
        .with_for_update()
    ).one()
    return row, inserted is not None


def open_rows(session_id: int, **filters) -> list[RoomPresence]:
    stmt = sa.select(RoomPresence).where(
        RoomPresence.session_id == session_id, RoomPresence.left_at.is_(None)
    )
    for name, value in filters.items():
        stmt = stmt.where(getattr(RoomPresence, name) == value)
    return list(db.session.scalars(stmt.with_for_update()))


def center_is_present(session_id: int, center_id: int) -> bool:
    stmt = sa.select(RoomPresence.id).where(
        RoomPresence.session_id == session_id,
        RoomPresence.center_id == center_id,
        RoomPresence.left_at.is_(None),
    )
    return db.session.scalar(stmt.limit(1)) is not None


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _center_joined(session: Session, center_id: int, at: datetime, source: str, user) -> Attendance:
    record = ensure_record(session, center_id)
    if record.joined_at is None or at < record.joined_at:
        before = record.joined_at
        record.joined_at = at
        audit.record(
            user,
            "attendance.joined",
            "attendance",
            record.id,
            before={"joined_at": iso(before)},
            after={"joined_at": iso(at)},
            source=source,
        )
    return record


def center_left(
    session: Session, center_id: int, at: datetime, source: str, user
) -> Attendance | None:
    if center_is_present(session.id, center_id):
        return None
    record = ensure_record(session, center_id)
    if record.joined_at is not None and at < record.joined_at:
        at = record.joined_at
    if record.left_at is None or at > record.left_at:
        before = record.left_at
        record.left_at = at
        audit.record(
            user,
            "attendance.left",
            "attendance",
            record.id,
            before={"left_at": iso(before)},
            after={"left_at": iso(at)},
            source=source,
        )
    return record


def joined(
    session: Session,
    *,
    occupant: str,
    participant: str,
    center_id: int | None,
    at: datetime,
    source: str,
    user=None,
    display_name: str = "",
) -> RoomPresence:
    """A connection opened (idempotent: a retried event changes nothing)."""
    seen_before = disconnects.connections(session.id, center_id, source) if center_id else (0, 0)
    row, created = _row(
        session.id,
        occupant,
        {
            "participant": participant,
            "center_id": center_id,
            "source": source,
            "display_name": (display_name or "")[:120],
            "joined_at": at,
        },
    )
    reopened = not created and row.left_at is not None and at > row.left_at
    if reopened:
        row.left_at = None  # the same connection came back
        row.joined_at = at
    if center_id is not None:
        record = _center_joined(session, center_id, min(at, row.joined_at), source, user)
        still_open, closed = seen_before
        if (created or reopened) and not still_open and closed:
            disconnects.count_comeback(record, source, user)
    db.session.flush()
    return row


def left(
    session: Session,
    *,
    occupant: str,
    participant: str,
    center_id: int | None,
    at: datetime,
    source: str,
    user=None,
    joined_at: datetime | None = None,
    display_name: str = "",
) -> RoomPresence:
    """A connection closed. A leave whose join was never seen still records both times."""
    row, created = _row(
        session.id,
        occupant,
        {
            "participant": participant,
            "center_id": center_id,
            "source": source,
            "display_name": (display_name or "")[:120],
            "joined_at": joined_at or at,
            "left_at": at,
        },
    )
    if not created and row.left_at is None:
        row.left_at = max(at, row.joined_at)
    db.session.flush()
    if center_id is not None:
        if created or joined_at is not None:
            _center_joined(session, center_id, row.joined_at, source, user)
        if source == "jitsi" and not _open_rows_of(session.id, participant, "jitsi"):
            # Jitsi is the authority: its last connection for this participant is gone, so a
            # tablet that crashed without saying goodbye is gone too.
            close_rows(
                [r for r in open_rows(session.id, participant=participant) if r.joined_at <= at],
                at,
            )
        center_left(session, center_id, row.left_at, source, user)
    return row


def _open_rows_of(session_id: int, participant: str, source: str) -> list[RoomPresence]:
    return open_rows(session_id, participant=participant, source=source)


def close_rows(rows: list[RoomPresence], at: datetime) -> set[int]:
    centers = set()
    for row in rows:
        row.left_at = max(at, row.joined_at)
        if row.center_id is not None:
            centers.add(row.center_id)
    db.session.flush()
    return centers


def everyone_left(session: Session, at: datetime, source: str, user=None) -> set[int]:
    """The room is gone (destroyed, or Prosody says it does not exist): close every row."""
    centers = close_rows(open_rows(session.id), at)
    for center_id in sorted(centers):
        center_left(session, center_id, at, source, user)
    return centers


def tablet_event(
    user,
    session: Session,
    participant: str,
    center_id: int | None,
    event: str,
    endpoint: str | None,
    display_name: str = "",
    source: str = "tablet",
) -> dict:
    """``joined``/``left`` as the IFrame API reported them to the page (``endpoint`` is the
    participant id Jitsi gave the tablet, so a reconnect is a new connection). ``dropped`` is a
    leave the user did not ask for (the connection failed); ``join_failed`` a room that could
    not be entered: both are audited, and a drop closes the connection like a leave."""
    at = clock.now()
    prefix = f"tablet:{user.id}:"
    if event in ("dropped", "join_failed"):
        audit.record(
            user,
            "room.dropped" if event == "dropped" else "room.join_failed",
            "room",  # kept out of the session's change history: it is not a change to it
            session.id,
            after={"center_id": center_id, "participant": participant, "at": iso(at)},
            source=source,
        )
        if event == "join_failed":
            db.session.flush()
            return {"status": "recorded", "event": event, "in_room": in_room(session)}
    if event == "joined":
        joined(
            session,
            occupant=prefix + (endpoint or "local")[:200],
            participant=participant,
            center_id=center_id,
            at=at,
            source=source,
            user=user,
            display_name=display_name,
        )
    else:
        if endpoint:
            rows = open_rows(session.id, occupant=prefix + endpoint[:200])
        else:
            rows = [
                r
                for r in open_rows(session.id, participant=participant)
                if r.occupant.startswith(prefix)
            ]
        close_rows(rows, at)
        if center_id is not None:
            center_left(session, center_id, at, source, user)
    return {"status": "recorded", "event": event, "in_room": in_room(session)}


def poll_prosody(now: datetime | None = None, config: dict | None = None) -> list[dict]:
    """Poll every room that may be in use now; ``[]`` when ``JITSI_PROSODY_URL`` is unset."""
    from centers.presence import muc_size

    return muc_size.poll_prosody(now, config)


def in_room(session: Session) -> int:
    """How many invited centers are in the room right now."""
    return centers_in_room([session.id]).get(session.id, 0)


def centers_in_room(session_ids: list[int]) -> dict[int, int]:
    if not session_ids:
        return {}
    stmt = (
        sa.select(RoomPresence.session_id, sa.func.count(sa.distinct(RoomPresence.center_id)))
        .where(
            RoomPresence.session_id.in_(session_ids),
            RoomPresence.left_at.is_(None),
            RoomPresence.center_id.is_not(None),
        )
        .group_by(RoomPresence.session_id)
    )
    return {sid: n for sid, n in db.session.execute(stmt)}


def room_status(session: Session) -> dict:
    """Each invited center with whether it is in the room now and its join/leave times."""
    names = _invited_centers(session)
    present = set(
        db.session.scalars(
            sa.select(RoomPresence.center_id).where(
                RoomPresence.session_id == session.id,
                RoomPresence.left_at.is_(None),
                RoomPresence.center_id.is_not(None),
            )
        )
    )
    records = {
        a.center_id: a
        for a in db.session.scalars(
            sa.select(Attendance).where(Attendance.session_id == session.id)
        )
    }
    instructor_present = (
        db.session.scalar(
            sa.select(RoomPresence.id)
            .where(
                RoomPresence.session_id == session.id,
                RoomPresence.left_at.is_(None),
                RoomPresence.participant == f"instructor-{session.instructor_id}",
            )
            .limit(1)
        )
        is not None
    )
    centers = [
        {
            "center_id": cid,
            "name": names[cid],
            "in_room": cid in present,
            "joined_at": records[cid].joined_at if cid in records else None,
            "left_at": records[cid].left_at if cid in records else None,
        }
        for cid in sorted(names, key=lambda c: names[c])
    ]
    return {
        "session_id": session.id,
        "in_room": len(present),
        "invited": len(names),
        "instructor_in_room": instructor_present,
        "centers": centers,
    }
