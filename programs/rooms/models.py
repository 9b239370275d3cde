"""The video room of a session."""

import secrets

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from app.database import TimestampMixin
from app.extensions import db
from programs.schedule.models import Session


class VideoRoom(TimestampMixin, db.Model):
    """The Jitsi room of a session: lowercase, unguessable, under 100 characters."""

    __tablename__ = "video_rooms"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        sa.ForeignKey(Session.id, ondelete="CASCADE"), unique=True
    )
    name: Mapped[str] = mapped_column(sa.String(99), unique=True)

    # ``Session.room`` comes from here: the schedule knows nothing of rooms.
    session: Mapped[Session] = relationship(
        backref=backref("room", uselist=False, cascade="all, delete-orphan")
    )

    @staticmethod
    def generate_name(prefix: str = "ieum") -> str:
        # 26 base-32 characters of 5 bits each: 130 random bits.
        alphabet = "abcdefghijklmnopqrstuvwxyz234567"
        return f"{prefix}-" + "".join(secrets.choice(alphabet) for _ in range(26))
