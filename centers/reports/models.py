"""Rollups: the report's figures summed per center and day, kept current on every write
(:mod:`centers.reports.rollup_sync`) so that country-wide reports read a few rows per center
instead of every invitation and record.

What cannot be summed is kept apart, at the grain that makes it exact:

- ``upcoming`` depends on now: the daily rows keep each session's end (minutes after the
  day's midnight, ``ends``), so the report applies :func:`services.not_ended` to them;
- ``members`` (distinct over the period) come from :class:`AttendanceMemberRollup`, one row
  per member marked present per center, day and program;
- ``sessions`` (distinct sessions with an invited center in scope) come from
  :class:`SessionCountyRollup`, one row per (published session, county it invites): for one
  center they equal ``invited``.
"""

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db

FIGURES = ("invited", "attended", "absent", "technical_issue", "excused")


def _fk(target: str):
    return sa.ForeignKey(target, ondelete="CASCADE")


class AttendanceRollup(db.Model):
    """Per (center, day, program, end) of published sessions: the invited pairs and their
    records' figures (records of centers no longer invited never count, as in the report)."""

    __tablename__ = "attendance_rollups"
    __table_args__ = (
        sa.CheckConstraint(
            "attended >= 0 AND absent >= 0 AND technical_issue >= 0 AND excused >= 0 "
            "AND attended + absent + technical_issue + excused <= invited",
            name="counts",
        ),
        sa.CheckConstraint("invited > 0", name="invited_positive"),
        sa.CheckConstraint(
            "headcount >= 0 AND attended_headcount >= 0 AND attended_headcount <= headcount",
            name="headcounts",
        ),
        sa.CheckConstraint("ends > 0 AND ends <= 2880", name="ends_range"),
        sa.Index("ix_attendance_rollups_day", "day"),
    )

    # No foreign keys on this, the big one: a week's publish adds a row per center and day,
    # and two key checks per row cost more than the rows (centers and programs are never
    # deleted once sessions name them; ``rebuild-rollups`` recomputes a period anyway).
    center_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    day: Mapped[date] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    ends: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    invited: Mapped[int]
    attended: Mapped[int]
    absent: Mapped[int]
    technical_issue: Mapped[int]
    excused: Mapped[int]
    headcount: Mapped[int]
    attended_headcount: Mapped[int]


class AttendanceMemberRollup(db.Model):
    """A member on a record's list, per center, session day, program and record day (the
    report requires both the session's and the record's date in the period)."""

    __tablename__ = "attendance_member_rollups"
    __table_args__ = (sa.Index("ix_attendance_member_rollups_day", "day"),)

    center_id: Mapped[int] = mapped_column(_fk("centers.id"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(_fk("programs.id"), primary_key=True)
    member_id: Mapped[int] = mapped_column(_fk("members.id"), primary_key=True)
    record_day: Mapped[date] = mapped_column(primary_key=True)


class SessionCountyRollup(db.Model):
    """A published session and a county it invites a center of (with the session's day and
    program, so the distinct sessions of a period are counted from this table alone)."""

    __tablename__ = "session_county_rollups"
    __table_args__ = (
        sa.Index("ix_session_county_rollups_county_id_day", "county_id", "day"),
        sa.Index("ix_session_county_rollups_day", "day"),
    )

    # No foreign keys either: a national session invites a hundred counties, a week's
    # publish adds over a hundred thousand rows (a deleted session's rows go with it through
    # the seam; ``rebuild-rollups`` clears anything else).
    session_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    county_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    day: Mapped[date]
    program_id: Mapped[int]
