"""Calendar feeds (iCalendar, RFC 5545) for a center and for an instructor.

Published sessions only (a cancelled one stays, ``STATUS:CANCELLED``), with stable UIDs,
``SEQUENCE``, times in Asia/Seoul with its ``VTIMEZONE``, and the join page's URL. The body
depends only on the data — ``DTSTAMP`` is the session's last change, never the request time —
so its hash is an ETag that changes only with the content.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

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
    return event


def build(name: str, sessions: list[Session]) -> bytes:
    """The feed: Korean text, whatever the reader's language."""
    with force_locale("ko"):
        cal = icalendar.Calendar()
        cal.add("prodid", PRODID)
        cal.add("version", "2.0")
        cal.add("calscale", "GREGORIAN")
        cal.add("method", "PUBLISH")
        cal.add("x-wr-calname", name)
        cal.add("x-wr-timezone", "Asia/Seoul")
        cal.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", "PT1H")
        for session in sessions:
            cal.add_component(_event(session))
        if not sessions:
            # An empty feed still declares its zone (clients show it as Asia/Seoul).
            cal.add_component(icalendar.Timezone.from_tzid("Asia/Seoul"))
        cal.add_missing_timezones()
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
