"""The county-scale data set of ``bench/peak.py``, loaded into its own PostgreSQL database.

Reusable between runs: the schema comes from the migrations (``flask db upgrade``), the
counties, centers, program and instructors are made once, and each run only adds the sessions
of the days its window does not hold yet (the window follows the real date, since the app
under gunicorn runs on the real clock). What the bench signs in with (tablets, managers'
tokens) is made fresh each run.

- ``CENTERS`` centers in counties of 50; groups of ``GROUP`` centers share one class a day at
  10:00, every day of ``MONTH_BACK`` days back to ``MONTH_AHEAD`` days ahead (weekends too, so
  the tablet page shows a class whatever day the bench runs on): about 30 events per feed.
- The first group also has a class at 14:00 on ``YEAR_EVENTS`` weekdays from 90 days back
  (the feed's history) onwards: its centers' feeds hold about 250 events.
- 80 % of the past invitations have an attendance record.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime

import psycopg
import sqlalchemy as sa

CENTERS = 2000
COUNTY_SIZE = 50
GROUP = 40
MONTH_BACK, MONTH_AHEAD = 20, 9
YEAR_EVENTS = 220
FEED_HISTORY_DAYS = 90
PROGRAM_TITLE = "피크 벤치 수업"
YEAR_PROGRAM_TITLE = "피크 벤치 연간 수업"
MONTH_START, YEAR_START = dtime(10, 0), dtime(14, 0)


@dataclass
class Facts:
    """What the bench needs to know of the data set."""

    centers: list[int] = field(default_factory=list)  # ids, in load order
    groups: list[list[int]] = field(default_factory=list)
    keys: dict[int, str] = field(default_factory=dict)  # center id -> calendar key
    sessions: int = 0
    added: int = 0


def create_database(url: str) -> None:
    target = psycopg.conninfo.conninfo_to_dict(url.replace("postgresql+psycopg://", "postgresql://"))
    name = target["dbname"]
    with psycopg.connect(**{**target, "dbname": "postgres"}, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def migrate(app) -> None:
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()


def _stamp() -> datetime:
    return datetime.now(UTC)


def _directory(conn) -> None:
    """Counties and centers, once."""
    from centers.directory.models import Center, County

    have = conn.execute(sa.select(sa.func.count()).select_from(Center).where(Center.name.like("피크%"))).scalar()
    if have >= CENTERS:
        return
    now = _stamp()
    counties = []
    for i in range(0, CENTERS, COUNTY_SIZE):
        counties.append(
            conn.execute(
                sa.insert(County)
                .values(name=f"피크{i // COUNTY_SIZE}군", province="피크도", created_at=now, updated_at=now)
                .returning(County.id)
            ).scalar_one()
        )
    conn.execute(
        sa.insert(Center),
        [
            {
                "county_id": counties[i // COUNTY_SIZE],
                "name": f"피크{i}리 경로당",
                "address": "",
                "capacity": 40,
                "active": True,
                "calendar_key": f"peak-{i}-{secrets.token_urlsafe(12)}",
                "created_at": now,
                "updated_at": now,
            }
            for i in range(CENTERS)
        ],
    )


def _catalog(conn, groups: int) -> tuple[int, int, list[int], int]:
    """The two programs, an instructor per group and one for the year's class (made once)."""
    from programs.catalog.models import Instructor, Program

    now = _stamp()
    ids = []
    for title in (PROGRAM_TITLE, YEAR_PROGRAM_TITLE):
        found = conn.execute(sa.select(Program.id).where(Program.title == title)).scalar()
        if found is None:
            found = conn.execute(
                sa.insert(Program)
                .values(title=title, category="health", description="", duration_minutes=60,
                        active=True, created_at=now, updated_at=now)
                .returning(Program.id)
            ).scalar_one()
        ids.append(found)
    names = [f"피크 강사 {g}" for g in range(groups)] + ["피크 연간 강사"]
    existing = dict(conn.execute(sa.select(Instructor.name, Instructor.id).where(Instructor.name.in_(names))).all())
    missing = [n for n in names if n not in existing]
    if missing:
        conn.execute(
            sa.insert(Instructor),
            [{"name": n, "active": True, "calendar_key": f"peak-{secrets.token_urlsafe(16)}",
              "created_at": now, "updated_at": now} for n in missing],
        )
        existing = dict(conn.execute(sa.select(Instructor.name, Instructor.id).where(Instructor.name.in_(names))).all())
    return ids[0], ids[1], [existing[f"피크 강사 {g}"] for g in range(groups)], existing["피크 연간 강사"]


def month_days(today: date) -> list[date]:
    return [today + timedelta(days=d) for d in range(-MONTH_BACK, MONTH_AHEAD + 1)]


def year_days(today: date) -> list[date]:
    day, out = today - timedelta(days=FEED_HISTORY_DAYS), []
    while len(out) < YEAR_EVENTS:
        if day.weekday() < 5:
            out.append(day)
        day += timedelta(days=1)
    return out


def _sessions(conn, program_id, instructor_id, start, days, group, today) -> int:
    """One published class at ``start`` on each of ``days`` not held yet, inviting ``group``;
    80 % of the past invitations reported. Returns how many were added."""
    from centers.attendance.models import Attendance
    from programs.schedule.models import Session, SessionCenter

    held = set(
        conn.execute(
            sa.select(Session.date).where(Session.program_id == program_id,
                                          Session.instructor_id == instructor_id,
                                          Session.date.in_(days))
        ).scalars()
    )
    todo = [d for d in days if d not in held]
    if not todo:
        return 0
    now = _stamp()
    rows = [
        {"program_id": program_id, "instructor_id": instructor_id, "date": d, "start_time": start,
         "duration_minutes": 60, "status": "published", "version": 1, "sequence": 0,
         "published_at": now, "note": "", "created_at": now, "updated_at": now}
        for d in todo
    ]
    ids = conn.execute(sa.insert(Session).returning(Session.id, Session.date, sort_by_parameter_order=True), rows).all()
    conn.execute(sa.insert(SessionCenter), [{"session_id": s, "center_id": c} for s, _d in ids for c in group])
    records = [
        {"session_id": s, "center_id": c, "session_date": d, "status": "attended", "headcount": 12,
         "recorded_at": now, "source": "api", "note": "", "version": 1, "created_at": now,
         "updated_at": now}
        for s, d in ids if d < today
        for k, c in enumerate(group) if (k + d.toordinal()) % 5
    ]
    if records:
        conn.execute(sa.insert(Attendance), records)
    return len(ids)


def vacuum(url: str) -> None:
    """VACUUM ANALYZE, as autovacuum would soon after a bulk load (statistics, and the
    visibility map that lets index-only scans skip the heap)."""
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def load(app, today: date) -> Facts:
    """Make what is missing and describe the data set."""
    from app.extensions import db
    from centers.directory.models import Center

    with app.app_context():
        conn = db.session.connection()
        _directory(conn)
        centers = conn.execute(
            sa.select(Center.id, Center.calendar_key).where(Center.name.like("피크%")).order_by(Center.id)
        ).all()[:CENTERS]
        facts = Facts(centers=[c for c, _k in centers], keys=dict(centers))
        facts.groups = [facts.centers[i : i + GROUP] for i in range(0, len(facts.centers), GROUP)]
        month_program, year_program, instructors, year_instructor = _catalog(conn, len(facts.groups))
        for group, instructor in zip(facts.groups, instructors, strict=True):
            facts.added += _sessions(conn, month_program, instructor, MONTH_START, month_days(today), group, today)
        facts.added += _sessions(
            conn, year_program, year_instructor, YEAR_START, year_days(today), facts.groups[0], today
        )
        db.session.commit()
        if facts.added:
            vacuum(db.engine.url.render_as_string(hide_password=False))
        facts.sessions = db.session.execute(sa.text("SELECT count(*) FROM sessions")).scalar()
        db.session.remove()
    return facts
