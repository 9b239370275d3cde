"""Calendar feeds (iCalendar, RFC 5545) for a center and for an instructor.

Published sessions only (a cancelled one stays, ``STATUS:CANCELLED``), with stable UIDs,
``SEQUENCE``, times in Asia/Seoul with its ``VTIMEZONE``, and the join page's URL. The body
depends only on the data — ``DTSTAMP`` is the session's last change, never the request time —
so its hash is an ETag that changes only with the content.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import UTC, datetime, timedelta
from functools import lru_cache

import icalendar
import sqlalchemy as sa
from flask import current_app, request
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from app import clock
from app.errors import NotFound
from app.extensions import db
from programs.catalog.models import Instructor
from programs.schedule import calendar_rules as rules
from programs.schedule.models import Session, SessionCenter

PRODID = "-//Ieum//Ieum schedules//KO"
UID_DOMAIN = "ieum"
HISTORY_DAYS = 90  # how far back a feed goes


def base_url() -> str:
    return (current_app.config.get("PUBLIC_BASE_URL") or request.url_root).rstrip("/")


def join_page_url(session_id: int) -> str:
    return f"{base_url()}/sessions/{session_id}/join"


def uid(session: Session) -> str:
    return f"session-{session.id}@{UID_DOMAIN}"


def _published(stmt: sa.Select) -> sa.Select:
    since = clock.today() - timedelta(days=HISTORY_DAYS)
    return (
        stmt.where(Session.was_published, Session.date >= since)
        .options(selectinload(Session.invitations))
        .order_by(Session.date, Session.start_time, Session.id)
    )


def center_sessions(center_id: int) -> list[Session]:
    invited = sa.select(SessionCenter.session_id).where(SessionCenter.center_id == center_id)
    return list(db.session.scalars(_published(sa.select(Session).where(Session.id.in_(invited)))))


def instructor_sessions(instructor_id: int) -> list[Session]:
    return list(
        db.session.scalars(
            _published(sa.select(Session).where(Session.instructor_id == instructor_id))
        )
    )


# --- the time zone --------------------------------------------------------------------------

TZ_WINDOW = (1970, 2038)  # the years the VTIMEZONE spells out, as icalendar's own does


def _offsets(tz, at: datetime) -> tuple[timedelta, timedelta, str]:
    local = at.astimezone(tz)
    return local.utcoffset(), local.dst() or timedelta(0), local.tzname()


@lru_cache(maxsize=4)
def vtimezone(tzid: str = "Asia/Seoul") -> icalendar.Timezone:
    """The zone's VTIMEZONE from the tzdata transitions themselves (found hour by hour in UTC).

    icalendar's generated one puts the 1987–88 Korean daylight-saving onsets an hour late
    (03:00 instead of 02:00 standard time); RFC 5545 wants each onset as the wall time *before*
    the change (UTC + TZOFFSETFROM), which is what this writes."""
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(tzid)
    start = datetime(TZ_WINDOW[0], 1, 1, tzinfo=UTC)
    end = datetime(TZ_WINDOW[1], 1, 1, tzinfo=UTC)
    first = _offsets(tz, start)
    out = icalendar.Timezone()
    out.add("tzid", tzid)
    out.add("x-lic-location", tzid)
    initial = icalendar.TimezoneStandard()
    initial.add("dtstart", datetime(TZ_WINDOW[0], 1, 1))
    initial.add("tzoffsetfrom", first[0])
    initial.add("tzoffsetto", first[0])
    initial.add("tzname", first[2])
    out.add_component(initial)
    day, step = start, timedelta(days=1)
    before = first
    while day < end:
        after = _offsets(tz, day + step)
        if after[0] != before[0]:
            moment = day
            while _offsets(tz, moment + timedelta(hours=1))[0] == before[0]:
                moment += timedelta(hours=1)
            lo, hi = moment, moment + timedelta(hours=1)  # the change lies in (lo, hi]
            while hi - lo > timedelta(minutes=1):
                mid = lo + (hi - lo) / 2
                lo, hi = (mid, hi) if _offsets(tz, mid)[0] == before[0] else (lo, mid)
            now = _offsets(tz, hi)
            part = icalendar.TimezoneDaylight() if now[1] else icalendar.TimezoneStandard()
            part.add("dtstart", (hi + before[0]).replace(tzinfo=None))
            part.add("tzoffsetfrom", before[0])
            part.add("tzoffsetto", now[0])
            part.add("tzname", now[2])
            out.add_component(part)
            before = now
        day += step
    return out


# --- the organizer ----------------------------------------------------------------------------


def organizer() -> icalendar.vCalAddress | None:
    """``CALENDAR_ORGANIZER`` (``Name <mailto:address>`` or ``Name <address>``): the
    coordinating city that publishes the schedule. RFC 5546 needs it with ``METHOD:PUBLISH``."""
    value = (current_app.config.get("CALENDAR_ORGANIZER") or "").strip()
    if not value:
        return None
    match = re.fullmatch(r"(.*?)\s*<\s*(?:mailto:)?([^<>\s]+@[^<>\s]+)\s*>", value)
    name, address = (match.group(1), match.group(2)) if match else ("", value.removeprefix("mailto:"))
    who = icalendar.vCalAddress(f"mailto:{address}")
    if name:
        who.params["CN"] = icalendar.vText(name)
    return who


def _event(session: Session) -> icalendar.Event:
    cancelled = session.status == "cancelled"
    event = icalendar.Event()
    event.add("uid", uid(session))
    stamp = max(
        t for t in (session.updated_at, session.published_at, session.cancelled_at) if t is not None
    )
    event.add("dtstamp", stamp)
    event.add("last-modified", stamp)
    event.add("created", session.created_at)
    event.add("dtstart", session.starts_at)
    event.add("dtend", session.ends_at)
    title = session.program.title
    event.add("summary", _("[취소] %(title)s", title=title) if cancelled else title)
    url = join_page_url(session.id)
    lines = [
        _("강사: %(name)s", name=session.instructor.name),
        _("참여 경로당: %(n)s곳", n=len(session.invitations)),
        _("입장: %(url)s", url=url),
    ]
    if cancelled:
        lines.insert(
            0,
            _("취소된 수업입니다.")
            + (f" ({session.cancel_reason})" if session.cancel_reason else ""),
        )
    event.add("description", "\n".join(lines))
    event.add("location", _("이음 화상 수업"))
    event.add("url", url)
    event.add("categories", [session.program.category])
    event.add("sequence", session.sequence or 0)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "TRANSPARENT" if cancelled else "OPAQUE")
    who = organizer()
    if who is not None:
        event.add("organizer", who)
    return event


def build(name: str, sessions: list[Session]) -> bytes:
    """The feed: Korean text, whatever the reader's language."""
    with force_locale("ko"):
        cal = icalendar.Calendar()
        cal.add("prodid", PRODID)
        cal.add("version", "2.0")
        cal.add("calscale", "GREGORIAN")
        if organizer() is not None:
            # RFC 5546: a PUBLISH carries its ORGANIZER; without one configured, no METHOD.
            cal.add("method", "PUBLISH")
        cal.add("x-wr-calname", name)
        cal.add("x-wr-timezone", "Asia/Seoul")
        cal.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", "PT1H")
        # The zone comes first and is declared even in an empty feed (clients show it).
        cal.add_component(vtimezone("Asia/Seoul"))
        for session in sessions:
            cal.add_component(_event(session))
        return cal.to_ical()


def etag(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()[:32]


def _check_key(stored: str | None, given: str | None) -> None:
    if not stored or not given or not secrets.compare_digest(stored.encode(), given.encode()):
        raise NotFound()


def center_feed(center_id: int, key: str | None) -> bytes:
    t = rules.centers_table()
    row = db.session.execute(
        sa.select(t.c.name, t.c.calendar_key).where(t.c.id == center_id)
    ).first()
    _check_key(row.calendar_key if row else None, key)
    with force_locale("ko"):
        name = _("이음 — %(name)s", name=row.name)
    return build(name, center_sessions(center_id))


def instructor_feed(instructor_id: int, key: str | None) -> bytes:
    instructor = db.session.get(Instructor, instructor_id)
    _check_key(instructor.calendar_key if instructor else None, key)
    with force_locale("ko"):
        name = _("이음 — 강사 %(name)s", name=instructor.name)
    return build(name, instructor_sessions(instructor_id))
