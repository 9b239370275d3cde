"""Programs (the catalog of classes) and instructors."""

import secrets

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from app.database import Bounds, CodedEnum, TimestampMixin, check_between, check_in
from app.extensions import db


class Category(CodedEnum):
    LEISURE = "leisure", _l("여가")
    HEALTH = "health", _l("건강")


CATEGORIES = Category.values()
# The length of a program or a session, in minutes.
DURATION_MINUTES = Bounds(10, 240)


def new_calendar_key() -> str:
    return secrets.token_urlsafe(24)


class Program(TimestampMixin, db.Model):
    __tablename__ = "programs"
    __table_args__ = (
        check_in("category", Category, name="category_known"),
        check_between("duration_minutes", DURATION_MINUTES, name="duration_range"),
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
