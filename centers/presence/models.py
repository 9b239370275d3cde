"""Who is (or was) in a session's room."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.database import BigId, TimestampMixin
from app.extensions import db


class RoomPresence(TimestampMixin, db.Model):
    """One connection to a session's room, open while ``left_at`` is null."""

    __tablename__ = "room_presence"
    __table_args__ = (
        sa.UniqueConstraint("session_id", "occupant"),
        sa.Index("ix_room_presence_session_id_left_at", "session_id", "left_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("sessions.id", ondelete="CASCADE"))
    participant: Mapped[str] = mapped_column(sa.String(40))
    center_id: Mapped[int | None] = mapped_column(sa.ForeignKey("centers.id"), index=True)
    occupant: Mapped[str] = mapped_column(sa.String(255))
    source: Mapped[str] = mapped_column(sa.String(10))
    display_name: Mapped[str] = mapped_column(sa.String(120), default="")
    joined_at: Mapped[datetime]
    left_at: Mapped[datetime | None]
