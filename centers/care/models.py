"""Care follow-ups on a county's worklist."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from app.database import CodedEnum, TimestampMixin, check_in
from app.extensions import db


class FollowUpKind(CodedEnum):
    ABSENCE_STREAK = "absence_streak", _l("연속 불참")
    ATTENDANCE_DROP = "attendance_drop", _l("참여 급감")
    CENTER_SILENT = "center_silent", _l("경로당 무응답")


class FollowUpStatus(CodedEnum):
    OPEN = "open", _l("접수")
    IN_PROGRESS = "in_progress", _l("진행 중")
    RESOLVED = "resolved", _l("완료")


FOLLOW_UP_KINDS = FollowUpKind.values()
FOLLOW_UP_STATUSES = FollowUpStatus.values()
# A follow-up still being worked: at most one per case (see FollowUp's partial unique indexes).
FOLLOW_UP_ACTIVE = (FollowUpStatus.OPEN.value, FollowUpStatus.IN_PROGRESS.value)

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
