"""PostgreSQL restarts while tablets submit attendance: nothing acknowledged may be lost.

    python bench/db_restart.py [--threads 6] [--before 8] [--after 12]

Builds a scratch database of its own (BENCH_DATABASE_URL, default
postgresql+psycopg://postgres@127.0.0.1:5432/ieum_bench_restart: dropped and created again),
seeds published sessions that have started and their centers, and serves the app with gunicorn
(2 workers) on a free port. Threads PUT attendance records (each a new (session, center) pair,
so every acknowledged one must be in the database); after ``--before`` seconds the cluster is
restarted (``pg_ctlcluster --skip-systemctl-redirect <version> main restart``), then
submissions go on for ``--after`` seconds. Prints sent, acknowledged (2xx), 503s, other errors,
found in the database and lost (acknowledged but missing: must be 0), and exits 1 if any is lost
or nothing was acknowledged after the restart (the app did not recover).
"""

import argparse
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

import requests
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/ieum_bench_restart"


def recreate_database(url: str) -> None:
    engine = sa.create_engine(sa.engine.make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    name = sa.engine.make_url(url).database
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()


def seed(url: str, centers: int, sessions: int) -> tuple[str, list[tuple[int, int]]]:
    """Published sessions of today that have started, each inviting every center; a
    coordinator's token. Returns the token and every (session, center) pair."""
    from app import create_app
    from app.auth.models import Role
    from app.auth.services import create_user, issue_token
    from app.extensions import db
    from centers.directory.models import Center, County, SupportPeriod
    from programs.catalog.models import Instructor, Program
    from programs.rooms.models import VideoRoom
    from programs.schedule.models import Session, SessionCenter

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "b" * 40})
    with app.app_context():
        db.create_all()
        county = County(name="시험군", province="시험도")
        county.support_periods.append(SupportPeriod(start=date(2000, 1, 1), end=date(2999, 12, 31)))
        db.session.add(county)
        db.session.flush()
        rows = [Center(county_id=county.id, name=f"시험{i}리 경로당", capacity=500) for i in range(centers)]
        program, instructor = Program(title="웃음치료", category="leisure"), Instructor(name="강사")
        db.session.add_all(rows + [program, instructor])
        db.session.flush()
        from app.clock import SEOUL

        # Ten-minute sessions back to back over the last days (all ended, all correctable).
        first = (datetime.now(SEOUL) - timedelta(days=3)).replace(hour=8, minute=0, second=0, microsecond=0)
        pairs = []
        for n in range(sessions):
            starts = first + timedelta(minutes=10 * (n % 60), days=n // 60)
            session = Session(program_id=program.id, instructor_id=instructor.id, date=starts.date(),
                              start_time=starts.time(), duration_minutes=10, status="published",
                              published_at=datetime.now(SEOUL), room=VideoRoom(name=VideoRoom.generate_name()))
            db.session.add(session)
            db.session.flush()
            for center in rows:
                db.session.add(SessionCenter(session_id=session.id, center_id=center.id))
                pairs.append((session.id, center.id))
        user = create_user(None, username="bench-coordinator", password="bench-password-long",
                           role=Role.COORDINATOR.value, source="cli")
        token = issue_token(None, user, name="bench", source="cli")
        db.session.commit()
        db.engine.dispose()
    return token, pairs


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=6)
    parser.add_argument("--before", type=float, default=8.0, help="seconds of submissions before the restart")
    parser.add_argument("--after", type=float, default=12.0, help="seconds of submissions after the restart")
    parser.add_argument("--server-log", default="/tmp/ieum-db-restart-server.log", help="gunicorn's output")
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    version = sorted(os.listdir("/etc/postgresql"), key=lambda v: [int(p) for p in v.split(".")])[-1]

    recreate_database(url)
    token, pairs = seed(url, centers=40, sessions=60)
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "b" * 40, "IEUM_ENV": "development",
           "RATELIMIT_STORAGE_URI": "memory://"}
    server_log = open(args.server_log, "w")  # noqa: SIM115 (open for the server's whole life)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "--timeout", "30", "wsgi:app"],
        cwd=ROOT, env=env, stdout=server_log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            requests.get(base + "/api/v1/openapi.json", timeout=1)
            break
        except requests.RequestException:
            time.sleep(0.2)

    counts: Counter = Counter()
    acknowledged: set[tuple[int, int]] = set()
    lock = threading.Lock()
    todo = iter(pairs)
    stop = threading.Event()
    back = threading.Event()  # set once the restart command has returned

    def submit():
        http = requests.Session()
        headers = {"Authorization": f"Bearer {token}"}
        while not stop.is_set():
            with lock:
                pair = next(todo, None)
            if pair is None:
                return
            session_id, center_id = pair
            body = {"status": "attended", "headcount": 7, "client_ref": f"bench-{session_id}-{center_id}"}
            try:
                response = http.put(f"{base}/api/v1/sessions/{session_id}/attendance/{center_id}", json=body,
                                    headers=headers, timeout=10)
                kind = "ack" if 200 <= response.status_code < 300 else str(response.status_code)
            except requests.RequestException as exc:
                kind = type(exc).__name__
            with lock:
                counts["sent"] += 1
                counts[kind] += 1
                if kind == "ack":
                    acknowledged.add(pair)
                    if back.is_set():
                        counts["ack_after"] += 1

    threads = [threading.Thread(target=submit) for _ in range(args.threads)]
    try:
        for thread in threads:
            thread.start()
        time.sleep(args.before)
        restarted = time.monotonic()
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"], check=True)
        restart_seconds = time.monotonic() - restarted
        back.set()
        time.sleep(args.after)
        stop.set()
        for thread in threads:
            thread.join()
    finally:
        stop.set()
        server.terminate()
        server.wait(timeout=30)
        server_log.close()

    engine = sa.create_engine(url)
    with engine.connect() as conn:
        stored = set(conn.execute(sa.text("SELECT session_id, center_id FROM attendance WHERE status IS NOT NULL")))
    engine.dispose()
    lost = acknowledged - {tuple(row) for row in stored}
    others = {k: v for k, v in counts.items() if k not in ("sent", "ack", "ack_after", "503")}
    print(f"PostgreSQL {version} restart took {restart_seconds:.1f} s")
    print(f"sent:          {counts['sent']}")
    print(f"acknowledged:  {counts['ack']} ({counts['ack_after']} after the restart: the app recovered by itself)")
    print(f"503s:          {counts['503']}")
    print(f"other errors:  {sum(others.values())} {others}")
    print(f"found in db:   {len(stored)}")
    print(f"lost:          {len(lost)}")
    print(f"server log:    {args.server_log}")
    return 1 if lost or not counts["ack_after"] else 0


if __name__ == "__main__":
    sys.exit(main())
