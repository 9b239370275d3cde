"""A center's paired tablets."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.database import TimestampMixin
from app.extensions import db


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
