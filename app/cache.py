"""A small cache shared by every worker and app server: Redis when ``CACHE_REDIS_URL`` (or
``REDIS_URL``) is set, else a dict in this process (the embedded default, and the tests).

    from app.cache import cache
    cache.set("day:3:2026-12-01", {...}, ttl=600)
    cache.get("day:3:2026-12-01")          # the value, or None on a miss
    cache.get_many(["a", "b"])            # {"a": ..., "b": None}
    cache.invalidate_after_commit("a")     # deleted now AND after the session commits

Values are JSON (never pickle: the network is not trusted); keys get ``CACHE_KEY_PREFIX``.
Redis unreachable is a miss, never a 500: the failure is logged once, Redis is left alone for
``CACHE_RETRY_SECONDS``, and the deletes it missed are sent again when it answers (a TTL on
every key is the backstop). Without Redis each process has its own dict, so two workers do not
see each other's deletes: run more than one process only with Redis (README, "Deployment");
in production without Redis an entry lives ``CACHE_MEMORY_MAX_TTL`` (5 s) at most.

``invalidate_after_commit`` deletes at once and again in the SQLAlchemy session's
``after_commit``: a reader that filled the key from the old rows between the flush and the
commit cannot keep them, and a third ``CACHE_LATE_DELETE_SECONDS`` (1 s) later takes away what a
reader that loaded the old rows just before the commit stored just after it. The deletes after
the commit are dropped when the transaction rolls back.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

EXTENSION = "ieum_cache"
AFTER_COMMIT = "ieum_cache_after_commit"
DEFAULT_TTL = 3600
# A reader that loaded the old rows just before the commit may store them just after the
# after-commit delete: one more delete this much later takes that away too.
LATE_DELETE_SECONDS = 1.0
DELETE_CHUNK = 1000
# Without Redis in production, an entry lives this long at most (workers do not share deletes).
PRODUCTION_MEMORY_TTL = 5


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


class MemoryBackend:
    """A dict of (expires_at, json text) behind a lock: one process only."""

    name = "memory"

    def __init__(self, max_ttl: float | None = None) -> None:
        self._data: dict[str, tuple[float, str]] = {}
        self._lock = threading.Lock()
        self._max_ttl = max_ttl

    def get_many(self, keys: list[str]) -> list[str | None]:
        now = time.monotonic()
        out: list[str | None] = []
        with self._lock:
            for key in keys:
                item = self._data.get(key)
                if item is None:
                    out.append(None)
                elif item[0] <= now:
                    del self._data[key]
                    out.append(None)
                else:
                    out.append(item[1])
        return out

    def set_many(self, items: dict[str, str], ttl: int) -> None:
        if self._max_ttl is not None:
            ttl = min(ttl, self._max_ttl)
        expires = time.monotonic() + ttl
        with self._lock:
            for key, text in items.items():
                self._data[key] = (expires, text)

    def delete_many(self, keys: list[str]) -> None:
        with self._lock:
            for key in keys:
                self._data.pop(key, None)

    def clear(self, prefix: str) -> None:
        with self._lock:
            for key in [k for k in self._data if k.startswith(prefix)]:
                del self._data[key]


class RedisBackend:
    """Redis with short timeouts; every failure is a miss, and Redis is skipped for a while."""

    name = "redis"

    def __init__(self, url: str, *, timeout: float, retry_seconds: float) -> None:
        import redis

        self._errors = (redis.RedisError, OSError)
        self._client = redis.Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout, health_check_interval=30
        )
        self._retry_seconds = retry_seconds
        self._down_until = 0.0
        self._logged = False
        self._missed_deletes: set[str] = set()
        self._lock = threading.Lock()

    @property
    def client(self):
        return self._client

    def _available(self) -> bool:
        return time.monotonic() >= self._down_until

    def _failed(self, error: Exception) -> None:
        self._down_until = time.monotonic() + self._retry_seconds
        if not self._logged:
            self._logged = True
            log.warning("cache: Redis unreachable (%s); serving without the cache", error)

    def _recovered(self) -> None:
        """Send the deletes missed while Redis was away, before anything is read from it."""
        if self._logged:
            self._logged = False
            log.warning("cache: Redis answers again")
        if self._missed_deletes:
            with self._lock:
                missed, self._missed_deletes = list(self._missed_deletes), set()
            self._client.delete(*missed)

    def get_many(self, keys: list[str]) -> list[str | None]:
        if not self._available():
            return [None] * len(keys)
        try:
            self._recovered()
            values = self._client.mget(keys)
        except self._errors as error:
            self._failed(error)
            return [None] * len(keys)
        return [v.decode() if isinstance(v, bytes) else v for v in values]

    def set_many(self, items: dict[str, str], ttl: int) -> None:
        if not self._available():
            return
        try:
            self._recovered()
            pipe = self._client.pipeline(transaction=False)
            for key, text in items.items():
                pipe.set(key, text, ex=ttl)
            pipe.execute()
        except self._errors as error:
            self._failed(error)

    def delete_many(self, keys: list[str]) -> None:
        if self._available():
            try:
                self._recovered()
                if len(keys) <= DELETE_CHUNK:
                    self._client.delete(*keys)
                else:  # a national publish: many keys, in commands of a bounded size
                    pipe = self._client.pipeline(transaction=False)
                    for i in range(0, len(keys), DELETE_CHUNK):
                        pipe.delete(*keys[i : i + DELETE_CHUNK])
                    pipe.execute()
                return
            except self._errors as error:
                self._failed(error)
        with self._lock:
            self._missed_deletes.update(keys)

    def clear(self, prefix: str) -> None:
        try:
            keys = list(self._client.scan_iter(match=prefix + "*", count=1000))
            if keys:
                self._client.delete(*keys)
        except self._errors as error:
            self._failed(error)


class Cache:
    """The facade: prefixes keys, (de)serialises JSON, finds this app's backend."""

    def _state(self) -> tuple[MemoryBackend | RedisBackend, str]:
        return current_app.extensions[EXTENSION]

    @property
    def backend(self) -> MemoryBackend | RedisBackend:
        return self._state()[0]

    def get(self, key: str) -> Any:
        return self.get_many([key])[key]

    def get_many(self, keys: Iterable[str]) -> dict[str, Any]:
        keys = list(keys)
        if not keys:
            return {}
        backend, prefix = self._state()
        texts = backend.get_many([prefix + k for k in keys])
        out: dict[str, Any] = {}
        for key, text in zip(keys, texts, strict=True):
            try:
                out[key] = None if text is None else json.loads(text)
            except ValueError:
                out[key] = None
        return out

    def set(self, key: str, value: Any, ttl: int = DEFAULT_TTL) -> None:
        self.set_many({key: value}, ttl=ttl)

    def set_many(self, items: dict[str, Any], ttl: int = DEFAULT_TTL) -> None:
        if not items:
            return
        backend, prefix = self._state()
        backend.set_many({prefix + k: _dumps(v) for k, v in items.items()}, int(ttl))

    def delete(self, *keys: str) -> None:
        self.delete_many(keys)

    def delete_many(self, keys: Iterable[str]) -> None:
        keys = list(dict.fromkeys(keys))
        if not keys:
            return
        backend, prefix = self._state()
        backend.delete_many([prefix + k for k in keys])

    def clear(self) -> None:
        """Every key under this app's prefix (tests; never FLUSHDB)."""
        backend, prefix = self._state()
        backend.clear(prefix)

    def after_commit(self, fn: Callable[[], None], session: Session | None = None) -> None:
        """Call ``fn()`` once the session's transaction commits; forget it on rollback."""
        if session is None:
            from app.extensions import db

            session = db.session()
        session.info.setdefault(AFTER_COMMIT, []).append(fn)

    def invalidate_after_commit(self, *keys: str, session: Session | None = None) -> None:
        """Delete the keys now and again after the commit (see the module's docstring)."""
        keys = tuple(dict.fromkeys(keys))
        if not keys:
            return
        self.delete_many(keys)
        backend, prefix = self._state()
        full = [prefix + k for k in keys]
        self._now_and_later(lambda: backend.delete_many(full), session)

    def rotate_after_commit(self, *keys: str, ttl: int = DEFAULT_TTL, session: Session | None = None) -> None:
        """Give each key a new random value now and again after the commit (and a moment
        later): a *generation*. An entry that stored the generation it was built under is
        stale once the generation moved, however late its reader stored it."""
        keys = tuple(dict.fromkeys(keys))
        if not keys:
            return
        backend, prefix = self._state()
        full = [prefix + k for k in keys]

        def rotate() -> None:
            backend.set_many({k: _dumps(secrets.token_hex(8)) for k in full}, int(ttl))

        rotate()
        self._now_and_later(rotate, session)

    def _now_and_later(self, fn: Callable[[], None], session: Session | None) -> None:
        late = float(current_app.config.get("CACHE_LATE_DELETE_SECONDS", LATE_DELETE_SECONDS) or 0)

        def after() -> None:
            fn()
            if late > 0:
                timer = threading.Timer(late, fn)
                timer.daemon = True
                timer.start()

        self.after_commit(after, session=session)


cache = Cache()


def _run_after_commit(session: Session) -> None:
    for fn in session.info.pop(AFTER_COMMIT, ()):
        try:
            fn()
        except Exception:  # a cache failure must not turn a committed write into a 500
            log.exception("cache: after-commit callback failed")


def _drop_after_commit(session: Session, previous_transaction) -> None:
    """The outer transaction rolled back: nothing it did reaches the database."""
    if previous_transaction.parent is None:
        session.info.pop(AFTER_COMMIT, None)


_listening = False


def _listen() -> None:
    global _listening
    if _listening:
        return
    sa.event.listen(Session, "after_commit", _run_after_commit)
    sa.event.listen(Session, "after_soft_rollback", _drop_after_commit)
    _listening = True


def make_backend(config) -> MemoryBackend | RedisBackend:
    url = config.get("CACHE_REDIS_URL") or config.get("REDIS_URL")
    if url and config.get("CACHE_BACKEND", "auto") != "memory":
        return RedisBackend(
            url,
            timeout=float(config.get("CACHE_REDIS_TIMEOUT", 0.25)),
            retry_seconds=float(config.get("CACHE_RETRY_SECONDS", 5)),
        )
    max_ttl = config.get("CACHE_MEMORY_MAX_TTL")
    if max_ttl is None and config.get("IEUM_ENV") == "production":
        # Production without Redis may run several workers that cannot see each other's deletes.
        log.warning("cache: no REDIS_URL; each process caches for %s s at most", PRODUCTION_MEMORY_TTL)
        max_ttl = PRODUCTION_MEMORY_TTL
    return MemoryBackend(max_ttl=float(max_ttl) if max_ttl is not None else None)


def init_app(app: Flask) -> None:
    prefix = app.config.get("CACHE_KEY_PREFIX") or "ieum:"
    app.extensions[EXTENSION] = (make_backend(app.config), prefix)
    _listen()
