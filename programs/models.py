"""Programs, instructors, sessions and their invited centers, closure days, video rooms."""

import datetime as dt
import secrets
from datetime import datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import local_datetime
from app.database import Bounds, CodedEnum, TimestampMixin, check_between, check_in
from app.extensions import db


class Category(CodedEnum):
    LEISURE = "leisure", _l("여가")
    HEALTH = "health", _l("건강")


class SessionStatus(CodedEnum):
    DRAFT = "draft", _l("초안")
    PUBLISHED = "published", _l("게시됨")
    CANCELLED = "cancelled", _l("취소됨")


CATEGORIES = Category.values()
SESSION_STATUSES = SessionStatus.values()
# The length of a program or a session, in minutes.
DURATION_MINUTES = Bounds(10, 240)
OVERLAP_CONSTRAINT = "ex_sessions_instructor_overlap"
# A session's time as a half-open range (so one ending at 11:00 does not overlap one at 11:00).
INSTRUCTOR_SLOT_SQL = (
    "tsrange(date + start_time, date + start_time + duration_minutes * interval '1 minute')"
)


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


class SessionCenter(db.Model):
    """A center invited to a session."""

    __tablename__ = "session_centers"
    __table_args__ = (sa.Index("ix_session_centers_center_id", "center_id", "session_id"),)

    session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True
    )
    center_id: Mapped[int] = mapped_column(sa.ForeignKey("centers.id"), primary_key=True)


class Session(TimestampMixin, db.Model):
    """One class on one date. ``date`` and ``start_time`` are Asia/Seoul wall time."""

    __tablename__ = "sessions"
    __table_args__ = (
        check_in("status", SessionStatus, name="status_known"),
        check_between("duration_minutes", DURATION_MINUTES, name="duration_range"),
        sa.Index("ix_sessions_date_status", "date", "status"),
        sa.Index("ix_sessions_instructor_id_date", "instructor_id", "date"),
        # PostgreSQL: an instructor is never in two overlapping published sessions, even when
        # two requests publish them at once (SQLite serialises its writers instead).
        postgresql.ExcludeConstraint(
            ("instructor_id", "="),
            (sa.text(INSTRUCTOR_SLOT_SQL), "&&"),
            where=sa.text(f"status = '{SessionStatus.PUBLISHED.value}'"),
            using="gist",
            name=OVERLAP_CONSTRAINT,
        ).ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(sa.ForeignKey("programs.id"), index=True)
    instructor_id: Mapped[int] = mapped_column(sa.ForeignKey("instructors.id"))
    date: Mapped[dt.date]
    start_time: Mapped[time]
    duration_minutes: Mapped[int] = mapped_column(default=60)
    status: Mapped[str] = mapped_column(sa.String(10), default="draft")
    version: Mapped[int] = mapped_column(default=1)
    sequence: Mapped[int] = mapped_column(default=0)
    published_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str | None] = mapped_column(sa.Text)
    rescheduled_from_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sessions.id"))
    note: Mapped[str] = mapped_column(sa.Text, default="")

    program: Mapped[Program] = relationship(lazy="joined")
    instructor: Mapped[Instructor] = relationship(lazy="joined")
    invitations: Mapped[list[SessionCenter]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )
    room: Mapped["VideoRoom | None"] = relationship(
        back_populates="session", cascade="all, delete-orphan", uselist=False
    )

    __mapper_args__ = {"version_id_col": version}

    @hybrid_property
    def was_published(self) -> bool:
        """Published once (still published, or cancelled after publishing): the one test of
        whether people other than staff (instructors, centers, counties, feeds) may see it."""
        return self.published_at is not None

    @was_published.inplace.expression
    @classmethod
    def _was_published_expression(cls):
        return cls.published_at.is_not(None)

    @property
    def center_ids(self) -> list[int]:
        return sorted(inv.center_id for inv in self.invitations)

    @property
    def starts_at(self) -> datetime:
        return local_datetime(self.date, self.start_time)

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def end_time(self) -> time:
        return self.ends_at.time()


# The exclusion constraint's gist index on an integer column needs btree_gist.
sa.event.listen(
    Session.__table__,
    "before_create",
    sa.DDL("CREATE EXTENSION IF NOT EXISTS btree_gist").execute_if(dialect="postgresql"),
)


class Closure(TimestampMixin, db.Model):
    """A closure day: everywhere (no county, no center), for a county, or for one center."""

    __tablename__ = "closures"
    __table_args__ = (
        sa.CheckConstraint("NOT (county_id IS NOT NULL AND center_id IS NOT NULL)", name="one_scope"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    date: Mapped[dt.date] = mapped_column(index=True)
    reason: Mapped[str] = mapped_column(sa.String(200))
    county_id: Mapped[int | None] = mapped_column(sa.ForeignKey("counties.id"))
    center_id: Mapped[int | None] = mapped_column(sa.ForeignKey("centers.id"))


class VideoRoom(TimestampMixin, db.Model):
    """The Jitsi room of a session: lowercase, unguessable, under 100 characters."""

    __tablename__ = "video_rooms"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("sessions.id", ondelete="CASCADE"), unique=True
    )
    name: Mapped[str] = mapped_column(sa.String(99), unique=True)

    session: Mapped[Session] = relationship(back_populates="room")

    @staticmethod
    def generate_name(prefix: str = "ieum") -> str:
        # 26 base-32 characters of 5 bits each: 130 random bits.
        alphabet = "abcdefghijklmnopqrstuvwxyz234567"
        return f"{prefix}-" + "".join(secrets.choice(alphabet) for _ in range(26))
