"""Programs (the catalog of classes) and instructors."""

import secrets

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.database import TimestampMixin
from app.extensions import db

CATEGORIES = ("leisure", "health")


def new_calendar_key() -> str:
    return secrets.token_urlsafe(24)


class Program(TimestampMixin, db.Model):
    __tablename__ = "programs"
    __table_args__ = (
        sa.CheckConstraint("category IN ('leisure', 'health')", name="category_known"),
        sa.CheckConstraint("duration_minutes BETWEEN 10 AND 240", name="duration_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(120))
    category: Mapped[str] = mapped_column(sa.String(10))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    duration_minutes: Mapped[int] = mapped_column(default=60)
    active: Mapped[bool] = mapped_column(default=True)


class Instructor(TimestampMixin, db.Model):
    __tablename__ = "instructors"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    phone: Mapped[str | None] = mapped_column(sa.String(30))
    active: Mapped[bool] = mapped_column(default=True)
    calendar_key: Mapped[str] = mapped_column(sa.String(64), default=new_calendar_key, unique=True)
