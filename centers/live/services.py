"""The live board's facts and the centers' calls for help. No request here: callers pass the
user; these flush, the view commits. Each fact is one query over every session or center asked
about, so a board of many sessions or a session of many centers costs the same few queries."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app import audit, clock
from app.errors import Invalid, NotFound
from app.extensions import db
from centers.attendance.models import Attendance
from centers.directory import scope as center_scope
from centers.directory.models import Center
from centers.live import scope as live_scope
from centers.live.models import MESSAGE_MAX_LENGTH, NOTE_MAX_LENGTH, HelpRequest
from centers.presence import scope as presence_scope
from centers.presence.models import RoomPresence
from programs.schedule.models import Session, SessionCenter, SessionStatus

# A center that has not joined this long after the start is late.
LATE_AFTER = timedelta(minutes=5)
# Help may be asked from this long before the start until the end.
HELP_OPENS_BEFORE = timedelta(minutes=15)


class Presence:
    NEVER_JOINED = "never_joined"
    IN_ROOM = "in_room"
    LEFT = "left"


def is_late(session: Session, joined: bool, now: datetime) -> bool:
    return not joined and now > session.starts_at + LATE_AFTER


def _in_scope(center_column, user):
    """``center_column IN (the user's board centers)``, or None when every center counts."""
    condition = live_scope.board_center_filter(user)
    if condition is None:
        return None
    return center_column.in_(sa.select(Center.id).where(condition))


def _where(stmt: sa.Select, *conditions) -> sa.Select:
    return stmt.where(*[c for c in conditions if c is not None])


# --- GET /live/today ------------------------------------------------------------------------


def today(user, county_id: int | None = None) -> dict:
    """Today's published sessions on the user's board, each with its centers counted."""
    live_scope.require_board_user(user)
    county_filter = None
    if county_id is not None:
        center_scope.get_county(user, county_id)
        county_filter = SessionCenter.center_id.in_(
            sa.select(Center.id).where(Center.county_id == county_id)
        )
    day = clock.today()
    stmt = sa.select(Session).where(Session.date == day, Session.status == SessionStatus.PUBLISHED)
    if county_filter is not None:
        stmt = stmt.where(
            Session.id.in_(_where(sa.select(SessionCenter.session_id), county_filter))
        )
    stmt = live_scope.scope_board_sessions(stmt, user).order_by(Session.start_time, Session.id)
    sessions = list(db.session.scalars(stmt))
    ids = [s.id for s in sessions]
    counts = _today_counts(user, ids, county_id)
    now = clock.now()
    rows = []
    for s in sessions:
        invited = counts["invited"].get(s.id, 0)
        joined, reported = counts["records"].get(s.id, (0, 0))
        rows.append(
            {
                "session_id": s.id,
                "title": s.program.title,
                "starts_at": s.starts_at,
                "ends_at": s.ends_at,
                "invited": invited,
                "in_room": counts["in_room"].get(s.id, 0),
                "late": max(invited - joined, 0) if now > s.starts_at + LATE_AFTER else 0,
                "help_open": counts["help_open"].get(s.id, 0),
                "reported": reported,
            }
        )
    return {"date": day, "sessions": rows}


def _today_counts(user, ids: list[int], county_id: int | None) -> dict:
    """Four queries whatever the number of sessions: invited, in the room, records, help."""
    if not ids:
        return {"invited": {}, "in_room": {}, "records": {}, "help_open": {}}

    def centers_in(column):
        county = (
            column.in_(sa.select(Center.id).where(Center.county_id == county_id))
            if county_id is not None
            else None
        )
        return _in_scope(column, user), county

    invited = _where(
        sa.select(SessionCenter.session_id, sa.func.count())
        .where(SessionCenter.session_id.in_(ids))
        .group_by(SessionCenter.session_id),
        *centers_in(SessionCenter.center_id),
    )
    in_room = _where(
        sa.select(RoomPresence.session_id, sa.func.count(sa.distinct(RoomPresence.center_id)))
        .join(
            SessionCenter,
            sa.and_(
                SessionCenter.session_id == RoomPresence.session_id,
                SessionCenter.center_id == RoomPresence.center_id,
            ),
        )
        .where(RoomPresence.session_id.in_(ids), RoomPresence.left_at.is_(None))
        .group_by(RoomPresence.session_id),
        *centers_in(RoomPresence.center_id),
    )
    records = _where(
        sa.select(
            Attendance.session_id,
            sa.func.count(Attendance.joined_at),
            sa.func.count(Attendance.status),
        )
        .join(
            SessionCenter,
            sa.and_(
                SessionCenter.session_id == Attendance.session_id,
                SessionCenter.center_id == Attendance.center_id,
            ),
        )
        .where(Attendance.session_id.in_(ids))
        .group_by(Attendance.session_id),
        *centers_in(Attendance.center_id),
    )
    help_open = _where(
        sa.select(HelpRequest.session_id, sa.func.count())
        .where(HelpRequest.session_id.in_(ids), HelpRequest.resolved_at.is_(None))
        .group_by(HelpRequest.session_id),
        *centers_in(HelpRequest.center_id),
    )
    return {
        "invited": dict(db.session.execute(invited).tuples().all()),
        "in_room": dict(db.session.execute(in_room).tuples().all()),
        "records": {sid: (j, r) for sid, j, r in db.session.execute(records)},
        "help_open": dict(db.session.execute(help_open).tuples().all()),
    }


# --- GET /sessions/{id}/live ----------------------------------------------------------------


def session_live(user, session_id: int) -> dict:
    """One tile (a ``center_live``) per invited center the user sees, by name."""
    session = live_scope.get_board_session(user, session_id)
    centers = list(db.session.scalars(live_scope.board_centers(user, session.id)))
    ids = [c.id for c in centers]
    open_rows = db.session.execute(
        sa.select(RoomPresence.participant, RoomPresence.center_id).where(
            RoomPresence.session_id == session.id, RoomPresence.left_at.is_(None)
        )
    ).all()
    present = {row.center_id for row in open_rows if row.center_id is not None}
    instructor = f"instructor-{session.instructor_id}"
    records = {
        a.center_id: a
        for a in db.session.scalars(
            sa.select(Attendance).where(
                Attendance.session_id == session.id, Attendance.center_id.in_(ids)
            )
        )
    } if ids else {}
    helps = latest_help(session.id, ids)
    now = clock.now()
    return {
        "session_id": session.id,
        "title": session.program.title,
        "status": session.status,
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "instructor_in_room": any(row.participant == instructor for row in open_rows),
        "centers": [
            center_live(session, c, c.id in present, records.get(c.id), helps.get(c.id), now)
            for c in centers
        ],
    }


def center_live(
    session: Session,
    center: Center,
    in_room: bool,
    record: Attendance | None,
    help_request: HelpRequest | None,
    now: datetime,
) -> dict:
    joined = record is not None and record.joined_at is not None
    if in_room:
        presence = Presence.IN_ROOM
    elif joined:
        presence = Presence.LEFT
    else:
        presence = Presence.NEVER_JOINED
    return {
        "center_id": center.id,
        "name": center.name,
        "county_id": center.county_id,
        "phone": center.contact_phone,
        "presence": presence,
        "joined_at": record.joined_at if record else None,
        "left_at": record.left_at if record and not in_room else None,
        "late": is_late(session, joined or in_room, now),
        "disconnects": record.disconnects if record else 0,
        "attendance_status": record.status if record else None,
        "help": help_request,
    }


def latest_help(session_id: int, center_ids: list[int]) -> dict[int, HelpRequest]:
    """Each center's open request, else its latest resolved one (one query)."""
    if not center_ids:
        return {}
    found: dict[int, HelpRequest] = {}
    stmt = (
        sa.select(HelpRequest)
        .where(HelpRequest.session_id == session_id, HelpRequest.center_id.in_(center_ids))
        .order_by(HelpRequest.requested_at, HelpRequest.id)
    )
    for request in db.session.scalars(stmt):
        current = found.get(request.center_id)
        if current is None or not current.is_open:
            found[request.center_id] = request
    return found


# --- help -----------------------------------------------------------------------------------


def help_window(session: Session) -> tuple[datetime, datetime]:
    return session.starts_at - HELP_OPENS_BEFORE, session.ends_at


def help_open_now(session: Session, now: datetime | None = None) -> bool:
    opens, closes = help_window(session)
    return opens <= (now or clock.now()) <= closes


def open_request(session_id: int, center_id: int) -> HelpRequest | None:
    return db.session.scalar(
        sa.select(HelpRequest).where(
            HelpRequest.session_id == session_id,
            HelpRequest.center_id == center_id,
            HelpRequest.resolved_at.is_(None),
        )
    )


def request_help(
    user, session_id: int, center_id: int | None = None, message: str = "", source: str = "api"
) -> tuple[HelpRequest, bool]:
    """A center asks for help: ``(request, created)``. Asking again while one is open changes
    nothing and returns that one. Another center: 403 (404 if it does not exist); a session
    not visible or not inviting the center: 404; not published: 422; outside the window
    (15 minutes before the start to the end): 422, ``details.field: "session"``."""
    live_scope.require_help_caller(user)
    message = (message or "").strip()
    if len(message) > MESSAGE_MAX_LENGTH:
        raise Invalid("message", _l("메시지는 500자 이하여야 합니다."))
    session, center = presence_scope.get_joinable_session(user, session_id, center_id)
    if not help_open_now(session):
        raise Invalid(
            "session", _l("도움 요청은 수업 시작 15분 전부터 끝날 때까지 보낼 수 있습니다.")
        )
    existing = open_request(session.id, center.id)
    if existing is not None:
        return existing, False
    request = HelpRequest(
        session_id=session.id,
        center_id=center.id,
        requested_at=clock.now(),
        requested_by_id=user.id,
        message=message,
    )
    try:
        with db.session.begin_nested():
            db.session.add(request)
    except sa.exc.IntegrityError:
        # Another tap won the race to the partial unique index: that one is the request.
        existing = open_request(session.id, center.id)
        if existing is None:
            raise
        return existing, False
    audit.record(
        user,
        "help.request",
        "help_request",
        request.id,
        after={"session_id": session.id, "center_id": center.id, "message": message},
        source=source,
    )
    return request, True


def resolve_help(
    user, session_id: int, center_id: int, note: str = "", source: str = "api"
) -> HelpRequest:
    """A coordinator closes the center's open request (with an optional note). A request
    already resolved is answered as it is; no request at all: 404."""
    live_scope.require_resolver(user)
    note = (note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise Invalid("note", _l("메모는 500자 이하여야 합니다."))
    if db.session.get(Session, session_id) is None:
        raise NotFound()
    request = db.session.scalar(
        sa.select(HelpRequest)
        .where(HelpRequest.session_id == session_id, HelpRequest.center_id == center_id)
        .order_by(HelpRequest.resolved_at.is_(None).desc(), HelpRequest.requested_at.desc())
        .limit(1)
        .with_for_update()
    )
    if request is None:
        raise NotFound()
    if not request.is_open:
        return request
    request.resolved_at = max(clock.now(), request.requested_at)
    request.resolved_by_id = user.id
    request.note = note
    db.session.flush()
    audit.record(
        user,
        "help.resolve",
        "help_request",
        request.id,
        before={"resolved_at": None},
        after={"resolved_at": request.resolved_at.isoformat(), "note": note},
        source=source,
    )
    return request


def help_counts(center_ids, start: datetime, end: datetime) -> dict[int, int]:
    """Help requests per center asked in ``[start, end)`` (one query), for the reports."""
    ids = list(center_ids)
    if not ids:
        return {}
    stmt = (
        sa.select(HelpRequest.center_id, sa.func.count())
        .where(
            HelpRequest.center_id.in_(ids),
            HelpRequest.requested_at >= start,
            HelpRequest.requested_at < end,
        )
        .group_by(HelpRequest.center_id)
    )
    return dict(db.session.execute(stmt).tuples().all())


def help_by_month(center_id: int, first: date, until: date) -> dict[date, int]:
    """Help requests of a center per month (the first of the month, Seoul) asked from ``first``
    to ``until`` inclusive (one query; a center asks a few times a month at most)."""
    start = clock.local_datetime(first, time(0, 0))
    end = clock.local_datetime(until + timedelta(days=1), time(0, 0))
    counts: dict[date, int] = {}
    for moment in db.session.scalars(
        sa.select(HelpRequest.requested_at).where(
            HelpRequest.center_id == center_id,
            HelpRequest.requested_at >= start,
            HelpRequest.requested_at < end,
        )
    ):
        month = moment.astimezone(clock.SEOUL).date().replace(day=1)
        counts[month] = counts.get(month, 0) + 1
    return counts


def help_counts_in_period(center_ids, first: date, until: date) -> dict[int, int]:
    """Help requests per center asked from ``first`` to ``until`` (Seoul dates, inclusive)."""
    return help_counts(
        center_ids,
        clock.local_datetime(first, time(0, 0)),
        clock.local_datetime(until + timedelta(days=1), time(0, 0)),
    )
