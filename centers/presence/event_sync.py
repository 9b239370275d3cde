"""Jitsi's ``event_sync`` webhooks (jitsi-contrib ``mod_event_sync_component``):
``POST /api/v1/jitsi/events/{occupant/joined, occupant/left, room/created, room/destroyed}``.

Occupants are matched to centers by the ``context.user.id`` of the token ``/join`` gave
(``center-<id>``), else by an invited center's exact name. Rooms Ieum does not know, sessions
that are not published and occupants it did not invite are acknowledged and ignored (so Prosody
does not retry them). Breakout rooms never end the main room.
"""

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from app import audit, clock
from centers.presence.models import RoomPresence
from centers.presence.services import everyone_left, identify, in_room, iso, joined, left
from programs.rooms import services as rooms
from programs.schedule.models import Session

# Jitsi's timestamps are trusted unless they are absurdly far from the app's clock.
MAX_EVENT_SKEW = timedelta(days=1)

KINDS = ("occupant/joined", "occupant/left", "room/created", "room/destroyed")


def _when(value: Any, default: datetime) -> datetime:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            moment = datetime.fromtimestamp(value, UTC)
        except (OverflowError, OSError, ValueError):
            return default
        if abs(moment - default) <= MAX_EVENT_SKEW:
            return moment
    return default


def room_name_of(payload: dict) -> str:
    """``room_name`` without a tenant prefix (``[tenant]room``), lowercased as Jitsi does."""
    name = str(payload.get("room_name") or "")
    if not name and payload.get("room_jid"):
        name = str(payload["room_jid"]).split("@", 1)[0]
    return re.sub(r"^\[[^\]]*\]", "", name).strip().lower()


def jitsi_event(kind: str, payload: dict) -> dict:
    """Apply one ``event_sync`` call. Rooms Ieum does not know, sessions that are not
    published, and occupants it did not invite are acknowledged and ignored."""
    now = clock.now()
    session = rooms.session_for_room(room_name_of(payload))
    if session is None:
        return {"status": "ignored", "reason": "unknown_room"}
    if session.status != "published":
        return {"status": "ignored", "reason": "not_published", "session_id": session.id}
    if kind == "room/created":
        if not payload.get("is_breakout"):
            audit.record(
                None,
                "room.created",
                "session",
                session.id,
                source="jitsi",
                after={
                    "room": session.room.name,
                    "at": iso(_when(payload.get("created_at"), now)),
                },
            )
        return {"status": "recorded", "session_id": session.id}
    if kind == "room/destroyed":
        if payload.get("is_breakout"):
            return {"status": "ignored", "reason": "breakout_room", "session_id": session.id}
        at = _when(payload.get("destroyed_at"), now)
        for occupant in payload.get("all_occupants") or []:
            _occupant_event(session, "occupant/left", occupant, at)
        everyone_left(session, at, "jitsi")
        return {"status": "recorded", "session_id": session.id, "in_room": 0}
    occupant = payload.get("occupant") or {}
    result = _occupant_event(session, kind, occupant, now)
    return {
        "status": "recorded" if result else "ignored",
        "session_id": session.id,
        **({} if result else {"reason": "unknown_occupant"}),
        "in_room": in_room(session),
    }


def _occupant_event(
    session: Session, kind: str, occupant: dict, now: datetime
) -> RoomPresence | None:
    if not isinstance(occupant, dict) or not occupant.get("occupant_jid"):
        return None
    who = identify(session, occupant.get("id"), occupant.get("name"))
    if who is None:
        return None
    participant, center_id = who
    jid = str(occupant["occupant_jid"])[:240]
    name = str(occupant.get("name") or "")
    joined_at = _when(occupant.get("joined_at"), now)
    if kind == "occupant/joined":
        return joined(
            session,
            occupant="jid:" + jid,
            participant=participant,
            center_id=center_id,
            at=joined_at,
            source="jitsi",
            display_name=name,
        )
    left_at = _when(occupant.get("left_at"), now)
    return left(
        session,
        occupant="jid:" + jid,
        participant=participant,
        center_id=center_id,
        at=left_at,
        source="jitsi",
        joined_at=joined_at if occupant.get("joined_at") else None,
        display_name=name,
    )
