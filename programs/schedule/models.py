"""Sessions and their invited centers, and closure days."""

import datetime as dt
from datetime import datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import local_datetime
from app.database import CodedEnum, TimestampMixin, check_between, check_in
from app.extensions import db
from programs.catalog.models import DURATION_MINUTES, Instructor, Program


class SessionStatus(CodedEnum):
    DRAFT = "draft", _l("초안")
    PUBLISHED = "published", _l("게시됨")
    CANCELLED = "cancelled", _l("취소됨")


SESSION_STATUSES = SessionStatus.values()
OVERLAP_CONSTRAINT = "ex_sessions_instructor_overlap"
# A session's time as a half-open range (so one ending at 11:00 does not overlap one at 11:00).
INSTRUCTOR_SLOT_SQL = (
    "tsrange(date + start_time, date + start_time + duration_minutes * interval '1 minute')"
)


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
