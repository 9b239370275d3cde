"""Attendance at scale: seed many centers, sessions and records, then time the hot paths.

    python bench/attendance_bench.py [--centers 2000] [--days 60] [--per-session 40]
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/ieum_bench \
        python bench/attendance_bench.py

The database at BENCH_DATABASE_URL (default: a temporary SQLite file) is DROPPED and rebuilt:
point it at a scratch database. Prints one line per figure.
"""

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import requests  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from app import clock, create_app  # noqa: E402
from app.auth.models import ApiToken, User, hash_token  # noqa: E402
from app.clock import SEOUL  # noqa: E402
from app.extensions import db, limiter  # noqa: E402
from centers.attendance.models import Attendance
from centers.directory.models import Center, County  # noqa: E402
from programs.catalog.models import Instructor, Program
from programs.schedule.models import Session, SessionCenter  # noqa: E402


def timed(label: str, fn, repeat: int = 5):
    samples = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - start) * 1000)
    print(f"{label:<58} median {statistics.median(samples):8.1f} ms   max {max(samples):8.1f} ms")
    return result


def seed(centers: int, days: int, per_session: int) -> dict:
    """Counties of 50 centers; every weekday one session per group of ``per_session`` centers;
    80 % of the invited centers reported."""
    now = datetime(2026, 11, 24, 12, 0, tzinfo=SEOUL).astimezone(UTC)
    conn = db.session.connection()
    county_ids = []
    for i in range(0, centers, 50):
        county_ids.append(
            conn.execute(
                sa.insert(County)
                .values(name=f"벤치{i // 50}군", province="벤치도", created_at=now, updated_at=now)
                .returning(County.id)
            ).scalar_one()
        )
    conn.execute(
        sa.insert(Center),
        [
            {
                "county_id": county_ids[i // 50],
                "name": f"벤치{i}경로당",
                "address": "",
                "capacity": 40,
                "active": True,
                "calendar_key": f"bench-{i}",
                "created_at": now,
                "updated_at": now,
            }
            for i in range(centers)
        ],
    )
    center_ids = list(conn.execute(sa.select(Center.id).order_by(Center.id)).scalars())
    program_id = conn.execute(
        sa.insert(Program)
        .values(
            title="벤치 수업",
            category="health",
            description="",
            duration_minutes=60,
            active=True,
            created_at=now,
            updated_at=now,
        )
        .returning(Program.id)
    ).scalar_one()
    instructor_id = conn.execute(
        sa.insert(Instructor)
        .values(
            name="벤치 강사",
            active=True,
            calendar_key="bench-instructor",
            created_at=now,
            updated_at=now,
        )
        .returning(Instructor.id)
    ).scalar_one()
    end = date(2026, 11, 24)
    day, session_rows = end - timedelta(days=days), 0
    groups = [center_ids[i : i + per_session] for i in range(0, len(center_ids), per_session)]
    records = invitations = 0
    while day <= end:
        if day.weekday() < 5:
            for group in groups:
                session_id = conn.execute(
                    sa.insert(Session)
                    .values(
                        program_id=program_id,
                        instructor_id=instructor_id,
                        date=day,
                        start_time=dtime(10, 0),
                        duration_minutes=60,
                        status="published",
                        version=1,
                        sequence=0,
                        published_at=now,
                        note="",
                        created_at=now,
                        updated_at=now,
                    )
                    .returning(Session.id)
                ).scalar_one()
                session_rows += 1
                conn.execute(
                    sa.insert(SessionCenter),
                    [{"session_id": session_id, "center_id": c} for c in group],
                )
                invitations += len(group)
                reported = [c for k, c in enumerate(group) if (k + day.toordinal()) % 5]
                if day == end:
                    reported = []  # today's session is the one the benchmark records
                conn.execute(
                    sa.insert(Attendance),
                    [
                        {
                            "session_id": session_id,
                            "center_id": c,
                            "session_date": day,
                            "status": "attended",
                            "headcount": 12,
                            "recorded_at": now,
                            "source": "api",
                            "note": "",
                            "version": 1,
                            "created_at": now,
                            "updated_at": now,
                        }
                        for c in reported
                    ],
                ) if reported else None
                records += len(reported)
        day += timedelta(days=1)
    db.session.commit()
    return {
        "centers": centers,
        "sessions": session_rows,
        "invitations": invitations,
        "records": records,
        "county_id": county_ids[0],
        "center_id": center_ids[0],
    }


def token_for(role: str, **scope) -> dict:
    user = User(username=f"bench-{role}-{len(scope)}-{time.time_ns()}", role=role, **scope)
    db.session.add(user)
    db.session.flush()
    token = ApiToken.generate()
    db.session.add(ApiToken(user_id=user.id, token_hash=hash_token(token), name="bench"))
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--centers", type=int, default=2000)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--per-session", type=int, default=40)
    parser.add_argument("--concurrent", type=int, default=50)
    args = parser.parse_args()

    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench",
            "TESTING": False,
            "RATELIMIT_ENABLED": False,
        }
    )
    limiter.enabled = False
    clock.freeze(datetime(2026, 11, 24, 11, 30, tzinfo=SEOUL))
    with app.app_context():
        dialect = db.engine.dialect.name
        db.drop_all()
        db.create_all()
        start = time.perf_counter()
        facts = seed(args.centers, args.days, args.per_session)
        if dialect == "postgresql":
            db.session.execute(sa.text("ANALYZE"))  # as autovacuum would after a bulk load
            db.session.commit()
        print(
            f"database: {dialect}; seeded {facts['centers']} centers, "
            f"{facts['sessions']} sessions, "
            f"{facts['invitations']} invitations, {facts['records']} records "
            f"in {time.perf_counter() - start:.1f} s"
        )
        coordinator = token_for("coordinator")
        viewer = token_for("county_viewer", county_id=facts["county_id"])
        manager = token_for("center_manager", center_id=facts["center_id"])
        today_session = db.session.scalar(
            sa.select(SessionCenter.session_id)
            .join(Session, Session.id == SessionCenter.session_id)
            .where(
                SessionCenter.center_id == facts["center_id"], Session.date == date(2026, 11, 24)
            )
        )

    client = app.test_client()
    month = "from=2026-11-01&to=2026-11-30"
    timed(
        "GET /api/v1/attendance (county viewer, one month)",
        lambda: client.get(f"/api/v1/attendance?{month}", headers=viewer),
    )
    timed(
        "GET /api/v1/attendance (coordinator, one center, one month)",
        lambda: client.get(
            f"/api/v1/attendance?center_id={facts['center_id']}&{month}", headers=coordinator
        ),
    )
    timed(
        "GET /api/v1/attendance (coordinator, one day, limit 500)",
        lambda: client.get(
            "/api/v1/attendance?from=2026-11-23&to=2026-11-23&limit=500", headers=coordinator
        ),
    )

    from centers.attendance import services as attendance

    def reports(user_headers, missing):
        with app.app_context():
            user = db.session.scalar(
                sa.select(User)
                .join(ApiToken)
                .where(ApiToken.token_hash == hash_token(user_headers["Authorization"].split()[1]))
            )
            return attendance.session_reports(
                user, date(2026, 11, 11), date(2026, 11, 24), missing_only=missing
            )

    timed("session_reports, coordinator, 14 days", lambda: reports(coordinator, False))
    timed("session_reports, coordinator, 14 days, missing only", lambda: reports(coordinator, True))
    timed("session_reports, county viewer, 14 days", lambda: reports(viewer, False))

    put_url = f"/api/v1/sessions/{today_session}/attendance/{facts['center_id']}"
    counter = iter(range(10**6))
    timed(
        "PUT attendance (manager, a correction each time)",
        lambda: client.put(
            put_url,
            headers=manager,
            json={
                "status": "attended",
                "headcount": next(counter) % 40,
                "client_ref": f"seq-{time.time_ns()}",
            },
        ),
        repeat=20,
    )

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    live = f"http://127.0.0.1:{server.server_port}{put_url}"
    body = {"status": "attended", "headcount": 30, "client_ref": "bench-same"}
    barrier = threading.Barrier(args.concurrent)

    def one():
        barrier.wait()
        started = time.perf_counter()
        response = requests.put(live, json=body, headers=manager, timeout=120)
        return (
            response.status_code,
            response.json().get("result"),
            (time.perf_counter() - started) * 1000,
        )

    start = time.perf_counter()
    with ThreadPoolExecutor(args.concurrent) as pool:
        answers = list(pool.map(lambda _: one(), range(args.concurrent)))
    wall = (time.perf_counter() - start) * 1000
    server.shutdown()
    results = [r for _, r, _ in answers]
    print(
        f"{args.concurrent} identical PUTs at once (live server)".ljust(58)
        + f" wall {wall:8.1f} ms   p50 {statistics.median(a[2] for a in answers):.1f} ms   "
        f"max {max(a[2] for a in answers):.1f} ms   "
        f"statuses {sorted(set(a[0] for a in answers))}   "
        f"applied {results.count('corrected') + results.count('recorded')}"
    )
    clock.freeze(None)


if __name__ == "__main__":
    main()
