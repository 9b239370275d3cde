"""Counties and their support periods, and centers."""

import secrets
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import Bounds, TimestampMixin, check_between
from app.extensions import db

# A center's capacity, and a session's headcount (at most the capacity, or HEADCOUNT.max).
CAPACITY = Bounds(1, 500)
HEADCOUNT = Bounds(0, 500)
MAX_HEADCOUNT = HEADCOUNT.max
# A phone number as the members' roster keeps it (free text, at most this long).
PHONE_MAX_LENGTH = 30


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
    # Whom the live board calls during class; shown to staff and the center's own county only.
    contact_phone: Mapped[str | None] = mapped_column(sa.String(PHONE_MAX_LENGTH))
    active: Mapped[bool] = mapped_column(default=True)
    calendar_key: Mapped[str] = mapped_column(sa.String(64), default=new_calendar_key, unique=True)

    county: Mapped[County] = relationship(back_populates="centers")

    @property
    def max_headcount(self) -> int:
        return self.capacity or MAX_HEADCOUNT
