"""Polling Prosody's ``mod_muc_size`` (``/room-size`` and ``/room``): the fallback view of who is
in each room in use now, when ``JITSI_PROSODY_URL`` is set. ``flask --app wsgi jitsi poll`` runs it.

Prosody answers ``{"participants": N}``, a JSON list of ``{jid, email, display_name}``, ``{}``
for a room with nobody but the (hidden) focus, and 404 for a room that does not exist. It knows
display names only, so occupants are matched to invited centers by name (the token's name, which
the tablet cannot change). A failing Prosody changes nothing.

Prosody picks the virtual host from the request's ``Host`` header; without
``http_default_host`` it answers ``404 Unknown host`` (an HTML error page) to a request
addressed to 127.0.0.1, so every request names ``JITSI_XMPP_DOMAIN`` as its host. mod_muc_size's
own "no such room" is a 404 with an empty body; any other 404 is a failure that changes nothing.
"""

import logging
from datetime import datetime, timedelta

import requests
import sqlalchemy as sa
from flask import current_app

from app import clock
from app.extensions import db
from centers.presence.services import (
    center_is_present,
    center_left,
    center_participant,
    close_rows,
    everyone_left,
    identify,
    in_room,
    joined,
    open_rows,
)
from programs.rooms import services as rooms
from programs.schedule.models import Session

log = logging.getLogger(__name__)

# Rooms are polled from a little before the join window opens to a while after the end.
POLL_BEFORE = rooms.TOKEN_NOT_BEFORE
POLL_AFTER = timedelta(minutes=30)
HTTP_TIMEOUT = 5


class ProsodyError(RuntimeError):
    """Prosody did not answer in a documented shape; nothing was changed."""

    unreachable = False


class ProsodyUnreachable(ProsodyError):
    """No answer within :data:`HTTP_TIMEOUT` (refused, hung, or too slow)."""

    unreachable = True


def _get(url: str, params: dict, host: str = "") -> requests.Response:
    headers = {"Host": host} if host else {}
    try:
        response = requests.get(url, params=params, headers=headers, timeout=HTTP_TIMEOUT)
    except requests.RequestException as exc:
        raise ProsodyUnreachable(str(exc)) from exc
    if response.status_code == 404 and response.content.strip():
        # Not mod_muc_size's bare 404: an unknown host, a module not loaded, a wrong path.
        raise ProsodyError(f"{url}: HTTP 404 {response.text.strip()[:100]!r}")
    if response.status_code not in (200, 404):
        raise ProsodyError(f"{url}: HTTP {response.status_code}")
    return response


def room_occupants(base_url: str, room: str, domain: str) -> list[dict] | None:
    """The room's occupants from ``/room-size`` and ``/room``: None when the room does not
    exist (404), ``[]`` when it is empty (``{"participants": 0}`` or ``{}``)."""
    params = {"room": room, "domain": domain}
    size = _get(f"{base_url.rstrip('/')}/room-size", params, domain)
    if size.status_code == 404:
        return None
    try:
        participants = int(size.json().get("participants", 0))
    except (ValueError, AttributeError, TypeError) as exc:
        raise ProsodyError(f"/room-size: unexpected body {size.text[:100]!r}") from exc
    if participants <= 0:
        return []
    detail = _get(f"{base_url.rstrip('/')}/room", params, domain)
    if detail.status_code == 404:
        return None
    try:
        body = detail.json()
    except ValueError as exc:
        raise ProsodyError(f"/room: unexpected body {detail.text[:100]!r}") from exc
    if body == {} or body == []:
        return []  # Lua's empty table encodes as {}
    if not isinstance(body, list):
        raise ProsodyError(f"/room: unexpected body {detail.text[:100]!r}")
    return [o for o in body if isinstance(o, dict)]


def sessions_to_poll(now: datetime | None = None) -> list[Session]:
    now = now or clock.now()
    today = now.astimezone(clock.SEOUL).date()
    stmt = (
        sa.select(Session)
        .where(Session.date == today, Session.status == "published")
        .order_by(Session.start_time, Session.id)
    )
    return [
        s
        for s in db.session.scalars(stmt)
        if s.room is not None and s.starts_at - POLL_BEFORE <= now <= s.ends_at + POLL_AFTER
    ]


def poll_session(session: Session, base_url: str, domain: str, now: datetime | None = None) -> dict:
    """Reconcile one session with Prosody's view of its room. Centers Prosody lists (matched by
    display name) are opened if Ieum had missed them; centers it does not list are closed."""
    now = now or clock.now()
    summary = {"session_id": session.id, "room": session.room.name}
    try:
        occupants = room_occupants(base_url, session.room.name, domain)
    except ProsodyError as exc:
        log.warning("muc_size poll of session %s failed: %s", session.id, exc)
        return {**summary, "status": "error", "error": str(exc), "unreachable": exc.unreachable}
    if not occupants:
        everyone_left(session, now, "jitsi")
        return {
            **summary,
            "status": "absent" if occupants is None else "empty",
            "participants": 0,
            "in_room": 0,
        }
    present: dict[int, dict] = {}
    for occupant in occupants:
        who = identify(session, None, occupant.get("display_name"))
        if who and who[1] is not None:
            present.setdefault(who[1], occupant)
    for center_id, occupant in present.items():
        if not center_is_present(session.id, center_id):
            joined(
                session,
                occupant="poll:" + str(occupant.get("jid") or center_id)[:240],
                participant=center_participant(center_id),
                center_id=center_id,
                at=now,
                source="jitsi",
                display_name=str(occupant.get("display_name") or ""),
            )
    gone = [
        r for r in open_rows(session.id) if r.center_id is not None and r.center_id not in present
    ]
    for center_id in sorted(close_rows(gone, now)):
        center_left(session, center_id, now, "jitsi", None)
    return {
        **summary,
        "status": "occupied",
        "participants": len(occupants),
        "in_room": in_room(session),
    }


def poll_prosody(now: datetime | None = None, config: dict | None = None) -> list[dict]:
    """Poll every room that may be in use now; ``[]`` when ``JITSI_PROSODY_URL`` is unset."""
    config = current_app.config if config is None else config
    base_url = (config.get("JITSI_PROSODY_URL") or "").strip()
    if not base_url:
        return []
    domain = (config.get("JITSI_XMPP_DOMAIN") or config.get("JITSI_DOMAIN") or "").strip()
    results: list[dict] = []
    for session in sessions_to_poll(now):
        if any(r.get("unreachable") for r in results):
            # Prosody did not answer in time: the other rooms are not tried this round, so a
            # hung server costs one timeout, not one per room.
            results.append({"session_id": session.id, "room": session.room.name, "status": "skipped",
                            "error": "not polled: Prosody did not answer in time"})
            continue
        results.append(poll_session(session, base_url, domain, now))
    return results
