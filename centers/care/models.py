"""Care follow-ups on a county's worklist."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.database import TimestampMixin
from app.extensions import db

FOLLOW_UP_KINDS = ("absence_streak", "attendance_drop", "center_silent")

FOLLOW_UP_STATUSES = ("open", "in_progress", "resolved")


class FollowUp(TimestampMixin, db.Model):
    """A care follow-up on the county's worklist."""

    __tablename__ = "follow_ups"
    __table_args__ = (
        sa.CheckConstraint(
            "kind IN ('absence_streak', 'attendance_drop', 'center_silent')", name="kind_known"
        ),
        sa.CheckConstraint("status IN ('open', 'in_progress', 'resolved')", name="status_known"),
        sa.Index("ix_follow_ups_county_id_status", "county_id", "status"),
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
