"""Members: the seniors registered at a center. Personal data, shown only within scope."""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import TimestampMixin
from app.extensions import db
from centers.directory.models import Center

MEMBER_STATUSES = ("active", "moved", "deceased")


class Member(TimestampMixin, db.Model):
    """A senior registered at a center. Personal data: shown only within scope."""

    __tablename__ = "members"
    __table_args__ = (
        sa.CheckConstraint("status IN ('active', 'moved', 'deceased')", name="status_known"),
        sa.CheckConstraint("birth_year IS NULL OR birth_year BETWEEN 1900 AND 2100", name="birth_year_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int] = mapped_column(sa.ForeignKey("centers.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(50))
    birth_year: Mapped[int | None]
    phone: Mapped[str | None] = mapped_column(sa.String(30))
    status: Mapped[str] = mapped_column(sa.String(10), default="active")
    note: Mapped[str] = mapped_column(sa.String(200), default="")

    center: Mapped[Center] = relationship()
