"""The feed as icalendar's components write it: what programs/feeds/ical.py wrote before it
wrote its events itself. test_feed_text.py holds the two to the same bytes."""

from datetime import timedelta

import icalendar
import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from app import clock
from app.extensions import db
from programs.feeds.ical import HISTORY_DAYS, PRODID, join_page_url, organizer, uid, vtimezone
from programs.schedule.models import Session, SessionCenter


def center_sessions(center_id: int) -> list[Session]:
    since = clock.today() - timedelta(days=HISTORY_DAYS)
    invited = sa.select(SessionCenter.session_id).where(SessionCenter.center_id == center_id)
    stmt = (
        sa.select(Session)
        .where(Session.id.in_(invited), Session.was_published, Session.date >= since)
        .options(selectinload(Session.invitations))
        .order_by(Session.date, Session.start_time, Session.id)
    )
    return list(db.session.scalars(stmt))


def event(session: Session) -> icalendar.Event:
    cancelled = session.status == "cancelled"
    out = icalendar.Event()
    out.add("uid", uid(session))
    stamp = max(
        t for t in (session.updated_at, session.published_at, session.cancelled_at) if t is not None
    )
    out.add("dtstamp", stamp)
    out.add("last-modified", stamp)
    out.add("created", session.created_at)
    out.add("dtstart", session.starts_at)
    out.add("dtend", session.ends_at)
    title = session.program.title
    out.add("summary", _("[취소] %(title)s", title=title) if cancelled else title)
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
    out.add("description", "\n".join(lines))
    out.add("location", _("이음 화상 수업"))
    out.add("url", url)
    out.add("categories", [session.program.category])
    out.add("sequence", session.sequence or 0)
    out.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    out.add("transp", "TRANSPARENT" if cancelled else "OPAQUE")
    who = organizer()
    if who is not None:
        out.add("organizer", who)
    return out


def build(name: str, sessions: list[Session]) -> bytes:
    with force_locale("ko"):
        cal = icalendar.Calendar()
        cal.add("prodid", PRODID)
        cal.add("version", "2.0")
        cal.add("calscale", "GREGORIAN")
        if organizer() is not None:
            cal.add("method", "PUBLISH")
        cal.add("x-wr-calname", name)
        cal.add("x-wr-timezone", "Asia/Seoul")
        cal.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", "PT1H")
        cal.add_component(vtimezone("Asia/Seoul"))
        for session in sessions:
            cal.add_component(event(session))
        return cal.to_ical()
