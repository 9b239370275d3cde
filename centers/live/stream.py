"""``GET /live/stream`` (``?session_id=``): the live board's server-sent events.

The rows that change the board raise events once committed (:func:`watch_rows`, through
:mod:`app.events`): room presence (``presence``), attendance records (``attendance``) and help
requests (``help``). Each stream sees only the events of its viewer's scope — coordinators every
one, an instructor those of their own sessions, a county viewer those of its own centers — and of
its session when ``session_id`` is given.

A stream opens with ``retry:``, sends a comment line every ``LIVE_STREAM_HEARTBEAT`` seconds (so
proxies keep it and a client that went away is noticed at the next write, which frees the worker
thread), checks every ``LIVE_STREAM_RECHECK`` seconds that its user may still see it (signed out,
deactivated, token revoked: the stream ends), and ends after ``LIVE_STREAM_MAX_AGE`` seconds; the
browser's EventSource then reconnects by itself. The stream holds no database connection while it
waits: what it needs to know of a session is read once per process and kept for a few seconds
(:class:`ScopeCache`).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import sqlalchemy as sa
from flask import Blueprint, Response, current_app, jsonify, request, stream_with_context
from flask_login import current_user

from app import clock, events
from app.api import user_from_bearer
from app.auth.models import ApiToken, Role, User, hash_token
from app.errors import AppError, Unauthorized
from app.extensions import db
from app.params import id_arg
from centers.attendance.models import Attendance
from centers.directory.models import Center
from centers.live import scope
from centers.live.models import HelpRequest
from centers.presence.models import RoomPresence
from programs.schedule.models import Session, SessionCenter

bp = Blueprint("live_stream", __name__)

DEFAULTS = {
    "LIVE_STREAM_HEARTBEAT": 15.0,
    "LIVE_STREAM_MAX_AGE": 300.0,
    "LIVE_STREAM_RETRY_MS": 3000,
    "LIVE_STREAM_RECHECK": 60.0,
}
KINDS = ("presence", "attendance", "help")


_watching = False


def watch_rows() -> None:
    """The rows whose changes the board shows, and the kind of event each raises (once per
    process: the listeners are the models', whatever the number of apps)."""
    global _watching
    if _watching:
        return
    _watching = True
    events.watch(RoomPresence, "presence", lambda row: (row.session_id, row.center_id))
    events.watch(Attendance, "attendance", lambda row: (row.session_id, row.center_id))
    events.watch(HelpRequest, "help", lambda row: (row.session_id, row.center_id))


# --- who sees which event --------------------------------------------------------------------


@dataclass(frozen=True)
class Viewer:
    """What a stream needs of its user once the request's database session is gone."""

    user_id: int
    role: str
    county_id: int | None
    instructor_id: int | None
    session_epoch: int
    token_hash: str | None

    @property
    def staff(self) -> bool:
        return self.role in (Role.ADMIN, Role.COORDINATOR)


@dataclass(frozen=True)
class SessionScope:
    instructor_id: int
    published: bool
    counties: dict[int, int]  # invited center → its county


class ScopeCache:
    """Per process: a session's instructor, whether it was published, and the counties of its
    invited centers, read at most once per ``ttl`` seconds for all the process's streams."""

    def __init__(self, ttl: float = 10.0):
        self.ttl = ttl
        self._entries: dict[int, tuple[float, SessionScope | None]] = {}
        self._lock = threading.Lock()
        self._loading = threading.Lock()

    def get(self, session_id: int, fresh_within: float | None = None) -> SessionScope | None:
        limit = self.ttl if fresh_within is None else fresh_within
        found = self._fresh(session_id, limit)
        if found is not None:
            return found[1]
        # One loader at a time: the streams that hear of a session at once wait for its first
        # read instead of each taking a database connection.
        with self._loading:
            found = self._fresh(session_id, limit)
            if found is not None:
                return found[1]
            value = self._load(session_id)
            with self._lock:
                if len(self._entries) > 5000:
                    self._entries.clear()
                self._entries[session_id] = (time.monotonic(), value)
            return value

    def _fresh(self, session_id: int, limit: float):
        with self._lock:
            found = self._entries.get(session_id)
        return found if found is not None and time.monotonic() - found[0] < limit else None

    @staticmethod
    def _load(session_id: int) -> SessionScope | None:
        try:
            row = db.session.execute(
                sa.select(Session.instructor_id, Session.was_published).where(Session.id == session_id)
            ).first()
            if row is None:
                return None
            counties = dict(
                db.session.execute(
                    sa.select(Center.id, Center.county_id)
                    .join(SessionCenter, SessionCenter.center_id == Center.id)
                    .where(SessionCenter.session_id == session_id)
                ).tuples().all()
            )
            return SessionScope(row.instructor_id, bool(row.was_published), counties)
        finally:
            db.session.remove()  # a waiting stream holds no connection


def visible(viewer: Viewer, item: dict, cache: ScopeCache, session_id: int | None = None) -> bool:
    """Whether ``viewer`` may be told of ``item`` (on the stream of ``session_id``, if given)."""
    if item.get("kind") not in KINDS or not isinstance(item.get("session_id"), int):
        return False
    if session_id is not None and item["session_id"] != session_id:
        return False
    if viewer.staff:
        return True
    info = cache.get(item["session_id"])
    if info is None or not info.published:
        return False
    if viewer.role == Role.INSTRUCTOR:
        return info.instructor_id == viewer.instructor_id
    if viewer.role == Role.COUNTY_VIEWER:
        center_id = item.get("center_id")
        if center_id is None:  # the instructor's presence: seen where the county is invited
            return viewer.county_id in info.counties.values()
        if center_id not in info.counties:  # invited a moment ago?
            info = cache.get(item["session_id"], fresh_within=1.0) or info
        return info.counties.get(center_id) == viewer.county_id
    return False


def still_allowed(viewer: Viewer) -> bool:
    """The stream's user is still signed in the way it was (same session epoch, active, token
    not revoked or expired)."""
    try:
        user = db.session.get(User, viewer.user_id)
        if user is None or not user.active:
            return False
        if viewer.token_hash is not None:
            token = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == viewer.token_hash))
            return token is not None and token.revoked_at is None and token.usable(clock.now())
        return user.session_epoch == viewer.session_epoch
    finally:
        db.session.remove()


# --- the stream ------------------------------------------------------------------------------


def _setting(name: str) -> float:
    return float(current_app.config.get(name, DEFAULTS[name]))


def sse(item: dict) -> str:
    return f"event: {item['kind']}\ndata: {json.dumps(item, separators=(',', ':'))}\n\n"


def frames(
    viewer: Viewer, subscription: events.Subscription, session_id: int | None, cache: ScopeCache
) -> Iterator[str]:
    heartbeat = _setting("LIVE_STREAM_HEARTBEAT")
    max_age = _setting("LIVE_STREAM_MAX_AGE")
    recheck = _setting("LIVE_STREAM_RECHECK")
    retry = int(_setting("LIVE_STREAM_RETRY_MS"))
    started = last_write = last_check = time.monotonic()
    try:
        yield f"retry: {retry}\n: ieum live {session_id or 'all'}\n\n"
        while True:
            now = time.monotonic()
            if now - started >= max_age:
                yield ": max age, reconnect\n\n"
                return
            if now - last_check >= recheck:
                last_check = now
                if not still_allowed(viewer):
                    yield "event: end\ndata: {}\n\n"
                    return
            wait = min(heartbeat - (now - last_write), max_age - (now - started))
            item = subscription.get(timeout=max(wait, 0.01))
            if item is not None:
                if visible(viewer, item, cache, session_id):
                    yield sse(item)
                    last_write = time.monotonic()
            elif time.monotonic() - last_write >= heartbeat:
                yield ": keep-alive\n\n"
                last_write = time.monotonic()
    finally:
        subscription.close()


_cache = ScopeCache()


def _viewer() -> Viewer:
    """The bearer token's user (it wins over a cookie), else the page session's."""
    header = request.headers.get("Authorization")
    token_hash = None
    if header:
        user = user_from_bearer(header)
        if user is None:
            raise Unauthorized()
        token_hash = hash_token(header.split(None, 1)[1].strip())
    else:
        user = current_user
        if not user.is_authenticated:
            raise Unauthorized()
    scope.require_board_user(user)
    return Viewer(
        user_id=user.id,
        role=user.role,
        county_id=user.county_id,
        instructor_id=user.instructor_id,
        session_epoch=user.session_epoch or 0,
        token_hash=token_hash,
    )


@bp.get("/live/stream")
def live_stream():
    try:
        viewer = _viewer()
        session_id = id_arg("session_id")
        if session_id is not None:
            user = db.session.get(User, viewer.user_id)
            scope.get_board_session(user, session_id)
    except AppError as error:
        db.session.rollback()
        return jsonify(error.to_dict()), error.status
    db.session.commit()
    db.session.remove()  # the stream holds no connection while it waits
    subscription = events.hub().subscribe()
    response = Response(
        stream_with_context(frames(viewer, subscription, session_id, _cache)),
        mimetype="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
    response.call_on_close(subscription.close)
    return response
