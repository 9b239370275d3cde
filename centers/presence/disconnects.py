"""Disconnects: the times a center dropped out of a session's room and came back.

Each source counts, on its own, the times a center came back after dropping out: the
tablet's IFrame events (``tablet``, or ``page`` for a browser joining for a center) and Jitsi's
event_sync (``jitsi``). The same drop is usually reported by both, so the record keeps one
counter per source and shows the larger (:attr:`Attendance.disconnects`), never the sum. A
source counts a comeback when it reports a join for the center while it has no open connection
of that center and has had one before.
"""

import sqlalchemy as sa

from app import audit
from app.extensions import db
from centers.attendance.models import Attendance
from centers.presence.models import RoomPresence

IFRAME_SOURCES = ("tablet", "page")
DISCONNECT_COUNTERS = {"jitsi": "jitsi_disconnects"} | {s: "iframe_disconnects" for s in IFRAME_SOURCES}


def connections(session_id: int, center_id: int, source: str) -> tuple[int, int]:
    """``(open, closed)`` connections of a center as ``source`` (and its kin) reported them."""
    if source not in DISCONNECT_COUNTERS:
        return 0, 0
    kin = [s for s, column in DISCONNECT_COUNTERS.items() if column == DISCONNECT_COUNTERS[source]]
    is_open = RoomPresence.left_at.is_(None)
    row = db.session.execute(
        sa.select(
            sa.func.count().filter(is_open), sa.func.count().filter(sa.not_(is_open))
        ).where(
            RoomPresence.session_id == session_id,
            RoomPresence.center_id == center_id,
            RoomPresence.source.in_(kin),
        )
    ).one()
    return row[0] or 0, row[1] or 0


def count_comeback(record: Attendance, source: str, user) -> None:
    """The center came back after dropping out, as ``source`` saw it."""
    column = DISCONNECT_COUNTERS[source]
    before = record.disconnects
    setattr(record, column, (getattr(record, column) or 0) + 1)
    if record.disconnects != before:
        audit.record(
            user,
            "attendance.reconnected",
            "attendance",
            record.id,
            before={"disconnects": before},
            after={"disconnects": record.disconnects},
            source=source,
        )
