"""Feeds that cost nothing while unchanged: each feed's (ETag, body) and its key's hash are
kept in :mod:`app.cache`, so ``If-None-Match`` answers 304 and an unchanged 200 serves the
stored body, with no render and no query.

The ETag is still the hash of the body (API.md: it changes only when the content does). An
entry is used only under the same *fingerprint*: the feed's first day (it goes back
:data:`ical.HISTORY_DAYS`), the public base URL (the join links) and the organizer. Everything
else the text holds moves a generation through :mod:`programs.schedule.changes`: the sessions,
their invitations, program titles and categories, instructor and center names, and the keys.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterable
from datetime import timedelta

from flask import current_app

from app import clock
from app.cache import cache
from app.errors import NotFound
from programs.feeds import ical
from programs.schedule import changes

GEN_TTL = 2 * 24 * 3600  # longer than any entry
TTL = 3600  # a backstop (the feeds ask hourly): every change deletes the entry at once
CENTER, INSTRUCTOR = "center", "instructor"
BODY = ":body"  # the body's key next to the entry's (a 304 reads only the entry)


def feed_key(kind: str, feed_id: int) -> str:
    return f"feed:{kind}:{feed_id}"


def _hash(key: str | None) -> str:
    return hashlib.sha256((key or "").encode()).hexdigest()


def fingerprint() -> str:
    since = clock.today() - timedelta(days=ical.HISTORY_DAYS)
    organizer = current_app.config.get("CALENDAR_ORGANIZER") or ""
    return f"{since.isoformat()}|{ical.base_url()}|{organizer}"


RENDER: dict[str, Callable[[int, str | None], bytes]] = {
    CENTER: ical.center_feed,
    INSTRUCTOR: ical.instructor_feed,
}


def gen_key(kind: str, feed_id: int | None = None) -> str:
    """A feed's generation, or (no id) the generation of every feed."""
    return f"feed:gen:{kind}:{feed_id}" if feed_id is not None else "feed:gen:all"


def feed(kind: str, feed_id: int, given_key: str | None, known: Iterable[str] = ()) -> tuple[str, bytes | None]:
    """``(etag, body)`` of the feed, or 404 for a wrong key (checked against the stored hash
    when warm). ``body`` is None when the stored ETag is one of ``known`` (If-None-Match):
    the 304 then fetches only the small entry, never the body. An entry keeps the generations
    of its feed and of all feeds it was built under (:func:`_invalidate` moves them)."""
    key = feed_key(kind, feed_id)
    gens = [gen_key(kind, feed_id), gen_key(kind)]
    known = set(known)
    found = cache.get_many([key, *gens] if known else [key, key + BODY, *gens])
    entry = found[key]
    current = [fingerprint(), *(found[g] for g in gens)]
    if entry and entry.get("gens") == current:
        if not given_key or not hmac.compare_digest(entry["key"], _hash(given_key)):
            raise NotFound()
        if entry["etag"] in known:
            return entry["etag"], None
        body = found.get(key + BODY) if not known else cache.get(key + BODY)
        if isinstance(body, dict) and body.get("etag") == entry["etag"]:
            return entry["etag"], body["text"].encode()
    body = RENDER[kind](feed_id, given_key)  # checks the key itself (404)
    etag = ical.etag(body)
    # The render checked the given key against the stored one (404 otherwise): it is the stored key.
    entry = {"gens": current, "key": _hash(given_key), "etag": etag}
    cache.set_many({key: entry, key + BODY: {"etag": etag, "text": body.decode()}}, ttl=TTL)
    return etag, body


def _invalidate(change: changes.ScheduleChange) -> None:
    keys = [gen_key(CENTER, c) for c in sorted(change.centers)]
    keys += [gen_key(INSTRUCTOR, i) for i in sorted(change.instructors)]
    if change.every_feed or change.dates:
        keys.append(gen_key(CENTER))
    cache.rotate_after_commit(*keys, ttl=GEN_TTL)


def init_app(app) -> None:
    changes.listen(_invalidate)
