"""Counties and their support periods, centers, members, attendance, care follow-ups, tablets."""

import secrets
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import Bounds, CodedEnum, TimestampMixin, check_between, check_in, utcnow
from app.extensions import db


class AttendanceStatus(CodedEnum):
    ATTENDED = "attended", _l("참여")
    ABSENT = "absent", _l("불참")
    TECHNICAL_ISSUE = "technical_issue", _l("접속 장애")
    EXCUSED = "excused", _l("사유 불참")


# A record with no status yet: joined, not reported.
UNREPORTED_LABEL = _l("미보고")


class MemberStatus(CodedEnum):
    ACTIVE = "active", _l("활동")
    MOVED = "moved", _l("이사")
    DECEASED = "deceased", _l("별세")


class FollowUpKind(CodedEnum):
    ABSENCE_STREAK = "absence_streak", _l("연속 불참")
    ATTENDANCE_DROP = "attendance_drop", _l("참여 급감")
    CENTER_SILENT = "center_silent", _l("경로당 무응답")


class FollowUpStatus(CodedEnum):
    OPEN = "open", _l("접수")
    IN_PROGRESS = "in_progress", _l("진행 중")
    RESOLVED = "resolved", _l("완료")


ATTENDANCE_STATUSES = AttendanceStatus.values()
MEMBER_STATUSES = MemberStatus.values()
FOLLOW_UP_KINDS = FollowUpKind.values()
FOLLOW_UP_STATUSES = FollowUpStatus.values()
# A follow-up still being worked: at most one per case (see FollowUp's partial unique indexes).
FOLLOW_UP_ACTIVE = (FollowUpStatus.OPEN.value, FollowUpStatus.IN_PROGRESS.value)

# A center's capacity, and a session's headcount (at most the capacity, or HEADCOUNT.max).
CAPACITY = Bounds(1, 500)
HEADCOUNT = Bounds(0, 500)
MAX_HEADCOUNT = HEADCOUNT.max
BIRTH_YEAR = Bounds(1900, 2100)


def new_calendar_key() -> str:
    return secrets.token_urlsafe(24)


class County(TimestampMixin, db.Model):
    __tablename__ = "counties"
    __table_args__ = (sa.UniqueConstraint("province", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(50))
    province: Mapped[str] = mapped_column(sa.String(50))

    support_periods: Mapped[list["SupportPeriod"]] = relationship(
        back_populates="county", cascade="all, delete-orphan", order_by="SupportPeriod.start"
    )
    centers: Mapped[list["Center"]] = relationship(back_populates="county", order_by="Center.name")

    def period_on(self, day: date) -> "SupportPeriod | None":
        return next((p for p in self.support_periods if p.start <= day <= p.end), None)

    def current_or_latest_period(self, today: date) -> "SupportPeriod | None":
        return self.period_on(today) or (self.support_periods[-1] if self.support_periods else None)


class SupportPeriod(TimestampMixin, db.Model):
    """A period in which the city supports the county's centers free of charge."""

    __tablename__ = "support_periods"
    __table_args__ = (sa.CheckConstraint("start <= \"end\"", name="ordered"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(sa.ForeignKey("counties.id", ondelete="CASCADE"), index=True)
    start: Mapped[date]
    end: Mapped[date]
    note: Mapped[str] = mapped_column(sa.String(200), default="")

    county: Mapped[County] = relationship(back_populates="support_periods")


class Center(TimestampMixin, db.Model):
    __tablename__ = "centers"
    __table_args__ = (
        sa.UniqueConstraint("county_id", "name"),
        check_between("capacity", CAPACITY, name="capacity_range", nullable=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(sa.ForeignKey("counties.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    address: Mapped[str] = mapped_column(sa.String(200), default="")
    capacity: Mapped[int | None]
    active: Mapped[bool] = mapped_column(default=True)
    calendar_key: Mapped[str] = mapped_column(sa.String(64), default=new_calendar_key, unique=True)

    county: Mapped[County] = relationship(back_populates="centers")

    @property
    def max_headcount(self) -> int:
        return self.capacity or MAX_HEADCOUNT


class Member(TimestampMixin, db.Model):
    """A senior registered at a center. Personal data: shown only within scope."""

    __tablename__ = "members"
    __table_args__ = (
        check_in("status", MemberStatus, name="status_known"),
        check_between("birth_year", BIRTH_YEAR, name="birth_year_range", nullable=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int] = mapped_column(sa.ForeignKey("centers.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(50))
    birth_year: Mapped[int | None]
    phone: Mapped[str | None] = mapped_column(sa.String(30))
    status: Mapped[str] = mapped_column(sa.String(10), default="active")
    note: Mapped[str] = mapped_column(sa.String(200), default="")

    center: Mapped[Center] = relationship()


class AttendanceMember(db.Model):
    __tablename__ = "attendance_members"
    __table_args__ = (sa.Index("ix_attendance_members_member_id", "member_id"),)

    attendance_id: Mapped[int] = mapped_column(
        sa.ForeignKey("attendance.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id"), primary_key=True)


class Attendance(TimestampMixin, db.Model):
    """One record per (session, center). A null status means joined but not yet reported.

    ``session_date`` copies the session's date so reports by center and period use one index.
    """

    __tablename__ = "attendance"
    __table_args__ = (
        sa.UniqueConstraint("session_id", "center_id"),
        check_in("status", AttendanceStatus, name="status_known", nullable=True),
        check_between("headcount", HEADCOUNT, name="headcount_range", nullable=True),
        sa.Index("ix_attendance_center_id_session_date", "center_id", "session_date"),
        sa.Index("ix_attendance_session_date", "session_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("sessions.id"))
    center_id: Mapped[int] = mapped_column(sa.ForeignKey("centers.id"))
    session_date: Mapped[date]
    status: Mapped[str | None] = mapped_column(sa.String(20))
    headcount: Mapped[int | None]
    joined_at: Mapped[datetime | None]
    left_at: Mapped[datetime | None]
    recorded_at: Mapped[datetime | None]
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    source: Mapped[str | None] = mapped_column(sa.String(10))
    client_ref: Mapped[str | None] = mapped_column(sa.String(64))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    version: Mapped[int] = mapped_column(default=1)

    members: Mapped[list[AttendanceMember]] = relationship(cascade="all, delete-orphan", passive_deletes=True)
    center: Mapped[Center] = relationship()

    @property
    def member_ids(self) -> list[int]:
        return sorted(m.member_id for m in self.members)


class AttendanceSubmission(db.Model):
    """A submission applied to a record, by its idempotency key (``client_ref``): the primary
    key makes the database refuse the same submission twice, however it arrives."""

    __tablename__ = "attendance_submissions"

    attendance_id: Mapped[int] = mapped_column(
        sa.ForeignKey("attendance.id", ondelete="CASCADE"), primary_key=True
    )
    client_ref: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    applied_at: Mapped[datetime] = mapped_column(default=utcnow)


_ACTIVE_SQL = "status IN (" + ", ".join(f"'{s}'" for s in FOLLOW_UP_ACTIVE) + ")"


class FollowUp(TimestampMixin, db.Model):
    """A care follow-up on the county's worklist."""

    __tablename__ = "follow_ups"
    __table_args__ = (
        check_in("kind", FollowUpKind, name="kind_known"),
        check_in("status", FollowUpStatus, name="status_known"),
        sa.Index("ix_follow_ups_county_id_status", "county_id", "status"),
        # At most one open (or in progress) follow-up per case: per (kind, member), and per
        # center for a silent center.
        sa.Index(
            "uq_follow_ups_active_member",
            "kind",
            "member_id",
            unique=True,
            postgresql_where=sa.text(f"member_id IS NOT NULL AND {_ACTIVE_SQL}"),
            sqlite_where=sa.text(f"member_id IS NOT NULL AND {_ACTIVE_SQL}"),
        ),
        sa.Index(
            "uq_follow_ups_active_center",
            "kind",
            "center_id",
            unique=True,
            postgresql_where=sa.text(f"kind = '{FollowUpKind.CENTER_SILENT.value}' AND {_ACTIVE_SQL}"),
            sqlite_where=sa.text(f"kind = '{FollowUpKind.CENTER_SILENT.value}' AND {_ACTIVE_SQL}"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    county_id: Mapped[int] = mapped_column(sa.ForeignKey("counties.id"))
    center_id: Mapped[int] = mapped_column(sa.ForeignKey("centers.id"), index=True)
    member_id: Mapped[int | None] = mapped_column(sa.ForeignKey("members.id"), index=True)
    status: Mapped[str] = mapped_column(sa.String(12), default="open")
    reason: Mapped[str] = mapped_column(sa.Text)
    note: Mapped[str] = mapped_column(sa.Text, default="")
    outcome: Mapped[str | None] = mapped_column(sa.String(20))
    resolved_at: Mapped[datetime | None]
    details: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)


class TabletDevice(TimestampMixin, db.Model):
    """A tablet paired to one center. ``pairing_code_hash`` is set until the code is used;
    once paired the tablet signs in as its own ``user`` (role center_manager, this center only)."""

    __tablename__ = "tablet_devices"

    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int] = mapped_column(sa.ForeignKey("centers.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    label: Mapped[str] = mapped_column(sa.String(80), default="")
    pairing_code_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    pairing_expires_at: Mapped[datetime | None]
    device_token_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    paired_at: Mapped[datetime | None]
    last_seen_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
