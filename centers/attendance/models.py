"""Attendance: one record per (session, center), with the members present."""

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import CodedEnum, TimestampMixin, check_between, check_in, utcnow
from app.extensions import db
from centers.directory.models import HEADCOUNT, Center


class AttendanceStatus(CodedEnum):
    ATTENDED = "attended", _l("참여")
    ABSENT = "absent", _l("불참")
    TECHNICAL_ISSUE = "technical_issue", _l("접속 장애")
    EXCUSED = "excused", _l("사유 불참")


# A record with no status yet: joined, not reported.
UNREPORTED_LABEL = _l("미보고")

ATTENDANCE_STATUSES = AttendanceStatus.values()


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
        sa.CheckConstraint(
            "iframe_disconnects >= 0 AND jitsi_disconnects >= 0", name="disconnects_not_negative"
        ),
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
    # Times the center dropped out of the room and came back, as each source saw it on its own
    # (the tablet's IFrame events; Jitsi's event_sync). The same drop is usually seen by both,
    # so the count is the larger of the two, never their sum (see :attr:`disconnects`).
    iframe_disconnects: Mapped[int] = mapped_column(default=0, server_default="0")
    jitsi_disconnects: Mapped[int] = mapped_column(default=0, server_default="0")

    members: Mapped[list[AttendanceMember]] = relationship(cascade="all, delete-orphan", passive_deletes=True)
    center: Mapped[Center] = relationship()

    @property
    def member_ids(self) -> list[int]:
        return sorted(m.member_id for m in self.members)

    @property
    def disconnects(self) -> int:
        return max(self.iframe_disconnects or 0, self.jitsi_disconnects or 0)


class AttendanceSubmission(db.Model):
    """A submission applied to a record, by its idempotency key (``client_ref``): the primary
    key makes the database refuse the same submission twice, however it arrives."""

    __tablename__ = "attendance_submissions"

    attendance_id: Mapped[int] = mapped_column(
        sa.ForeignKey("attendance.id", ondelete="CASCADE"), primary_key=True
    )
    client_ref: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    applied_at: Mapped[datetime] = mapped_column(default=utcnow)
