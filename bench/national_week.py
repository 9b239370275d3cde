"""A national week: copy last week's ~1,100 sessions (≈340,000 invitations) and publish them.

Loads, into its own PostgreSQL database (created if missing, emptied each run), 226 counties
with support periods, 68,000 centers, 110 instructors and a previous ISO week in which every
center is invited to one session every weekday: 220 sessions a day (110 instructors at 10:00
and 14:00), about 309 centers each — 1,100 sessions and 340,000 invitations. Then it times
``bulk.copy_week`` and ``bulk.publish_week`` — the services the API and pages call — and
prints each step's seconds and peak memory (tracemalloc: Python allocations; ru_maxrss: the
process).

    /work/main/.venv/bin/python bench/national_week.py
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/ieum_bench3 (the default)

Target: copy + publish under 10 seconds on PostgreSQL.
"""

from __future__ import annotations

import argparse
import os
import resource
import secrets
import sys
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app  # noqa: E402
from app.auth.models import User  # noqa: E402
from app.extensions import db  # noqa: E402
from programs.rooms.models import VideoRoom  # noqa: E402
from programs.schedule import bulk  # noqa: E402
from programs.schedule.models import Session, SessionCenter

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/ieum_bench3"
COUNTIES, CENTERS, INSTRUCTORS, PROGRAMS = 226, 68_000, 110, 10
SLOTS = ((10, 0), (14, 0))
FROM_WEEK, TO_WEEK = "2026-W47", "2026-W48"


def ensure_database(url: str) -> None:
    target = sa.engine.make_url(url)
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database}
        )
        if not exists:
            conn.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


def copy_rows(cursor, table: str, columns: tuple[str, ...], rows) -> None:
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def load() -> dict:
    """Bulk-load the country and the previous week with COPY."""
    now = datetime.now(UTC)
    monday = date.fromisocalendar(2026, 47, 1)
    raw = db.engine.raw_connection()
    try:
        cur = raw.cursor()
        copy_rows(
            cur,
            "counties",
            ("id", "name", "province", "created_at", "updated_at"),
            ((i, f"시험{i}군", f"도{i % 17}", now, now) for i in range(1, COUNTIES + 1)),
        )
        copy_rows(
            cur,
            "support_periods",
            ("county_id", "start", '"end"', "note", "created_at", "updated_at"),
            (
                (i, date(2025, 10, 1), date(2027, 9, 30), "", now, now)
                for i in range(1, COUNTIES + 1)
            ),
        )
        copy_rows(
            cur,
            "centers",
            (
                "id",
                "county_id",
                "name",
                "address",
                "capacity",
                "active",
                "calendar_key",
                "created_at",
                "updated_at",
            ),
            (
                (
                    i,
                    (i - 1) % COUNTIES + 1,
                    f"경로당 {i}",
                    "",
                    30,
                    True,
                    secrets.token_urlsafe(24),
                    now,
                    now,
                )
                for i in range(1, CENTERS + 1)
            ),
        )
        copy_rows(
            cur,
            "instructors",
            ("id", "name", "active", "calendar_key", "created_at", "updated_at"),
            (
                (i, f"강사{i}", True, secrets.token_urlsafe(24), now, now)
                for i in range(1, INSTRUCTORS + 1)
            ),
        )
        copy_rows(
            cur,
            "programs",
            (
                "id",
                "title",
                "category",
                "description",
                "duration_minutes",
                "active",
                "created_at",
                "updated_at",
            ),
            (
                (i, f"프로그램 {i}", "leisure" if i % 2 else "health", "", 60, True, now, now)
                for i in range(1, PROGRAMS + 1)
            ),
        )
        per_day = INSTRUCTORS * len(SLOTS)
        sessions, rooms, invitations = [], [], []
        sid = 0
        for d in range(5):
            day = monday + timedelta(days=d)
            for k in range(per_day):
                sid += 1
                hour, minute = SLOTS[k // INSTRUCTORS]
                sessions.append(
                    (
                        sid,
                        k % PROGRAMS + 1,
                        k % INSTRUCTORS + 1,
                        day,
                        f"{hour:02d}:{minute:02d}",
                        60,
                        "published",
                        2,
                        0,
                        now,
                        "",
                        now,
                        now,
                    )
                )
                rooms.append((sid, VideoRoom.generate_name(), now, now))
            for center in range(1, CENTERS + 1):  # each center in one session a day
                invitations.append((sid - per_day + 1 + (center - 1) % per_day, center))
        copy_rows(
            cur,
            "sessions",
            (
                "id",
                "program_id",
                "instructor_id",
                "date",
                "start_time",
                "duration_minutes",
                "status",
                "version",
                "sequence",
                "published_at",
                "note",
                "created_at",
                "updated_at",
            ),
            sessions,
        )
        copy_rows(cur, "video_rooms", ("session_id", "name", "created_at", "updated_at"), rooms)
        copy_rows(cur, "session_centers", ("session_id", "center_id"), invitations)
        for table in ("counties", "centers", "instructors", "programs", "sessions"):
            sequence = f"pg_get_serial_sequence('{table}', 'id')"
            cur.execute(f"SELECT setval({sequence}, (SELECT max(id) FROM {table}))")
        raw.commit()
        raw.driver_connection.autocommit = True
        raw.driver_connection.execute(
            "VACUUM ANALYZE"
        )  # what autovacuum would have done to a live database
    finally:
        raw.driver_connection.autocommit = False
        raw.close()
    return {"sessions": len(sessions), "invitations": len(invitations)}


def measure(label: str, fn):
    tracemalloc.start()
    started = time.perf_counter()
    result = fn()
    service = time.perf_counter() - started
    db.session.commit()
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{label:<26} {seconds:6.2f} s (service {service:.2f} s + commit {seconds - service:.2f} s)"
        f"   peak Python memory {peak / 2**20:5.1f} MiB   process max RSS {rss:6.1f} MiB"
    )
    return result, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    args = parser.parse_args()
    ensure_database(args.url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.url, "SECRET_KEY": "bench-" + "x" * 40})
    with app.app_context():
        db.drop_all()
        db.create_all()
        started = time.perf_counter()
        loaded = load()
        print(
            f"loaded {COUNTIES} counties, {CENTERS:,} centers, {loaded['sessions']:,} sessions and "
            f"{loaded['invitations']:,} invitations in {FROM_WEEK} "
            f"({time.perf_counter() - started:.1f} s)"
        )
        coordinator = User(username="bench-coordinator", role="coordinator")
        db.session.add(coordinator)
        db.session.commit()

        copied, copy_s = measure(
            f"copy {FROM_WEEK} → {TO_WEEK}",
            lambda: bulk.copy_week(coordinator, FROM_WEEK, TO_WEEK, source="cli"),
        )
        publish_result, publish_s = measure(
            f"publish {TO_WEEK}", lambda: bulk.publish_week(coordinator, TO_WEEK, source="cli")
        )
        monday = date.fromisocalendar(2026, 48, 1)
        in_week = sa.select(Session.id).where(
            Session.date.between(monday, monday + timedelta(days=4))
        )
        sessions = db.session.scalar(sa.select(sa.func.count()).select_from(in_week.subquery()))
        invitations = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(SessionCenter)
            .where(SessionCenter.session_id.in_(in_week))
        )
        print(
            f"{TO_WEEK}: {len(copied['created']):,} sessions created, "
            f"{len(copied['skipped'])} skipped, {publish_result['published']:,} published; "
            f"{sessions:,} sessions and {invitations:,} invitations in the week"
        )
        total = copy_s + publish_s
        print(
            f"copy + publish: {total:.2f} s ({'under' if total < 10 else 'OVER'} the 10 s target); "
            f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
        )
        db.engine.dispose()


if __name__ == "__main__":
    main()
