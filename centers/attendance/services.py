"""Attendance: one record per (session, center), from the tablet, the pages and the API.

The rules (API.md):

- A record is accepted for a published session from its start on, for a center invited to it,
  from the center's manager (or its tablet) and from coordinators; county viewers only read.
- ``status`` is one of :data:`ATTENDANCE_STATUSES`; ``headcount`` an integer from 0 to the
  center's capacity (or 500) and at least the number of ``member_ids``, which must all be
  members of that center. Everything is checked before anything is written.
- ``client_ref`` is the idempotency key a device makes for one submission: the same submission
  sent twice, or fifty times at once, leaves one record and one audit entry. Each applied key is
  a row of ``attendance_submissions`` (primary key (record, client_ref)), written in the same
  transaction as the change, so the database itself refuses a second application.
- A later correction wins by its recorded time (``recorded_at``, made on the device), not by
  the order in which submissions arrive; an older submission changes nothing.
- Center managers may record and correct until ``ATTENDANCE_CORRECTION_DAYS`` (default 7)
  after the session ends; coordinators always.
- Every change goes to the audit log with who, when, the source and before/after.

Concurrency: the record row is made and locked by :func:`centers.attendance.records.lock_record`
(``SELECT … FOR UPDATE`` on PostgreSQL, after ``INSERT … ON CONFLICT DO NOTHING`` when it is
missing), so concurrent
submissions for one (session, center) take turns and each sees the previous one's result.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import selectinload

from app import audit, clock
from app.errors import Forbidden, Invalid, NotFound
from app.extensions import db
from centers.attendance import scope as attendance_scope
from centers.attendance.models import (
    ATTENDANCE_STATUSES,
    Attendance,
    AttendanceMember,
    AttendanceSubmission,
)
from centers.attendance.records import lock_record
from centers.directory import scope as center_scope
from centers.directory.models import Center
from centers.members.models import Member
from programs.schedule import scope as session_scope
from programs.schedule.models import Session, SessionCenter

ENTITY = "attendance"
RESULTS = ("recorded", "corrected", "duplicate", "superseded", "unchanged")


@dataclass
class Outcome:
    """What a submission did: ``recorded`` / ``corrected`` (applied), ``duplicate`` (this
    client_ref was applied before), ``superseded`` (a later recorded time is already stored),
    ``unchanged`` (same content as stored)."""

    record: Attendance
    result: str

    @property
    def applied(self) -> bool:
        return self.result in ("recorded", "corrected")


def correction_days() -> int:
    return int(current_app.config.get("ATTENDANCE_CORRECTION_DAYS", 7))


def snapshot(record: Attendance) -> dict[str, Any]:
    """The audited fields of a record, JSON-ready."""
    return {
        "status": record.status,
        "headcount": record.headcount,
        "member_ids": record.member_ids,
        "note": record.note or "",
        "recorded_at": record.recorded_at.isoformat() if record.recorded_at else None,
        "client_ref": record.client_ref,
    }


# --- validation ------------------------------------------------------------------------


def check_session_open(
    session: Session, center_id: int, now: datetime | None = None, *, invited: bool | None = None
) -> None:
    """The center is invited, the session published and started (API.md: 422 ``invalid``).
    ``invited``: whether the center is, when the caller knows already."""
    if not (center_id in session.center_ids if invited is None else invited):
        raise Invalid("center_id", _l("이 수업에 초대되지 않은 경로당입니다."))
    if session.status != "published":
        raise Invalid("session", _l("게시된 수업에만 출석을 기록할 수 있습니다."))
    if (now or clock.now()) < session.starts_at:
        raise Invalid("session", _l("수업이 시작된 뒤에 출석을 기록할 수 있습니다."))


def validate_entry(
    center: Center, status: Any, headcount: Any, member_ids: list | None
) -> list[int]:
    """Check status, headcount and members; return the member ids, sorted and unique."""
    if status not in ATTENDANCE_STATUSES:
        raise Invalid(
            "status", _l("출석 상태를 목록에서 고르세요."), allowed=list(ATTENDANCE_STATUSES)
        )
    if isinstance(headcount, bool) or not isinstance(headcount, int):
        raise Invalid("headcount", _l("참여 인원은 정수여야 합니다."))
    if not 0 <= headcount <= center.max_headcount:
        raise Invalid(
            "headcount",
            _l("참여 인원은 0명에서 %(max)s명 사이여야 합니다.", max=center.max_headcount),
            max=center.max_headcount,
        )
    ids: list[int] = []
    for value in member_ids or []:
        if isinstance(value, bool) or not isinstance(value, int):
            raise Invalid("member_ids", _l("어르신 번호가 올바르지 않습니다."))
        if value not in ids:
            ids.append(value)
    if ids:
        found = set(
            db.session.scalars(
                sa.select(Member.id).where(Member.id.in_(ids), Member.center_id == center.id)
            )
        )
        strangers = [i for i in ids if i not in found]
        if strangers:
            raise Invalid(
                "member_ids",
                _l("이 경로당에 등록되지 않은 어르신이 있습니다."),
                member_ids=strangers,
            )
    if headcount < len(ids):
        raise Invalid(
            "headcount",
            _l("참여 인원은 체크한 어르신 수(%(n)s명)보다 적을 수 없습니다.", n=len(ids)),
            min=len(ids),
        )
    return sorted(ids)


def _recorded_time(recorded_at: datetime | None, now: datetime) -> datetime:
    """The device's time of the submission, never later than the server's now."""
    if recorded_at is None:
        return now
    if recorded_at.tzinfo is None:
        raise Invalid("recorded_at", _l("기록 시각에는 시간대가 있어야 합니다."))
    return min(recorded_at.astimezone(UTC), now)


def _claim(record: Attendance, client_ref: str | None, now: datetime) -> bool:
    """Write the submission's key; ``False`` if the database already holds it (``ON CONFLICT DO
    NOTHING`` on the primary key), so a submission is never applied twice."""
    if not client_ref:
        return True
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = (
        insert(AttendanceSubmission.__table__)
        .values(attendance_id=record.id, client_ref=client_ref, applied_at=now)
        .on_conflict_do_nothing(index_elements=["attendance_id", "client_ref"])
        .returning(AttendanceSubmission.client_ref)
    )
    return db.session.execute(stmt).first() is not None


# --- writing ---------------------------------------------------------------------------


def record_attendance(
    user,
    session_id: int,
    center_id: int,
    *,
    status: str,
    headcount: int,
    member_ids: list[int] | None = None,
    client_ref: str | None = None,
    note: str | None = None,
    recorded_at: datetime | None = None,
    source: str = "api",
) -> Outcome:
    """Record or correct the (session, center) record. Flushes; the caller commits."""
    center = center_scope.get_center(user, center_id)
    attendance_scope.require_attendance_writer(user, center)
    session, invited = attendance_scope.attendance_session_inviting(user, session_id, center.id)
    now = clock.now()
    check_session_open(session, center.id, now, invited=invited)
    ids = validate_entry(center, status, headcount, member_ids)
    client_ref = (client_ref or "").strip() or None
    if client_ref and len(client_ref) > 64:
        raise Invalid("client_ref", _l("client_ref는 64자 이하여야 합니다."))
    note = note.strip()[:1000] if note is not None else None
    recorded_at = _recorded_time(recorded_at, now)

    # inserted if missing, then locked; and whether this client_ref was applied before
    record, applied = lock_record(session, center.id, client_ref)
    if applied:
        return Outcome(record, "duplicate")
    if not attendance_scope.attendance_window_open(user, session, now, correction_days()):
        raise Forbidden(
            _l(
                "수정 기간(수업 후 %(days)s일)이 지났습니다. 코디네이터에게 요청하세요.",
                days=correction_days(),
            ),
            reason="correction_window_closed",
        )
    if record.recorded_at is not None and recorded_at < record.recorded_at:
        return Outcome(record, "superseded")
    new_note = record.note if note is None else note
    if (record.status, record.headcount, record.member_ids, record.note) == (
        status,
        headcount,
        ids,
        new_note,
    ):
        return Outcome(record, "unchanged")

    if not _claim(record, client_ref, now):
        return Outcome(record, "duplicate")
    before = snapshot(record)
    keep = set(ids)
    record.members = [m for m in record.members if m.member_id in keep]
    present = {m.member_id for m in record.members}
    record.members.extend(AttendanceMember(member_id=i) for i in ids if i not in present)
    result = "recorded" if record.status is None else "corrected"
    record.status = status
    record.headcount = headcount
    record.note = new_note or ""
    record.recorded_at = recorded_at
    record.recorded_by_id = getattr(user, "id", None)
    record.source = source
    record.client_ref = client_ref
    if result == "corrected":
        record.version = (record.version or 1) + 1  # the first report keeps version 1
    audit.record(
        user,
        f"attendance.{'record' if result == 'recorded' else 'correct'}",
        ENTITY,
        record.id,
        before=before,
        after=snapshot(record),
        source=source,
    )
    db.session.flush()  # the record and its audit entry in one unit of work
    return Outcome(record, result)


# --- reading ---------------------------------------------------------------------------


def get_record(user, session_id: int, center_id: int) -> tuple[Session, Center, Attendance | None]:
    """The session, the center and its record (``None`` if none yet), all within scope."""
    center = center_scope.get_center(user, center_id)
    session = attendance_scope.attendance_session(user, session_id)
    if center.id not in session.center_ids:
        raise NotFound()  # no such record: the center is not invited
    record = db.session.scalar(
        sa.select(Attendance).where(
            Attendance.session_id == session.id, Attendance.center_id == center.id
        )
    )
    return session, center, record


def list_attendance(
    user,
    *,
    county_id: int | None = None,
    center_id: int | None = None,
    session_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[Attendance]:
    """Records in the caller's scope; a county or center filter outside it answers 403/404."""
    stmt = sa.select(Attendance).options(selectinload(Attendance.members))
    if county_id is not None:
        center_scope.get_county(user, county_id)
        stmt = stmt.join(Center, Center.id == Attendance.center_id).where(
            Center.county_id == county_id
        )
    if center_id is not None:
        center_scope.get_center(user, center_id)
        stmt = stmt.where(Attendance.center_id == center_id)
    if session_id is not None:
        stmt = stmt.where(Attendance.session_id == session_id)
    if date_from is not None:
        stmt = stmt.where(Attendance.session_date >= date_from)
    if date_to is not None:
        stmt = stmt.where(Attendance.session_date <= date_to)
    stmt = attendance_scope.scope_attendance(stmt, user).order_by(
        Attendance.session_date, Attendance.session_id, Attendance.center_id
    )
    if limit:
        stmt = stmt.limit(limit)
    if offset:
        stmt = stmt.offset(offset)
    return list(db.session.scalars(stmt))


def history(record: Attendance) -> list[audit.AuditLog]:
    return audit.history(ENTITY, record.id)


def can_edit(user, center: Center, session: Session) -> bool:
    """May the user record or correct now (role, scope and correction window)?"""
    return attendance_scope.can_write_attendance(user, center) and attendance_scope.attendance_window_open(
        user, session, clock.now(), correction_days()
    )


def regular_member_ids(center: Center, session: Session, last: int = 10) -> list[int]:
    """ "Everyone who usually comes": active members present at half or more of the center's
    last ``last`` attended sessions before this one; all active members when there is no history."""
    active = set(
        db.session.scalars(
            sa.select(Member.id).where(Member.center_id == center.id, Member.status == "active")
        )
    )
    recent = list(
        db.session.scalars(
            sa.select(Attendance.id)
            .where(
                Attendance.center_id == center.id,
                Attendance.status == "attended",
                Attendance.session_id != session.id,
                Attendance.session_date <= session.date,
            )
            .order_by(Attendance.session_date.desc(), Attendance.id.desc())
            .limit(last)
        )
    )
    if not recent:
        return sorted(active)
    counts = db.session.execute(
        sa.select(AttendanceMember.member_id, sa.func.count())
        .where(AttendanceMember.attendance_id.in_(recent))
        .group_by(AttendanceMember.member_id)
    ).all()
    return sorted(mid for mid, n in counts if mid in active and n * 2 >= len(recent))


# --- the coordinators' view ------------------------------------------------------------


@dataclass
class CenterRow:
    center: Center
    record: Attendance | None

    @property
    def joined(self) -> bool:
        return bool(self.record and self.record.joined_at)

    @property
    def reported(self) -> bool:
        return bool(self.record and self.record.status)


def session_overview(user, session: Session) -> list[CenterRow]:
    """Every invited center in the user's scope with its record (or none)."""
    stmt = (
        sa.select(Center)
        .join(SessionCenter, SessionCenter.center_id == Center.id)
        .where(SessionCenter.session_id == session.id)
        .order_by(Center.name)
    )
    centers = list(db.session.scalars(center_scope.scope_centers(stmt, user)))
    records = {
        r.center_id: r
        for r in db.session.scalars(
            sa.select(Attendance)
            .options(selectinload(Attendance.members))
            .where(Attendance.session_id == session.id)
        )
    }
    return [CenterRow(c, records.get(c.id)) for c in centers]


@dataclass
class SessionReport:
    session: Session
    invited: int
    reported: int
    joined: int

    @property
    def missing(self) -> int:
        return self.invited - self.reported


def session_reports(
    user, date_from: date, date_to: date, *, missing_only: bool = False, limit: int = 200
) -> list[SessionReport]:
    """Published sessions that have started, newest first, with invited / reported / joined
    counts over the centers in the user's scope."""
    center_ids = center_scope.visible_center_ids(user)
    in_range = sa.and_(
        Session.date >= date_from, Session.date <= date_to, Session.status == "published"
    )

    invited = (
        sa.select(SessionCenter.session_id, sa.func.count().label("n"))
        .join(Session, Session.id == SessionCenter.session_id)
        .where(in_range)
    )
    if center_ids is not None:
        invited = invited.where(SessionCenter.center_id.in_(center_ids))
    invited = invited.group_by(SessionCenter.session_id).subquery()

    counts = sa.select(
        Attendance.session_id,
        sa.func.count(Attendance.status).label("reported"),
        sa.func.count(Attendance.joined_at).label("joined"),
    ).where(Attendance.session_date >= date_from, Attendance.session_date <= date_to)
    if center_ids is not None:
        counts = counts.where(Attendance.center_id.in_(center_ids))
    counts = counts.group_by(Attendance.session_id).subquery()

    reported = sa.func.coalesce(counts.c.reported, 0)
    stmt = (
        sa.select(Session, invited.c.n, reported, sa.func.coalesce(counts.c.joined, 0))
        .join(invited, invited.c.session_id == Session.id)
        .outerjoin(counts, counts.c.session_id == Session.id)
        .where(in_range, Session.date <= clock.today())
        .order_by(Session.date.desc(), Session.start_time.desc(), Session.id)
        .limit(limit)
    )
    if missing_only:
        stmt = stmt.where(reported < invited.c.n)
    now = clock.now()
    rows = db.session.execute(session_scope.scope_sessions(stmt, user)).all()
    return [SessionReport(s, n, r, j) for s, n, r, j in rows if s.starts_at <= now]
