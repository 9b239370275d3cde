"""Calls for help from a center during class."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.database import BigId, TimestampMixin
from app.extensions import db

MESSAGE_MAX_LENGTH = 500
NOTE_MAX_LENGTH = 500

_OPEN_SQL = "resolved_at IS NULL"


class HelpRequest(TimestampMixin, db.Model):
    """A center asking for help with a session, open until a coordinator resolves it."""

    __tablename__ = "help_requests"
    __table_args__ = (
        # At most one open request per (session, center): asking again returns that one.
        sa.Index(
            "uq_help_requests_open",
            "session_id",
            "center_id",
            unique=True,
            postgresql_where=sa.text(_OPEN_SQL),
            sqlite_where=sa.text(_OPEN_SQL),
        ),
        sa.Index("ix_help_requests_session_id_center_id", "session_id", "center_id"),
        sa.Index("ix_help_requests_center_id_requested_at", "center_id", "requested_at"),
        sa.CheckConstraint(
            "resolved_at IS NULL OR resolved_at >= requested_at", name="resolved_after_requested"
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("sessions.id", ondelete="CASCADE"))
    center_id: Mapped[int] = mapped_column(sa.ForeignKey("centers.id"))
    requested_at: Mapped[datetime]
    requested_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    message: Mapped[str] = mapped_column(sa.String(MESSAGE_MAX_LENGTH), default="")
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    note: Mapped[str] = mapped_column(sa.String(NOTE_MAX_LENGTH), default="")

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None
