"""The national morning peak on one machine (issue 12): the hot endpoints against a "hello" app.

    python bench/peak.py [--duration 10] [--connections 16] [--only tablet,feed-year]
    PEAK_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/ieum_peak \
    PEAK_REDIS_URL=redis://127.0.0.1:6379/13  python bench/peak.py

What one run does:

1. loads (or tops up) the county-scale data set of ``bench/peak_data.py`` into its own
   PostgreSQL database (``--url`` / ``PEAK_DATABASE_URL``, created and migrated when missing;
   2,000 centers, a month of published sessions, one group of centers with a year of them);
2. starts the app (``wsgi:app``) under gunicorn with the repository's ``gunicorn.conf.py``
   (2 sync workers unless that file sets ``workers``), ``REDIS_URL`` set (``--redis`` /
   ``PEAK_REDIS_URL``; the bench flushes only that database number), in production mode, on
   a free port; and ``bench/peak_hello.py`` (a bare Flask "hello") under the same settings;
3. pairs a tablet (through ``/tablet/pair``, as a real one does) and gives a manager's bearer
   token to each of ``--centers`` sampled centers, checks every endpoint answers as it should;
4. measures with wrk (``--wrk``, default /usr/bin/wrk; ``--connections`` 16, ``--duration``
   10 s, 2 threads), interleaved ``hello, X, hello, Y, …, hello``: Lua scripts rotate the
   cookies, tokens, paths and bodies. The figures:

   - ``tablet``: ``GET /tablet`` with the session cookies of the paired tablets;
   - ``join``: ``GET /api/v1/sessions/{id}/join`` (today's class of each center, its manager);
   - ``me``: ``GET /api/v1/me`` (managers' bearer tokens);
   - ``feed``/``feed-304``: a center's feed (about 30 events), then with ``If-None-Match``;
   - ``feed-year``: the feed of a center with about 250 events (``200``);
   - ``attendance``: ``PUT /api/v1/sessions/{id}/attendance/{center_id}`` over the recent
     classes of the sampled centers, a different headcount, status and ``client_ref`` each time.

   One line per figure: requests per second, p50 and p99 (wrk ``--latency``), the share of
   hello (the mean of the hello runs just before and after it), non-2xx/3xx answers and
   socket errors when there are any, and the machine's load (``os.getloadavg()``);
5. runs ``bench/national_report.py time`` when its national database holds data and prints
   its lines (``--national-url`` / ``BENCH_DATABASE_URL``; ``--no-national`` to skip).

Every server started is stopped on exit (normal, error, Ctrl-C or SIGTERM). ``--env KEY=VALUE``
(repeatable) adds to the app server's environment, e.g. to switch a cache off: ``feed-year``
is meant cold (rendered on every request), and a feed cache keyed by center would serve it
warm after the first request of each of its 8 centers.

The figures are only as quiet as the machine: each line carries the load average, and hello
is measured between every two figures so that a share compares runs made at the same time.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import re
import runpy
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from bench import peak_data  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/ieum_peak"
DEFAULT_REDIS = "redis://127.0.0.1:6379/13"
NATIONAL_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/ieum_bench6"
SECRET_KEY = "peak-bench-secret-key-" + "x" * 24  # the cookies are signed with it
FIGURES = ("tablet", "join", "me", "feed", "feed-304", "feed-year", "attendance")
_children: list[subprocess.Popen] = []


# --- processes ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop_all() -> None:
    while _children:
        proc = _children.pop()
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass


def _on_signal(signum, _frame):
    stop_all()
    raise SystemExit(128 + signum)


def gunicorn(target: str, env: dict, log: Path) -> str:
    """Start ``target`` under gunicorn with the repository's config; its base URL once it answers."""
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    port = free_port()
    cmd = [str(ROOT / ".venv/bin/gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), "--no-control-socket",
           "--bind", f"127.0.0.1:{port}"]
    if "workers" not in config and "WEB_CONCURRENCY" not in env:
        cmd += ["--workers", "2"]
    cmd.append(target)
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
                            start_new_session=True)
    _children.append(proc)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn {target} exited; see {log}:\n{log.read_text()[-2000:]}")
        try:
            requests.get(base + "/", timeout=10, allow_redirects=False)
            return base
        except requests.RequestException:
            time.sleep(0.2)
    raise SystemExit(f"gunicorn {target} did not answer within 60 s; see {log}")


# --- the people the bench signs in as ------------------------------------------------------------


def app_env(url: str, redis_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("TEST_DATABASE_URL",)}
    env.update(
        IEUM_ENV="production",
        DATABASE_URL=url,
        SECRET_KEY=SECRET_KEY,
        REDIS_URL=redis_url,
        PUBLIC_BASE_URL="http://127.0.0.1",
        JITSI_DOMAIN="meet.example.org",
        JITSI_APP_ID="ieum-peak",
        JITSI_APP_SECRET="peak-bench-jitsi-secret-" + "y" * 16,
        PYTHONPATH=str(ROOT),
    )
    return env


def make_app(env: dict):
    """An in-process app on the same database and secret as the served one (to make users)."""
    saved = dict(os.environ)
    os.environ.update({k: env[k] for k in ("IEUM_ENV", "DATABASE_URL", "SECRET_KEY", "REDIS_URL",
                                           "PUBLIC_BASE_URL")})
    try:
        from app import create_app

        return create_app({"RATELIMIT_ENABLED": False})
    finally:
        os.environ.clear()
        os.environ.update(saved)


def credentials(app, facts, sample: int) -> dict:
    """For ``sample`` centers (one per group, the year group left out): a pairing code, a
    manager's bearer token, today's class and the recent classes open to attendance."""
    from app import clock
    from app.auth.models import Role, User
    from app.auth.services import issue_token
    from app.extensions import db
    from centers.directory.models import Center
    from centers.tablet import services as tablet
    from programs.schedule.models import Session, SessionCenter

    groups = facts.groups[1:]
    picked = [groups[(i * 7) % len(groups)][i % len(groups[0])] for i in range(sample)]
    out = {"centers": [], "year_centers": facts.groups[0][:8]}
    with app.app_context():
        coordinator = db.session.scalar(sa.select(User).where(User.username == "peak-coordinator"))
        if coordinator is None:
            coordinator = User(username="peak-coordinator", role=Role.COORDINATOR.value)
            db.session.add(coordinator)
            db.session.flush()
        now = clock.now()
        today = clock.today()
        for center_id in picked:
            center = db.session.get(Center, center_id)
            name = f"peak-manager-{center_id}"
            manager = db.session.scalar(sa.select(User).where(User.username == name))
            if manager is None:
                manager = User(username=name, role=Role.CENTER_MANAGER.value, center_id=center_id,
                               county_id=center.county_id)
                db.session.add(manager)
                db.session.flush()
            token = issue_token(None, manager, name="peak", source="cli", expires_in_days=2)
            _device, code = tablet.create_pairing(coordinator, center, "peak", source="cli")
            rows = db.session.execute(
                sa.select(Session.id, Session.date, Session.start_time)
                .join(SessionCenter, SessionCenter.session_id == Session.id)
                .where(SessionCenter.center_id == center_id, Session.status == "published",
                       Session.date.between(today - timedelta(days=4), today))
                .order_by(Session.date)
            ).all()
            started = [s for s, d, t in rows
                       if datetime.combine(d, t, tzinfo=clock.SEOUL) <= now]
            todays = [s for s, d, _t in rows if d == today]
            out["centers"].append({"id": center_id, "key": facts.keys[center_id], "token": token,
                                   "code": code, "today": todays[0], "recent": started[-3:]})
        db.session.commit()
        db.session.remove()
    return out


def pair_tablet(base: str, code: str) -> str:
    """Pair through the page as a tablet does; the ``session`` cookie it is given."""
    page = requests.get(f"{base}/tablet/pair", params={"code": code}, timeout=30)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text) or re.search(
        r'name="csrf_token"[^>]*value="([^"]+)"', page.text)
    assert csrf, "no csrf_token on /tablet/pair"
    jar = {c.name: c.value for c in page.cookies}
    answer = requests.post(f"{base}/tablet/pair", data={"csrf_token": csrf.group(1), "code": code},
                           cookies=jar, allow_redirects=False, timeout=30)
    assert answer.status_code == 302, f"pairing answered {answer.status_code}"
    return answer.cookies["session"]


# --- wrk ---------------------------------------------------------------------------------------------

LUA = r"""
local items = %(items)s
local counter = 0
local statuses = {"attended", "absent", "technical_issue", "excused", "attended"}
local run = "%(run)s"
local n, tid = 0, 0
function setup(thread) thread:set("tid", counter); counter = counter + 1 end
function init(args) n = tid * 7919 end
function request()
  n = n + 1
  local it = items[(n %% #items) + 1]
  local body = nil
  if it.put then
    body = string.format('{"status":"%%s","headcount":%%d,"client_ref":"%%s-%%d-%%d"}',
      statuses[(n %% #statuses) + 1], n %% 30, run, tid, n)
  end
  return wrk.format(it.method, it.path, it.headers, body)
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'PEAK {"requests":%%d,"duration_us":%%d,"p50":%%d,"p99":%%d,"status":%%d,"socket":%%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout))
end
"""


def lua_items(items: list[dict]) -> str:
    def one(it):
        headers = ", ".join(f"[{json.dumps(k)}] = {json.dumps(v)}" for k, v in it.get("headers", {}).items())
        return (f'{{method = "{it.get("method", "GET")}", path = {json.dumps(it["path"])}, '
                f'headers = {{{headers}}}, put = {"true" if it.get("put") else "false"}}}')
    return "{" + ",\n".join(one(it) for it in items) + "}"


def wrk(tool: str, base: str, items: list[dict], args, workdir: Path) -> dict:
    script = workdir / f"s{secrets.token_hex(4)}.lua"
    script.write_text(LUA % {"items": lua_items(items), "run": secrets.token_hex(4)})
    cmd = [tool, "-t2", f"-c{args.connections}", f"-d{args.duration}s", "--latency",
           "--timeout", "10s", "-s", str(script), base]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=args.duration + 60)
    match = re.search(r"^PEAK (\{.*\})$", out.stdout, re.M)
    if not match:
        raise SystemExit(f"wrk gave no figures:\n{out.stdout}\n{out.stderr}")
    figures = json.loads(match.group(1))
    figures["rps"] = figures["requests"] / (figures["duration_us"] / 1e6)
    return figures


# --- the run --------------------------------------------------------------------------------------------


def scenarios(creds: dict, tablets: list[str], etags: dict[int, str]) -> dict[str, list[dict]]:
    centers = creds["centers"]

    def bearer(c):
        return {"Authorization": f"Bearer {c['token']}"}

    def feed(center_id, key):
        return f"/calendar/centers/{center_id}.ics?key={key}"

    year = [c for c in creds["year_centers"]]
    return {
        "hello": [{"path": "/"}],
        "tablet": [{"path": "/tablet", "headers": {"Cookie": f"session={t}"}} for t in tablets],
        "join": [{"path": f"/api/v1/sessions/{c['today']}/join", "headers": bearer(c)} for c in centers],
        "me": [{"path": "/api/v1/me", "headers": bearer(c)} for c in centers],
        "feed": [{"path": feed(c["id"], c["key"])} for c in centers],
        "feed-304": [{"path": feed(c["id"], c["key"]), "headers": {"If-None-Match": etags[c["id"]]}}
                     for c in centers],
        "feed-year": [{"path": feed(cid, creds["year_keys"][cid])} for cid in year],
        "attendance": [
            {"method": "PUT", "path": f"/api/v1/sessions/{s}/attendance/{c['id']}", "put": True,
             "headers": {**bearer(c), "Content-Type": "application/json"}}
            for c in centers for s in c["recent"]
        ],
    }


def check(base: str, name: str, items: list[dict]) -> None:
    """Every request of a figure answers as it should before it is measured."""
    want = {"feed-304": 304}.get(name, 200)
    for it in items[:4]:
        body = None
        if it.get("put"):
            body = json.dumps({"status": "attended", "headcount": 3, "client_ref": secrets.token_hex(8)})
        r = requests.request(it.get("method", "GET"), base + it["path"], headers=it.get("headers"),
                             data=body, timeout=60, allow_redirects=False)
        if r.status_code != want:
            raise SystemExit(f"{name}: {it['method'] if 'method' in it else 'GET'} {it['path']} answered "
                             f"{r.status_code}, not {want}: {r.text[:300]}")
        if name == "tablet" and "피크" not in r.text:
            raise SystemExit("tablet: the page does not name the center")
        if name == "feed-year" and it is items[0]:
            events = r.text.count("BEGIN:VEVENT")
            print(f"(feed-year: {events} events, {len(r.content):,} bytes)")


def line(name: str, f: dict, share: float | None) -> str:
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    share_text = f"{share:6.1%}" if share is not None else "     —"
    extra = ""
    if f["status"] or f["socket"]:
        extra = f"  non-2xx/3xx {f['status']} socket errors {f['socket']}"
    return (f"{name:<11} {f['rps']:8.1f} req/s  p50 {f['p50'] / 1000:7.1f} ms  p99 "
            f"{f['p99'] / 1000:7.1f} ms  {share_text} of hello  load {load}{extra}")


def national(url: str) -> None:
    import psycopg

    try:
        with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), connect_timeout=5) as conn:
            present = conn.execute("SELECT EXISTS (SELECT 1 FROM attendance)").fetchone()[0]
    except psycopg.Error:
        present = False
    if not present:
        print(f"national report: no national data at {url} (python bench/national_report.py load)")
        return
    out = subprocess.run([sys.executable, str(ROOT / "bench/national_report.py"), "time", "--url", url],
                         cwd=ROOT, capture_output=True, text=True, timeout=1800)
    for text in out.stdout.splitlines():
        print(f"national report: {text}")
    if out.returncode:
        print(f"national report failed ({out.returncode}): {out.stderr[-1000:]}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default=os.environ.get("PEAK_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--redis", default=os.environ.get("PEAK_REDIS_URL", DEFAULT_REDIS))
    parser.add_argument("--national-url", default=os.environ.get("BENCH_DATABASE_URL", NATIONAL_URL))
    parser.add_argument("--no-national", action="store_true")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--centers", type=int, default=16, help="sampled centers (tablets, tokens)")
    parser.add_argument("--only", default="", help="comma-separated figures: " + ",".join(FIGURES))
    parser.add_argument("--wrk", default="/usr/bin/wrk")
    parser.add_argument("--env", action="append", default=[], metavar="KEY=VALUE",
                        help="more environment for the app server (repeatable)")
    args = parser.parse_args(argv)
    only = [f for f in args.only.split(",") if f] or list(FIGURES)
    unknown = set(only) - set(FIGURES)
    if unknown:
        parser.error(f"unknown figures: {', '.join(sorted(unknown))}")

    atexit.register(stop_all)
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    workdir = Path(tempfile.mkdtemp(prefix="peak-"))
    env = app_env(args.url, args.redis)
    for pair in args.env:
        key, sep, value = pair.partition("=")
        if not sep:
            parser.error(f"--env wants KEY=VALUE, not {pair!r}")
        env[key] = value

    import redis

    redis.Redis.from_url(args.redis).flushdb()  # only the bench's own database number
    peak_data.create_database(args.url)
    app = make_app(env)
    t0 = time.perf_counter()
    peak_data.migrate(app)
    from app import clock

    facts = peak_data.load(app, clock.today())
    print(f"data: {len(facts.centers):,} centers, {facts.sessions:,} sessions "
          f"({facts.added:,} added) in {time.perf_counter() - t0:.1f} s")
    creds = credentials(app, facts, args.centers)
    creds["year_keys"] = {cid: facts.keys[cid] for cid in creds["year_centers"]}

    base = gunicorn("wsgi:app", env, workdir / "app.log")
    hello = gunicorn("bench.peak_hello:app", env, workdir / "hello.log")
    workers = runpy.run_path(str(ROOT / "gunicorn.conf.py")).get("workers", 2)
    print(f"app {base}, hello {hello}: gunicorn, {workers} workers (gunicorn.conf.py), "
          f"REDIS_URL {args.redis}; wrk {args.connections} connections, {args.duration} s")
    tablets = [pair_tablet(base, c["code"]) for c in creds["centers"]]
    etags = {}
    for c in creds["centers"]:
        r = requests.get(f"{base}/calendar/centers/{c['id']}.ics", params={"key": c["key"]}, timeout=60)
        etags[c["id"]] = r.headers["ETag"]
    plan = scenarios(creds, tablets, etags)
    for name in only:
        check(base, name, plan[name])
    check(hello, "hello", plan["hello"])

    hellos = [wrk(args.wrk, hello, plan["hello"], args, workdir)]
    print(line("hello", hellos[-1], 1.0))
    for name in only:
        figures = wrk(args.wrk, base, plan[name], args, workdir)
        hellos.append(wrk(args.wrk, hello, plan["hello"], args, workdir))
        print(line(name, figures, figures["rps"] / statistics.mean(h["rps"] for h in hellos[-2:])))
        print(line("hello", hellos[-1], 1.0))
    print(f"hello median {statistics.median(h['rps'] for h in hellos):.1f} req/s over {len(hellos)} runs; "
          f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    if not args.no_national:
        national(args.national_url)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
