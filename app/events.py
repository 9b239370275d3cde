"""Live events: what changed on the live board, published after the database commit and
delivered to every worker's open streams.

An event is ``{kind, session_id, center_id, at}``. Features declare which rows raise which kind
with :func:`watch`; the rows a transaction inserts, updates or deletes become events when that
transaction commits, and are dropped when it (or the savepoint they were flushed in) rolls back.
A commit publishes each ``(kind, session_id, center_id)`` once.

Transport (:func:`hub`): **Redis pub/sub** on the channel :data:`CHANNEL` (or
``LIVE_EVENTS_CHANNEL``; pub/sub channels ignore Redis database numbers) when ``REDIS_URL`` is
set. Each process holds one publishing connection pool and one subscribing connection (a daemon
listener thread) and fans every message out to the subscriptions of its open streams, so a change
made on one worker or app server reaches the streams of all of them. Without ``REDIS_URL`` an
in-process hub does the same within one process (the embedded default: ``flask run``, one worker).
Redis pub/sub keeps nothing: a client that was away refetches the board when it reconnects.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app, has_app_context
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import object_session

from app import clock

log = logging.getLogger(__name__)

CHANNEL = "ieum:live"
PENDING = "ieum_live_events"  # Session.info key: events flushed in the open transaction
MARKS = "ieum_live_marks"  # Session.info key: where each open savepoint's events begin
# A stream that stops reading keeps only its latest events (it refetches the board anyway).
QUEUE_LENGTH = 256
# Seconds a process stops publishing after Redis failed it (a commit never waits on a dead Redis).
REDIS_RETRY_AFTER = 5.0


def event(kind: str, session_id: int | None, center_id: int | None, at=None) -> dict[str, Any]:
    moment = at or clock.now()
    return {"kind": kind, "session_id": session_id, "center_id": center_id, "at": moment.isoformat()}


class Subscription:
    """One stream's queue of events; :meth:`close` it when the stream ends."""

    def __init__(self, hub: Hub):
        self._hub = hub
        self._events: deque[dict] = deque(maxlen=QUEUE_LENGTH)
        self._ready = threading.Condition()
        self.closed = False

    def put(self, item: dict) -> None:
        with self._ready:
            self._events.append(item)
            self._ready.notify()

    def get(self, timeout: float) -> dict | None:
        """The next event, or None after ``timeout`` seconds without one."""
        with self._ready:
            if not self._events:
                self._ready.wait(timeout)
            return self._events.popleft() if self._events else None

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self._hub.unsubscribe(self)

    def __enter__(self) -> Subscription:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class Hub:
    """This process's end of the transport: publish events, and fan received ones out."""

    backend = "memory"

    def __init__(self) -> None:
        self._subscribers: set[Subscription] = set()
        self._lock = threading.Lock()

    @property
    def subscribers(self) -> int:
        return len(self._subscribers)

    def subscribe(self) -> Subscription:
        subscription = Subscription(self)
        with self._lock:
            self._subscribers.add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        with self._lock:
            self._subscribers.discard(subscription)

    def publish(self, events: Iterable[dict]) -> None:
        for item in events:
            self.deliver(item)

    def deliver(self, item: dict) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        for subscription in subscribers:
            subscription.put(item)


class RedisHub(Hub):
    """Redis pub/sub: every process publishes to :data:`CHANNEL` and listens to it once."""

    backend = "redis"

    def __init__(self, url: str, channel: str = CHANNEL) -> None:
        super().__init__()
        self.url = url
        self.channel = channel
        self._pid = os.getpid()
        self._client = None
        self._listener: threading.Thread | None = None
        self._listening = threading.Event()
        self._down_until = 0.0

    def _redis(self):
        import redis

        if self._client is None or self._pid != os.getpid():
            # Short timeouts: a Redis outage delays a commit by at most half a second.
            self._client = redis.Redis.from_url(
                self.url, socket_connect_timeout=0.5, socket_timeout=0.5
            )
            self._pid = os.getpid()
        return self._client

    def publish(self, events: Iterable[dict]) -> None:
        import redis

        items = [json.dumps(item, separators=(",", ":")) for item in events]
        if not items or time.monotonic() < self._down_until:
            return
        try:
            pipe = self._redis().pipeline(transaction=False)
            for item in items:
                pipe.publish(self.channel, item)
            pipe.execute()
        except redis.RedisError as error:  # the change is committed; its event is lost
            # Redis is down: the next commits do not wait on it for a while (boards poll).
            self._down_until = time.monotonic() + REDIS_RETRY_AFTER
            log.warning("live events not published (%s): %s", self.url, error)

    def subscribe(self) -> Subscription:
        subscription = super().subscribe()
        self._ensure_listener()
        # The first stream of a process waits (briefly) until Redis has the subscription.
        self._listening.wait(2.0)
        return subscription

    def _ensure_listener(self) -> None:
        with self._lock:
            if self._listener is not None and self._listener.is_alive() and self._pid == os.getpid():
                return
            self._listening.clear()
            self._listener = threading.Thread(target=self._listen, name="ieum-live-events", daemon=True)
            self._listener.start()

    def _listen(self) -> None:
        import redis

        delay = 0.5
        while True:
            pubsub = None
            try:
                client = redis.Redis.from_url(
                    self.url, socket_connect_timeout=2, socket_keepalive=True, health_check_interval=30
                )
                pubsub = client.pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(self.channel)
                pubsub.get_message(timeout=2.0)  # the subscription's confirmation
                self._listening.set()
                delay = 0.5
                while True:
                    message = pubsub.get_message(timeout=5.0)
                    if message and message.get("type") == "message":
                        self._receive(message["data"])
            except redis.RedisError as error:
                self._listening.clear()
                log.warning("live events: Redis listener lost (%s), retrying in %.1fs", error, delay)
                threading.Event().wait(delay)
                delay = min(delay * 2, 10.0)
            finally:
                if pubsub is not None:
                    try:
                        pubsub.close()
                    except redis.RedisError:
                        pass

    def _receive(self, data: bytes | str) -> None:
        try:
            item = json.loads(data)
        except ValueError:
            return
        if isinstance(item, dict):
            self.deliver(item)


_hubs_lock = threading.Lock()


def hub(app: Flask | None = None) -> Hub:
    """The app's hub: Redis pub/sub when ``REDIS_URL`` is set, else in-process."""
    app = app or current_app._get_current_object()
    found = app.extensions.get("ieum_events")
    if found is None:
        with _hubs_lock:
            found = app.extensions.get("ieum_events")
            if found is None:
                url = app.config.get("LIVE_EVENTS_REDIS_URL") or app.config.get("REDIS_URL")
                channel = app.config.get("LIVE_EVENTS_CHANNEL") or CHANNEL
                found = RedisHub(url, channel) if url else Hub()
                app.extensions["ieum_events"] = found
    return found


def publish(events: Iterable[dict], app: Flask | None = None) -> None:
    hub(app).publish(list(events))


# --- raising events from rows ----------------------------------------------------------------

Key = Callable[[Any], tuple[int | None, int | None]]


def watch(model: type, kind: str, key: Key) -> None:
    """Rows of ``model`` raise ``kind`` events once their transaction commits; ``key(row)`` gives
    ``(session_id, center_id)``. Rows the ORM writes count, and so do Core ``INSERT``s into the
    model's table run through the session (``INSERT … ON CONFLICT DO NOTHING``, whose values
    stand in for the row)."""
    _install_session_hooks()

    def collect(_mapper, _connection, target) -> None:
        session = object_session(target)
        if session is not None:
            _pending(session, kind, key(target))

    for name in ("after_insert", "after_update", "after_delete"):
        sa.event.listen(model, name, collect)
    _core_inserts[model.__table__.name] = (kind, key)


_core_inserts: dict[str, tuple[str, Key]] = {}


def _pending(session: OrmSession, kind: str, keys: tuple[int | None, int | None]) -> None:
    session_id, center_id = keys
    session.info.setdefault(PENDING, []).append(event(kind, session_id, center_id))


def _core_insert(state) -> None:
    statement = state.statement
    if not state.is_insert or not isinstance(statement, sa.Insert):
        return
    watched = _core_inserts.get(getattr(statement.table, "name", ""))
    if watched is None:
        return
    kind, key = watched
    params = statement.compile().params
    if state.parameters and isinstance(state.parameters, dict):
        params = {**params, **state.parameters}
    _pending(state.session, kind, key(_Values(params)))


class _Values:
    """A Core insert's values, read as the row's attributes."""

    def __init__(self, params: dict):
        self._params = params

    def __getattr__(self, name: str):
        return self._params.get(name)


_hooks_installed = False


def _install_session_hooks() -> None:
    global _hooks_installed
    if _hooks_installed:
        return
    _hooks_installed = True
    sa.event.listen(OrmSession, "do_orm_execute", _core_insert)
    sa.event.listen(OrmSession, "after_transaction_create", _savepoint_began)
    sa.event.listen(OrmSession, "after_commit", _committed)
    sa.event.listen(OrmSession, "after_soft_rollback", _rolled_back)


def _savepoint_began(session: OrmSession, transaction) -> None:
    if transaction.nested:
        marks = session.info.setdefault(MARKS, {})
        marks[id(transaction)] = len(session.info.get(PENDING, ()))


def _rolled_back(session: OrmSession, previous_transaction) -> None:
    pending = session.info.get(PENDING)
    marks = session.info.get(MARKS, {})
    if previous_transaction.nested:
        mark = marks.pop(id(previous_transaction), None)
        if pending is not None and mark is not None:
            del pending[mark:]
        return
    session.info.pop(PENDING, None)
    session.info.pop(MARKS, None)


def _committed(session: OrmSession) -> None:
    if session.in_nested_transaction():
        # A savepoint was released: its events wait for the real commit.
        session.info.get(MARKS, {}).pop(id(session.get_nested_transaction()), None)
        return
    pending = session.info.pop(PENDING, None)
    session.info.pop(MARKS, None)
    if not pending or not has_app_context():
        return
    seen: set[tuple] = set()
    unique = []
    for item in pending:
        key = (item["kind"], item["session_id"], item["center_id"])
        if key not in seen:
            seen.add(key)
            unique.append(item)
    publish(unique)
