"""Who the caller is, from the cache: a signed-in cookie or a bearer token is answered without
a PostgreSQL round trip when warm, and revocation still takes effect at once.

Two kinds of entry, JSON in :mod:`app.cache` (Redis, shared by every worker and app server):

- ``auth:user:<id>``: a snapshot of the user (:data:`SNAPSHOT_FIELDS`: what the loaders check and
  what ``current_user`` is read for). The request's :class:`User` is rebuilt from it without a
  query, as a loaded row is, and attached to the session: any other column or relationship that
  is touched loads lazily as usual, and a write to it flushes as usual.
- ``auth:token:<sha256>``: the token's id, user id, ``expires_at`` (refused by the cached value),
  the ``last_used_at`` last written, so that the write happens at most every :data:`USED_EVERY`
  (API.md lists ``last_used_at`` to that precision), and a copy of its user's snapshot, so that
  a bearer request costs one cache round trip. A change to the user deletes its tokens' entries.

Invalidation happens in the flush: every ORM change to a user (sign-out's epoch, deactivation,
password, role, scope, display name, a tablet's user deactivated when the pairing is revoked) or
to a token (revoked, expiry, deleted) deletes its entry now and again after the commit
(``cache.invalidate_after_commit``). A bulk ``UPDATE``/``DELETE`` of either table through the
session moves a generation that every entry carries, so all entries are refused at once. Raw SQL
outside the session is not seen: change users and tokens through the ORM or the services.

A reader that missed fills the entry from the rows it read. Against a writer that commits
between that read and the fill, the writer leaves a *fence* (the time after its commit) and a
reader does not fill when a fence is newer than its own read (minus :data:`CLOCK_SLACK_SECONDS`
for clocks of different app servers). The TTL (``PRINCIPAL_CACHE_TTL``, 60 s) is the backstop,
also for the one case the deletes cannot reach: a server cut off from Redis while it revokes
(its missed deletes are sent when it reaches Redis again, meanwhile others may read the entry).
Redis unreachable for a reader is a miss: the caller is read from PostgreSQL.

``PRINCIPAL_CACHE``: ``auto`` (default) uses the cache only when it is shared (Redis): with the
in-process fallback a second worker would not see the first one's deletes. ``on`` uses it
anyway (tests, a single process), ``off`` never.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy import orm
from sqlalchemy.orm.attributes import set_committed_value

from app.auth.models import ApiToken, User, hash_token
from app.cache import cache
from app.extensions import db

VERSION = 1
DEFAULT_TTL = 60
USED_EVERY = timedelta(minutes=5)
FENCE_SECONDS = 30
CLOCK_SLACK_SECONDS = 1.0
GENERATION_KEY = "auth:generation"
GENERATION_TTL = 30 * 24 * 3600
# The columns kept in a user's snapshot; never the password hash.
SNAPSHOT_FIELDS = (
    "id", "username", "display_name", "role", "county_id", "center_id", "instructor_id",
    "active", "session_epoch",
)
SNAPSHOTTED = frozenset(SNAPSHOT_FIELDS)
# A token's changes that do not alter who it lets in.
TOKEN_BOOKKEEPING = frozenset({"last_used_at", "updated_at"})
# Statements that write users or tokens without changing who they let in.
SAFE_OPTION = "ieum_principal_bookkeeping"
PENDING = "ieum_principal_invalidations"


def user_key(user_id: int) -> str:
    return f"auth:user:{user_id}"


def token_key(digest: str) -> str:
    return f"auth:token:{digest}"


def _fence_key(key: str) -> str:
    return "auth:fence:" + key.removeprefix("auth:")


def enabled() -> bool:
    setting = str(current_app.config.get("PRINCIPAL_CACHE", "auto")).lower()
    if setting == "off" or not int(current_app.config.get("PRINCIPAL_CACHE_TTL", DEFAULT_TTL)):
        return False
    return setting == "on" or cache.backend.name == "redis"


def _ttl() -> int:
    return int(current_app.config.get("PRINCIPAL_CACHE_TTL", DEFAULT_TTL))


def _valid(entry: Any, generation: Any) -> bool:
    """An entry of this format and of the current generation (none yet: nothing is valid)."""
    return (
        generation is not None and isinstance(entry, dict)
        and entry.get("v") == VERSION and entry.get("g") == generation
    )


def _generation(seen: Any) -> str:
    """The generation to fill with: the one seen, or a new one when there is none (never filled
    with "none", so that a generation lost from the cache refuses every entry)."""
    if seen is not None:
        return seen
    generation = _new_generation()
    cache.set(GENERATION_KEY, generation, ttl=GENERATION_TTL)
    return generation


# --- reading ------------------------------------------------------------------------------


_USERS = sa.inspect(User).class_manager


def _attach(snapshot: dict) -> User:
    """The user of ``snapshot`` in this request's session, without a query: built as a loaded
    row is (committed values, no history), the other columns left to load on first touch."""
    session = db.session()
    present = session.identity_map.get(sa.orm.util.identity_key(User, snapshot["id"]))
    if present is not None:
        return present
    user = _USERS.new_instance()
    for name in SNAPSHOT_FIELDS:
        set_committed_value(user, name, snapshot[name])
    orm.make_transient_to_detached(user)
    session.add(user)
    return user


def _snapshot(user: User, generation: Any) -> dict:
    return {"v": VERSION, "g": generation, **{name: getattr(user, name) for name in SNAPSHOT_FIELDS}}


def _fill(entries: dict[str, dict], read_at: float) -> None:
    """Store ``entries`` unless a writer fenced one of them after ``read_at`` (wall clock)."""
    if db.session().dirty:
        return  # this unit of work changed rows: they may not be what was committed
    fences = cache.get_many([_fence_key(key) for key in entries])
    if any(isinstance(f, int | float) and f > read_at - CLOCK_SLACK_SECONDS for f in fences.values()):
        return
    cache.set_many(entries, ttl=_ttl())


def user_by_id(user_id: int, generation: Any = ..., cached: Any = ...) -> User | None:
    """The user, from its snapshot when warm, else from the database (filling the snapshot)."""
    if not enabled():
        return db.session.get(User, user_id)
    key = user_key(user_id)
    if generation is ... or cached is ...:
        found = cache.get_many([GENERATION_KEY, key])
        generation, cached = found[GENERATION_KEY], found[key]
    if _valid(cached, generation) and cached.get("id") == user_id:
        return _attach(cached)
    read_at = time.time()
    user = db.session.get(User, user_id)
    if user is not None:
        _fill({key: _snapshot(user, _generation(generation))}, read_at)
    return user


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def user_for_token(token: str, now: datetime) -> User | None:
    """The active user of a bearer token that is neither revoked nor expired, else None."""
    digest = hash_token(token)
    generation = None
    read_at = time.time()
    if enabled():
        key = token_key(digest)
        found = cache.get_many([GENERATION_KEY, key])
        generation, entry = found[GENERATION_KEY], found[key]
        if _valid(entry, generation):
            expires_at = _when(entry.get("expires_at"))
            if expires_at is not None and expires_at <= now:
                return None
            snapshot = entry.get("user")
            if isinstance(snapshot, dict) and snapshot.get("id") == entry["user_id"]:
                if not snapshot["active"]:
                    return None
                used_at = _when(entry.get("used_at"))
                if used_at is None or now - used_at > USED_EVERY:
                    _note_use(entry["id"], now)  # commits: before the user joins the session
                    _fill({key: {**entry, "used_at": now.isoformat()}}, read_at)
                return _attach(snapshot)
    row = db.session.scalar(
        sa.select(ApiToken).where(ApiToken.token_hash == digest, ApiToken.revoked_at.is_(None))
    )
    if row is None or (row.expires_at is not None and row.expires_at <= now):
        return None
    user = row.user
    usable = row.usable(now)
    note_use = usable and (row.last_used_at is None or now - row.last_used_at > USED_EVERY)
    if enabled():  # an inactive user's token too: refused from the cache from now on
        generation = _generation(generation)
        _fill({
            token_key(digest): {
                "v": VERSION, "g": generation, "id": row.id, "user_id": row.user_id,
                "expires_at": _iso(row.expires_at), "used_at": _iso(now if note_use else row.last_used_at),
                "user": _snapshot(user, generation),
            },
            user_key(user.id): _snapshot(user, generation),
        }, read_at)
    if not usable:
        return None
    if note_use:
        _note_use(row.id, now)
    return user


def _note_use(token_id: int, now: datetime) -> None:
    """``last_used_at``, committed at once, before the view starts its own unit of work (it
    changes nothing the cache holds, so it invalidates nothing)."""
    db.session.execute(
        sa.update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now)
        .execution_options(**{SAFE_OPTION: True, "synchronize_session": False})
    )
    db.session.commit()


# --- invalidating -------------------------------------------------------------------------


def _changed_columns(obj) -> set[str]:
    state = sa.inspect(obj)
    return {attr.key for attr in state.attrs if attr.history.has_changes()}


def _collect(session: orm.Session, _context, _instances) -> None:
    """Before each flush: the entries the flush makes stale."""
    keys: set[str] = set()
    users: list[int] = []
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, User) and obj.id is not None:
            if obj in session.deleted or _changed_columns(obj) & SNAPSHOTTED:
                users.append(obj.id)
        elif isinstance(obj, ApiToken) and obj.token_hash:
            if obj in session.deleted or _changed_columns(obj) - TOKEN_BOOKKEEPING - {"user"}:
                keys.add(token_key(obj.token_hash))
                for old in sa.inspect(obj).attrs.token_hash.history.deleted or ():
                    keys.add(token_key(old))
    if users and has_app_context() and enabled():
        keys.update(user_key(user_id) for user_id in users)
        # Each token entry holds its user's snapshot too (one round trip per request).
        with session.no_autoflush:
            digests = session.scalars(sa.select(ApiToken.token_hash).where(ApiToken.user_id.in_(users)))
            keys.update(token_key(digest) for digest in digests)
    if keys:
        _invalidate(session, keys)


def _bulk_write(state: orm.ORMExecuteState) -> None:
    """A bulk UPDATE/DELETE of users or tokens: every entry is refused after the commit."""
    if not (state.is_update or state.is_delete) or state.execution_options.get(SAFE_OPTION):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) in (User.__tablename__, ApiToken.__tablename__):
        _invalidate(state.session, {GENERATION_KEY})


def _new_generation() -> str:
    return f"{time.time():.6f}"


def _invalidate(session: orm.Session, keys: set[str]) -> None:
    """Delete ``keys`` now and after the commit, fence them, and (for :data:`GENERATION_KEY`)
    move the generation now and again after the commit."""
    if not has_app_context() or not enabled():
        return
    pending = session.info.setdefault(PENDING, set())
    if keys <= pending:
        return
    pending.update(keys)
    entries = sorted(k for k in keys if k != GENERATION_KEY)
    bulk = GENERATION_KEY in keys
    if entries:
        cache.invalidate_after_commit(*entries, session=session)
    if bulk:
        cache.set(GENERATION_KEY, _new_generation(), ttl=GENERATION_TTL)
    app = current_app._get_current_object()

    def after_commit() -> None:
        if not has_app_context():
            with app.app_context():
                return after_commit()
        now = time.time()
        cache.set_many({_fence_key(k): now for k in entries}, ttl=FENCE_SECONDS)
        if bulk:
            cache.set(GENERATION_KEY, _new_generation(), ttl=GENERATION_TTL)
        cache.delete_many(entries)

    cache.after_commit(after_commit, session=session)


def _forget(session: orm.Session, *_args) -> None:
    session.info.pop(PENDING, None)


def listen() -> None:
    for target, name, fn in (
        (orm.Session, "before_flush", _collect),
        (orm.Session, "do_orm_execute", _bulk_write),
        (orm.Session, "after_commit", _forget),
        (orm.Session, "after_soft_rollback", _forget),
    ):
        if not sa.event.contains(target, name, fn):
            sa.event.listen(target, name, fn)
