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

from app import clock
from app.errors import NotFound
from app.extensions import db
from programs.catalog.models import Instructor, Program
from programs.schedule import calendar_rules as rules
from programs.schedule.models import Session, SessionCenter

PRODID = "-//Ieum//Ieum schedules//KO"
UID_DOMAIN = "ieum"
HISTORY_DAYS = 90  # how far back a feed goes
TZID = "Asia/Seoul"  # the sessions' wall times (app.clock.SEOUL)


def base_url() -> str:
    return (current_app.config.get("PUBLIC_BASE_URL") or request.url_root).rstrip("/")


def join_page_url(session_id: int) -> str:
    return f"{base_url()}/sessions/{session_id}/join"


def uid(session: Session) -> str:
    return f"session-{session.id}@{UID_DOMAIN}"


def _feed_rows(where) -> list[sa.Row]:
    """The feed's sessions in one statement: the columns an event shows, the program's and
    the instructor's, and the number of invited centers (no ORM objects, no N+1)."""
    since = clock.today() - timedelta(days=HISTORY_DAYS)
    invited = (
        sa.select(sa.func.count())
        .where(SessionCenter.session_id == Session.id)
        .correlate(Session)
        .scalar_subquery()
    )
    stmt = (
        sa.select(
            Session.id, Session.date, Session.start_time, Session.duration_minutes,
            Session.status, Session.sequence, Session.created_at, Session.updated_at,
            Session.published_at, Session.cancelled_at, Session.cancel_reason,
            Program.title, Program.category, Instructor.name.label("instructor"),
            invited.label("invited"),
        )
        .join(Program, Program.id == Session.program_id)
        .join(Instructor, Instructor.id == Session.instructor_id)
        .where(where, Session.was_published, Session.date >= since)
        .order_by(Session.date, Session.start_time, Session.id)
    )
    return list(db.session.execute(stmt))


def center_sessions(center_id: int) -> list[sa.Row]:
    invited = sa.select(SessionCenter.session_id).where(SessionCenter.center_id == center_id)
    return _feed_rows(Session.id.in_(invited))


def instructor_sessions(instructor_id: int) -> list[sa.Row]:
    return _feed_rows(Session.instructor_id == instructor_id)


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


# --- writing ---------------------------------------------------------------------------------
# The events are written here, line by line, rather than through icalendar's components (about
# 1 ms each: a year's feed took most of a second). The lines are exactly the ones icalendar
# writes (tests/programs/feeds/test_feed_text.py compares both byte for byte): its property
# order (SUMMARY, DTSTART, DTEND, DTSTAMP, UID, SEQUENCE, then the rest alphabetically), its
# TEXT escaping and its folding at 75 octets. The calendar around them, the VTIMEZONE and the
# ORGANIZER still come from icalendar, once per feed.


def _text(value: str) -> str:
    """RFC 5545 TEXT escaping, as ``icalendar.vText`` does it."""
    return (
        value.replace(r"\N", "\n")
        .replace("\\", "\\\\")
        .replace(";", r"\;")
        .replace(",", r"\,")
        .replace("\r\n", r"\n")
        .replace("\n", r"\n")
        .replace("\r", r"\n")
    )


def _fold(line: str) -> str:
    """A content line folded into pieces of at most 74 octets, as icalendar folds it: never
    inside a character, and an escape's backslash (or caret) moves to the next piece."""
    if line.isascii():
        if len(line) < 75:
            return line
        data = line.encode()
    else:
        data = line.encode()
        if len(data) < 75:
            return line
    parts, start, size = [], 0, len(data)
    while size - start > 74:
        end = start + 74
        while data[end] & 0xC0 == 0x80:  # a UTF-8 continuation byte: back to the character
            end -= 1
        if data[end - 1] in b"\\^" and end - 1 > start:
            end -= 1
        parts.append(data[start:end])
        start = end
    parts.append(data[start:])
    return b"\r\n ".join(parts).decode()


def _basic(m: datetime) -> str:
    """``20261124T100000``: a wall time in the basic format, to the second."""
    return f"{m.year:04d}{m.month:02d}{m.day:02d}T{m.hour:02d}{m.minute:02d}{m.second:02d}"


def _utc(moment: datetime) -> str:
    return _basic(moment.astimezone(UTC)) + "Z"


class _Writer:
    """What every event of one feed shares: the translated phrases, the base URL, the
    organizer's line; :meth:`event` writes one session's VEVENT."""

    def __init__(self) -> None:
        self.cancelled_title = _("[취소] %(title)s")
        self.teacher = _("강사: %(name)s")
        self.centers = _("참여 경로당: %(n)s곳")
        self.entry = _("입장: %(url)s")
        self.cancelled = _("취소된 수업입니다.")
        self.location = _fold("LOCATION:" + _text(_("이음 화상 수업")))
        self._seen: dict = {}
        self.base = base_url()
        who = organizer()
        self.organizer = None
        if who is not None:
            holder = icalendar.Event()
            holder.add("organizer", who)
            self.organizer = holder.content_line("ORGANIZER", holder["ORGANIZER"]).to_ical().decode()

    def _once(self, key, make):
        """``make()`` once per feed for each ``key`` (titles, names, stamps repeat)."""
        found = self._seen.get(key)
        if found is None:
            found = self._seen[key] = make()
        return found

    def event(self, row) -> str:
        cancelled = row.status == "cancelled"
        stamp = max(t for t in (row.updated_at, row.published_at, row.cancelled_at) if t is not None)
        stamp = self._once(("stamp", stamp), lambda: _utc(stamp))
        created = self._once(("stamp", row.created_at), lambda: _utc(row.created_at))
        starts = datetime.combine(row.date, row.start_time)  # Seoul wall time
        ends = starts + timedelta(minutes=row.duration_minutes)
        url = f"{self.base}/sessions/{row.id}/join"
        title = self.cancelled_title % {"title": row.title} if cancelled else row.title
        summary = self._once(("summary", title), lambda: _fold("SUMMARY:" + _text(title)))
        category = self._once(("category", row.category), lambda: _fold("CATEGORIES:" + _text(row.category)))

        def description_head() -> str:
            # Escaping the lines before the URL apart is the same as escaping the whole text:
            # each part ends in a newline, which no escape spans.
            head = [self.teacher % {"name": row.instructor}, self.centers % {"n": row.invited}, ""]
            if cancelled:
                reason = f" ({row.cancel_reason})" if row.cancel_reason else ""
                head.insert(0, self.cancelled + reason)
            return _text("\n".join(head))

        key = ("description", cancelled and row.cancel_reason, cancelled, row.instructor, row.invited)
        head = self._once(key, description_head)
        description = _fold("DESCRIPTION:" + head + _text(self.entry % {"url": url}))
        organizer = self.organizer + "\r\n" if self.organizer is not None else ""
        status, transp = ("CANCELLED", "TRANSPARENT") if cancelled else ("CONFIRMED", "OPAQUE")
        return (
            f"BEGIN:VEVENT\r\n{summary}\r\n"
            f"DTSTART;TZID={TZID}:{_basic(starts)}\r\nDTEND;TZID={TZID}:{_basic(ends)}\r\n"
            f"DTSTAMP:{stamp}\r\n{_fold(f'UID:session-{row.id}@{UID_DOMAIN}')}\r\n"
            f"SEQUENCE:{row.sequence or 0}\r\n{category}\r\nCREATED:{created}\r\n"
            f"{description}\r\nLAST-MODIFIED:{stamp}\r\n{self.location}\r\n{organizer}"
            f"STATUS:{status}\r\nTRANSP:{transp}\r\n{_fold('URL:' + url)}\r\nEND:VEVENT\r\n"
        )


@lru_cache(maxsize=4)
def _vtimezone_ical(tzid: str) -> bytes:
    return vtimezone(tzid).to_ical()


def build(name: str, sessions: list[sa.Row]) -> bytes:
    """The feed (the rows of :func:`center_sessions`): Korean text, whatever the reader's
    language."""
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
        head = cal.to_ical()
        end = b"END:VCALENDAR\r\n"
        assert head.endswith(end)
        writer = _Writer()
        events = "".join(writer.event(row) for row in sessions).encode()
        # The zone comes first and is declared even in an empty feed (clients show it).
        return head[: -len(end)] + _vtimezone_ical(TZID) + events + end


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
