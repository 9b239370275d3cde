"""Open live-board streams against gunicorn: the memory they take and the delay of an event.

    python bench/live_streams.py [--streams 500] [--workers 2] [--threads 300] [--changes 20]
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/ieum_bench \
        BENCH_REDIS_URL=redis://127.0.0.1:6379/15 python bench/live_streams.py

Seeds a scratch database (BENCH_DATABASE_URL, default a temporary SQLite file; it is DROPPED and
rebuilt), starts gunicorn with the gthread worker (``--workers`` × ``--threads``) on Redis
pub/sub (BENCH_REDIS_URL, a channel of its own), opens ``--streams`` streams of ``/live/stream``
(asyncio, one TCP connection each; a mix of coordinators and county viewers), then sends
``--changes`` event_sync webhooks (``occupant/joined``) and times, at every client, the delay from
the webhook's send to its event. Prints the server's RSS (master and workers) before and with the
streams open, the delay's p50/p99/max, and that the streams of clients that went away free their
threads (as many streams again can be opened).
"""

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime
from datetime import time as dtime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402

from app import create_app  # noqa: E402
from app.auth.models import ApiToken, Role, User, hash_token  # noqa: E402
from app.extensions import db  # noqa: E402
from centers.directory.models import Center, County  # noqa: E402
from programs.catalog.models import Instructor, Program  # noqa: E402
from programs.rooms.models import VideoRoom  # noqa: E402
from programs.schedule.models import Session, SessionCenter  # noqa: E402

SECRET = "bench-event-sync-secret"


def seed(database_url: str, changes: int) -> dict:
    """Two counties; one session inviting ``changes`` centers of the first and one of the
    second; a coordinator's token and a county viewer's for each county."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench-secret-key-" + "x" * 32})
    with app.app_context():
        db.drop_all()
        db.create_all()
        now = datetime.now(UTC)
        first, second = County(name="벤치군", province="벤치도"), County(name="다른군", province="벤치도")
        db.session.add_all([first, second])
        db.session.flush()
        centers = [Center(county_id=first.id, name=f"벤치{i}리 경로당") for i in range(changes)]
        elsewhere = Center(county_id=second.id, name="다른 경로당")
        db.session.add_all([*centers, elsewhere])
        instructor, program = Instructor(name="강사"), Program(title="웃음치료", category="leisure")
        db.session.add_all([instructor, program])
        db.session.flush()
        room = VideoRoom(name=VideoRoom.generate_name())
        session = Session(program_id=program.id, instructor_id=instructor.id, date=date(2026, 11, 24),
                          start_time=dtime(10, 0), duration_minutes=60, status="published",
                          published_at=now, room=room)
        db.session.add(session)
        db.session.flush()
        for center in [*centers, elsewhere]:
            db.session.add(SessionCenter(session_id=session.id, center_id=center.id))
        tokens = {}
        for name, role, county in (("coordinator", Role.COORDINATOR, None), ("viewer", Role.COUNTY_VIEWER, first.id),
                                   ("other", Role.COUNTY_VIEWER, second.id)):
            user = User(username=f"bench-{name}", display_name=name, role=role, county_id=county)
            user.set_password("bench-password-1234")
            db.session.add(user)
            db.session.flush()
            token = ApiToken.generate()
            db.session.add(ApiToken(user_id=user.id, token_hash=hash_token(token), name="bench"))
            tokens[name] = token
        db.session.commit()
        info = {"room": room.name, "session_id": session.id, "centers": [c.id for c in centers],
                "elsewhere": elsewhere.id, "tokens": tokens}
        db.engine.dispose()
    return info


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_kib(root_pid: int) -> tuple[int, int]:
    """RSS of a process and its children (KiB), and how many processes that is."""
    pids = [root_pid]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == root_pid:
                pids.append(int(entry.name))
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total, len(pids)


class Client:
    """One stream on a raw HTTP/1.0 connection: every ``data:`` frame with its arrival time."""

    def __init__(self, token: str):
        self.token = token
        self.ready = asyncio.Event()
        self.arrivals: dict[int, float] = {}  # center_id → first arrival of its event
        self.writer = None

    async def run(self, host: str, port: int, session_id: int) -> None:
        reader, self.writer = await asyncio.open_connection(host, port)
        self.writer.write(
            f"GET /live/stream?session_id={session_id} HTTP/1.0\r\nHost: {host}\r\n"
            f"Authorization: Bearer {self.token}\r\nAccept: text/event-stream\r\n\r\n".encode()
        )
        await self.writer.drain()
        try:
            while True:
                line = await reader.readline()
                if not line:
                    return
                text = line.decode().rstrip("\r\n")
                if text.startswith("retry:"):
                    self.ready.set()
                elif text.startswith("data:"):
                    item = json.loads(text[5:])
                    self.arrivals.setdefault(item.get("center_id"), time.monotonic())
        except (ConnectionError, asyncio.CancelledError):
            return

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


async def measure(args, info: dict, base: str, port: int, server) -> None:
    tokens = info["tokens"]
    # Nine in ten streams are coordinators', the rest the session county's viewer and another
    # county's (who must hear nothing of these centers).
    kinds = ["viewer" if i % 10 == 8 else "other" if i % 10 == 9 else "coordinator" for i in range(args.streams)]
    clients = [Client(tokens[kind]) for kind in kinds]
    tasks = []
    opened = time.monotonic()
    for start in range(0, len(clients), 50):
        batch = clients[start:start + 50]
        tasks += [asyncio.create_task(c.run("127.0.0.1", port, info["session_id"])) for c in batch]
        await asyncio.wait_for(asyncio.gather(*(c.ready.wait() for c in batch)), timeout=60)
    print(f"{'streams open':<40} {len(clients)} in {time.monotonic() - opened:.1f} s")
    await asyncio.sleep(2)
    rss_open, processes = rss_kib(server.pid)
    print(f"{'server RSS with the streams open':<40} {rss_open / 1024:8.1f} MiB")
    args.rss_open = rss_open

    loop = asyncio.get_running_loop()
    sent: dict[int, float] = {}
    webhook_ms = []
    for i, center_id in enumerate(info["centers"][: args.changes]):
        payload = {"event_name": "muc-occupant-joined", "room_name": info["room"], "is_breakout": False,
                   "occupant": {"occupant_jid": f"bench{i}@meet/r", "id": f"center-{center_id}", "name": ""}}
        sent[center_id] = time.monotonic()
        answer = await loop.run_in_executor(None, lambda p=payload: requests.post(
            f"{base}/api/v1/jitsi/events/occupant/joined", json=p, timeout=30,
            headers={"Authorization": f"Bearer {SECRET}"}))
        webhook_ms.append((time.monotonic() - sent[center_id]) * 1000)
        assert answer.status_code == 200 and answer.json()["status"] == "recorded", answer.text
        await asyncio.sleep(args.interval)
    await asyncio.sleep(3)

    delays, missing, leaked = [], 0, 0
    for kind, client in zip(kinds, clients, strict=True):
        for center_id, at in sent.items():
            arrival = client.arrivals.get(center_id)
            if kind == "other":
                leaked += arrival is not None
            elif arrival is None:
                missing += 1
            else:
                delays.append((arrival - at) * 1000)
    print(f"{'webhook answer (ms)':<40} p50 {statistics.median(webhook_ms):7.1f}   max {max(webhook_ms):7.1f}")
    if delays:
        print(f"{'change → event at the client (ms)':<40} p50 {percentile(delays, .5):7.1f}   "
              f"p99 {percentile(delays, .99):7.1f}   max {max(delays):7.1f}   ({len(delays)} deliveries)")
    print(f"{'deliveries missing / leaked to another county':<40} {missing} / {leaked}")

    for client in clients:
        client.close()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)

    # The streams of clients that left free their worker threads (at the next heartbeat, whose
    # write fails): as many streams again fit, where the threads could not hold both.
    await asyncio.sleep(args.heartbeat + 2)
    rss_left, _ = rss_kib(server.pid)
    print(f"{'server RSS after the clients left':<40} {rss_left / 1024:8.1f} MiB")
    again = [Client(tokens["coordinator"]) for _ in range(args.streams)]
    started = time.monotonic()
    tasks = [asyncio.create_task(c.run("127.0.0.1", port, info["session_id"])) for c in again]
    await asyncio.wait_for(asyncio.gather(*(c.ready.wait() for c in again)), timeout=60)
    print(f"{'the same number of streams again':<40} open in {time.monotonic() - started:.1f} s")
    for client in again:
        client.close()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=500)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=300)
    parser.add_argument("--changes", type=int, default=20)
    parser.add_argument("--interval", type=float, default=0.5, help="seconds between changes")
    parser.add_argument("--heartbeat", type=float, default=5.0, help="LIVE_STREAM_HEARTBEAT for the run")
    args = parser.parse_args()

    scratch = tempfile.mkdtemp(prefix="ieum-live-bench-")
    database_url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{scratch}/bench.db"
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
    info = seed(database_url, args.changes)
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis_url,
           "LIVE_EVENTS_CHANNEL": f"ieum:live:bench:{uuid.uuid4().hex}", "JITSI_EVENTS_SECRET": SECRET,
           "SECRET_KEY": "bench-secret-key-" + "x" * 32, "LIVE_STREAM_HEARTBEAT": str(args.heartbeat)}
    # gunicorn.conf.py's settings (gthread, worker connections = threads), sized by the arguments.
    env.update(GUNICORN_WORKERS=str(args.workers), GUNICORN_THREADS=str(args.threads))
    command = [sys.executable, "-m", "gunicorn", "--graceful-timeout", "5", "-b", f"127.0.0.1:{port}", "wsgi:app"]
    print(f"load {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}   "
          f"database {database_url.split('@')[-1]}   gunicorn -k gthread -w {args.workers} --threads {args.threads}")
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,  # noqa: S603
                              stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{base}/auth/login", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                if time.monotonic() > deadline:
                    raise
            time.sleep(0.3)
        for _ in range(args.workers * 4):  # warm every worker up
            requests.get(f"{base}/auth/login", timeout=5)
        time.sleep(1)
        rss_idle, processes = rss_kib(server.pid)
        print(f"{'server RSS before (master + workers)':<40} {rss_idle / 1024:8.1f} MiB  ({processes} processes)")
        asyncio.run(measure(args, info, base, port, server))
        per_stream = (args.rss_open - rss_idle) / args.streams
        print(f"{'memory per open stream':<40} {per_stream:8.1f} KiB")
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    main()
