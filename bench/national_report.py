# ruff: noqa: E501  (COPY rows and SQL read best on one line)
"""National-scale attendance report benchmark (PostgreSQL).

    python bench/national_report.py load     # build ieum_bench6 and load the national data set
    python bench/national_report.py time     # time the reports (one line per figure)
    python bench/national_report.py          # both (load is skipped when the data is there)

Options: ``--url postgresql+psycopg://postgres@127.0.0.1:5432/ieum_bench6`` (``BENCH_DATABASE_URL``),
``--reset`` (drop and reload), ``--runs N`` (timed repetitions, median reported).

The data: 226 counties, 68,000 centers (about 301 per county, 10 members each), one session a
weekday (Korean public holidays skipped) for every group of up to 50 centers of a county through
2026, i.e. ~17 million invitations and ~16.5 million attendance records (statuses mixed, ~3 %
unreported, ~1 % of sessions cancelled), member lists for 5 % of the centers. Everything goes in
with COPY (psycopg ``cursor.copy``); the big tables' indexes and constraints are dropped for the
load and rebuilt after it, exactly as the migrations made them.

After the load the report rollups (migration 0007) are rebuilt from the rows
(``python bench/national_report.py rollups`` does only that, e.g. after ``flask db upgrade``).

Then it times, warm, the median of ``--runs`` calls of ``centers.reports.attendance_report``
(the service behind the page, the API and the exports, reading the rollups) for the whole
country and one county over a month and a year, and the county dashboard, one line per figure
with the machine's load (``uptime``) before and after. Targets: whole-country month < 500 ms,
county month < 100 ms, county dashboard < 200 ms. ``--check`` compares each report once with
the live service over the base tables and the county month with hand-written SQL.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/ieum_bench6"
COUNTIES = 226
CENTERS = 68_000
MEMBERS_PER_CENTER = 10
GROUP_SIZE = 50
YEAR = 2026
PROGRAMS = 20
INSTRUCTORS = 400  # 5 hourly slots each: no instructor in two overlapping sessions
MEMBER_LIST_SHARE = 0.05
BIG_TABLES = ("session_centers", "attendance", "attendance_members", "attendance_submissions")
PROVINCES = [
    "경상북도",
    "전북특별자치도",
    "전라남도",
    "강원특별자치도",
    "충청남도",
    "충청북도",
    "경상남도",
    "경기도",
]
STAMP = "2026-01-01 00:00:00+00"


def psycopg_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


# --- progress ------------------------------------------------------------------------------


class Progress:
    """A one-line progress bar on a terminal; a line every 5 % in a log file."""

    def __init__(self, label: str, total: int) -> None:
        self.label, self.total, self.done = label, max(total, 1), 0
        self.start = time.perf_counter()
        self.tty = sys.stderr.isatty()
        self.next_mark = 0.05

    def add(self, n: int) -> None:
        self.done += n
        frac = min(self.done / self.total, 1.0)
        elapsed = time.perf_counter() - self.start
        rate = self.done / elapsed if elapsed else 0
        eta = (self.total - self.done) / rate if rate else 0
        line = (
            f"{self.label:<20} [{'#' * int(frac * 30):<30}] {frac * 100:5.1f}% "
            f"{self.done:>12,} rows {rate:>10,.0f}/s eta {eta:5.0f}s"
        )
        if self.tty:
            sys.stderr.write("\r" + line)
            sys.stderr.flush()
        elif frac >= self.next_mark or self.done >= self.total:
            print(line, flush=True)
            while self.next_mark <= frac:
                self.next_mark += 0.05

    def finish(self) -> None:
        if self.tty:
            sys.stderr.write("\n")
        print(
            f"{self.label}: {self.done:,} rows in {time.perf_counter() - self.start:.1f} s",
            flush=True,
        )


# --- schema --------------------------------------------------------------------------------


def create_database(url: str, reset: bool) -> None:
    target = psycopg.conninfo.conninfo_to_dict(psycopg_url(url))
    name = target["dbname"]
    admin = {**target, "dbname": "postgres"}
    with psycopg.connect(**admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists and reset:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")


def app_for(url: str):
    from app import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench" * 10, "TESTING": True})


def migrate(url: str) -> None:
    """The schema exactly as the migrations make it (``flask db upgrade``)."""
    from flask_migrate import upgrade

    app = app_for(url)
    with app.app_context():
        upgrade()
        from app.extensions import db

        db.engine.dispose()


def loaded(conn) -> bool:
    counties = conn.execute("SELECT count(*) FROM counties").fetchone()[0]
    has_rows = conn.execute("SELECT EXISTS (SELECT 1 FROM attendance)").fetchone()[0]
    return counties == COUNTIES and has_rows


def drop_constraints(conn, tables) -> list[str]:
    """Drop the big tables' keys, foreign keys and indexes; return the statements that rebuild
    them (keys, then indexes, then foreign keys), exactly as the migrations defined them."""
    keys, indexes, foreign = [], [], []
    for table in tables:
        for name, definition, kind in conn.execute(
            """SELECT conname, pg_get_constraintdef(oid), contype FROM pg_constraint
               WHERE conrelid = %s::regclass AND contype IN ('p', 'u', 'f')""",
            (table,),
        ).fetchall():
            (foreign if kind == "f" else keys).append((table, name, definition))
        indexes += conn.execute(
            """SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s
               AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)""",
            (table, table),
        ).fetchall()
    for table, name, _ in foreign + keys:
        conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    return (
        [f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}' for t, n, d in keys]
        + [d for _, d in indexes]
        + [f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}' for t, n, d in foreign]
    )


# --- data ----------------------------------------------------------------------------------


def weekdays(year: int) -> list[date]:
    import holidays

    kr = holidays.KR(years=year)
    day, out = date(year, 1, 1), []
    while day.year == year:
        if day.weekday() < 5 and day not in kr:
            out.append(day)
        day += timedelta(days=1)
    return out


def copy_rows(
    conn, table: str, columns: str, rows, label: str | None = None, total: int = 0
) -> None:
    progress = Progress(label or table, total or len(rows))
    with conn.cursor() as cur, cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        buf = []
        for row in rows:
            buf.append(row)
            if len(buf) >= 50_000:
                copy.write("".join(buf))
                progress.add(len(buf))
                buf = []
        if buf:
            copy.write("".join(buf))
            progress.add(len(buf))
    progress.finish()


def center_layout() -> list[tuple[int, int]]:
    """(center_id, county_id) for every center, ~301 per county."""
    per, extra = divmod(CENTERS, COUNTIES)
    out, cid = [], 0
    for county in range(1, COUNTIES + 1):
        for _ in range(per + (1 if county <= extra else 0)):
            cid += 1
            out.append((cid, county))
    return out


def load(url: str) -> bool:
    rng = random.Random(2026)
    days = weekdays(YEAR)
    layout = center_layout()
    by_county: dict[int, list[int]] = {}
    for cid, county in layout:
        by_county.setdefault(county, []).append(cid)
    groups = [
        ids[i : i + GROUP_SIZE]
        for county in sorted(by_county)
        for ids in [by_county[county]]
        for i in range(0, len(ids), GROUP_SIZE)
    ]
    listed = set(rng.sample(range(1, CENTERS + 1), int(CENTERS * MEMBER_LIST_SHARE)))
    silent = set(rng.sample(range(1, CENTERS + 1), CENTERS // 50))
    t0 = time.perf_counter()
    with psycopg.connect(psycopg_url(url)) as conn:
        if loaded(conn):
            print("data already loaded (use --reset to reload)")
            return False
        print(
            f"loading: {COUNTIES} counties, {CENTERS:,} centers, {len(days)} weekdays of {YEAR}, "
            f"{len(groups) * len(days):,} sessions, ~{CENTERS * len(days):,} invitations",
            flush=True,
        )
        copy_rows(
            conn,
            "counties",
            "id, name, province, created_at, updated_at",
            [
                f"{i}\t시군{i:03d}\t{PROVINCES[i % len(PROVINCES)]}\t{STAMP}\t{STAMP}\n"
                for i in range(1, COUNTIES + 1)
            ],
        )
        copy_rows(
            conn,
            "support_periods",
            'id, county_id, start, "end", note, created_at, updated_at',
            [
                f"{i}\t{i}\t{YEAR}-01-01\t{YEAR}-12-31\t\t{STAMP}\t{STAMP}\n"
                for i in range(1, COUNTIES + 1)
            ],
        )
        copy_rows(
            conn,
            "centers",
            "id, county_id, name, address, capacity, active, calendar_key, created_at, updated_at",
            [
                f"{cid}\t{county}\t경로당 {cid}\t주소 {cid}\t30\tt\tbench-{cid}\t{STAMP}\t{STAMP}\n"
                for cid, county in layout
            ],
        )
        copy_rows(
            conn,
            "members",
            "id, center_id, name, birth_year, status, note, created_at, updated_at",
            (
                f"{(cid - 1) * MEMBERS_PER_CENTER + k + 1}\t{cid}\t어르신 {cid}-{k + 1}\t{1935 + k * 2}\tactive\t\t{STAMP}\t{STAMP}\n"
                for cid, _ in layout
                for k in range(MEMBERS_PER_CENTER)
            ),
            total=CENTERS * MEMBERS_PER_CENTER,
        )
        copy_rows(
            conn,
            "programs",
            "id, title, category, description, duration_minutes, active, created_at, updated_at",
            [
                f"{i}\t프로그램 {i}\t{'leisure' if i % 2 else 'health'}\t\t60\tt\t{STAMP}\t{STAMP}\n"
                for i in range(1, PROGRAMS + 1)
            ],
        )
        copy_rows(
            conn,
            "instructors",
            "id, name, phone, active, calendar_key, created_at, updated_at",
            [
                f"{i}\t강사 {i}\t\\N\tt\tbench-i{i}\t{STAMP}\t{STAMP}\n"
                for i in range(1, INSTRUCTORS + 1)
            ],
        )

        # Sessions: one per weekday per group; ~1 % cancelled.
        sessions = []  # (session_id, day, group index, cancelled)
        sid = 0
        for day in days:
            for g in range(len(groups)):
                sid += 1
                sessions.append((sid, day, g, rng.random() < 0.01))
        copy_rows(
            conn,
            "sessions",
            "id, program_id, instructor_id, date, start_time, duration_minutes, status, version, sequence, "
            "published_at, cancelled_at, note, created_at, updated_at",
            (
                f"{s}\t{(s % PROGRAMS) + 1}\t{(g % INSTRUCTORS) + 1}\t{day}\t{10 + (g // INSTRUCTORS) % 5}:00:00\t60\t"
                f"{'cancelled' if cancelled else 'published'}\t1\t{1 if cancelled else 0}\t{STAMP}\t"
                f"{STAMP if cancelled else chr(92) + 'N'}\t\t{STAMP}\t{STAMP}\n"
                for s, day, g, cancelled in sessions
            ),
            total=len(sessions),
        )
        conn.commit()

        print("dropping the big tables' indexes and constraints for the load", flush=True)
        rebuild = drop_constraints(conn, BIG_TABLES)
        conn.commit()
        load_big(url, conn, sessions, groups, listed, silent, rng)

        print("rebuilding indexes and constraints", flush=True)
        conn.execute("SET maintenance_work_mem = '512MB'")
        for statement in rebuild:
            t = time.perf_counter()
            conn.execute(statement)
            conn.commit()
            print(f"  {time.perf_counter() - t:6.1f} s  {statement[:110]}", flush=True)
        for table, column in (
            ("counties", "id"),
            ("support_periods", "id"),
            ("centers", "id"),
            ("members", "id"),
            ("programs", "id"),
            ("instructors", "id"),
            ("sessions", "id"),
            ("attendance", "id"),
        ):
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), "
                f"(SELECT coalesce(max({column}), 1) FROM {table}))"
            )
        conn.commit()
        conn.autocommit = True
        t = time.perf_counter()
        conn.execute("VACUUM ANALYZE")
        print(f"VACUUM ANALYZE: {time.perf_counter() - t:.1f} s")
        counts = {
            t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("centers", "sessions", "session_centers", "attendance", "attendance_members")
        }
        size = conn.execute(
            "SELECT pg_size_pretty(pg_database_size(current_database()))"
        ).fetchone()[0]
    print(
        "loaded: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()) + f"; database {size}; "
        f"{time.perf_counter() - t0:.0f} s in all",
        flush=True,
    )
    return True


def load_big(url, conn, sessions, groups, listed, silent, rng) -> None:
    """session_centers, attendance and attendance_members in one pass, three COPY streams."""
    total = sum(len(groups[g]) for _, _, g, _ in sessions)
    progress = Progress("invitations", total)
    statuses = (
        ("attended",) * 80
        + ("absent",) * 8
        + ("technical_issue",) * 5
        + ("excused",) * 4
        + (None,) * 3
    )
    aid = 0
    with psycopg.connect(psycopg_url(url)) as c2, psycopg.connect(psycopg_url(url)) as c3:
        with (
            conn.cursor() as k1,
            c2.cursor() as k2,
            c3.cursor() as k3,
            k1.copy("COPY session_centers (session_id, center_id) FROM STDIN") as sc_copy,
            k2.copy(
                "COPY attendance (id, session_id, center_id, session_date, status, headcount, joined_at, "
                "left_at, recorded_at, source, note, version, created_at, updated_at) FROM STDIN"
            ) as a_copy,
            k3.copy("COPY attendance_members (attendance_id, member_id) FROM STDIN") as m_copy,
        ):
            sc_buf, a_buf, m_buf = [], [], []
            rand, choice, sample = rng.random, rng.choice, rng.sample
            for sid, day, g, cancelled in sessions:
                centers = groups[g]
                start = datetime(day.year, day.month, day.day, 1, 0, tzinfo=UTC)  # 10:00 Seoul
                joined = f"{start - timedelta(minutes=3):%Y-%m-%d %H:%M:%S}+00"
                left = f"{start + timedelta(minutes=61):%Y-%m-%d %H:%M:%S}+00"
                recorded = f"{start + timedelta(minutes=70):%Y-%m-%d %H:%M:%S}+00"
                for cid in centers:
                    sc_buf.append(f"{sid}\t{cid}\n")
                    if cancelled:
                        continue
                    if cid in silent and day.month >= 11:
                        continue  # silent since November: no record at all
                    status = choice(statuses)
                    aid += 1
                    if status is None:
                        a_buf.append(
                            f"{aid}\t{sid}\t{cid}\t{day}\t\\N\t\\N\t{joined}\t\\N\t\\N\tjitsi\t\t1\t{joined}\t{joined}\n"
                        )
                        continue
                    if status == "attended":
                        heads = 5 + int(rand() * 20)
                        a_buf.append(
                            f"{aid}\t{sid}\t{cid}\t{day}\tattended\t{heads}\t{joined}\t{left}\t{recorded}\ttablet\t\t1\t{recorded}\t{recorded}\n"
                        )
                        if cid in listed:
                            base = (cid - 1) * MEMBERS_PER_CENTER + 1
                            for mid in sample(
                                range(base, base + MEMBERS_PER_CENTER), 4 + int(rand() * 6)
                            ):
                                m_buf.append(f"{aid}\t{mid}\n")
                    else:
                        a_buf.append(
                            f"{aid}\t{sid}\t{cid}\t{day}\t{status}\t0\t\\N\t\\N\t{recorded}\ttablet\t\t1\t{recorded}\t{recorded}\n"
                        )
                if len(sc_buf) >= 100_000:
                    sc_copy.write("".join(sc_buf))
                    a_copy.write("".join(a_buf))
                    if m_buf:
                        m_copy.write("".join(m_buf))
                    progress.add(len(sc_buf))
                    sc_buf, a_buf, m_buf = [], [], []
            sc_copy.write("".join(sc_buf))
            a_copy.write("".join(a_buf))
            m_copy.write("".join(m_buf))
            progress.add(len(sc_buf))
        c2.commit()
        c3.commit()
    conn.commit()
    progress.finish()


# --- timing --------------------------------------------------------------------------------


PLAIN_FIGURES = """SELECT c.id, c.name, c.county_id, cn.name AS county,
       count(DISTINCT s.id) AS sessions, count(*) AS invited,
       count(a.id) FILTER (WHERE a.status = 'attended') AS attended,
       count(a.id) FILTER (WHERE a.status = 'absent') AS absent,
       count(a.id) FILTER (WHERE a.status = 'technical_issue') AS technical_issue,
       count(a.id) FILTER (WHERE a.status = 'excused') AS excused,
       count(a.status) AS reported,
       count(*) FILTER (WHERE a.status IS NULL AND (s.date > %(today)s
           OR (s.date = %(today)s AND extract(hour FROM s.start_time) * 60 + extract(minute FROM s.start_time) + s.duration_minutes > %(minute)s)
           OR (s.date = %(today)s - 1 AND extract(hour FROM s.start_time) * 60 + extract(minute FROM s.start_time) + s.duration_minutes > %(minute)s + 1440))) AS upcoming,
       coalesce(sum(a.headcount), 0) AS headcount,
       coalesce(sum(a.headcount) FILTER (WHERE a.status = 'attended'), 0) AS attended_headcount,
       grouping(c.id) AS is_total
FROM session_centers sc
JOIN sessions s ON s.id = sc.session_id
JOIN centers c ON c.id = sc.center_id
LEFT JOIN attendance a ON a.session_id = sc.session_id AND a.center_id = sc.center_id
JOIN counties cn ON cn.id = c.county_id
WHERE s.status = 'published' AND s.date BETWEEN %(start)s AND %(end)s{county}
GROUP BY GROUPING SETS ((c.id, c.name, c.county_id, cn.name), ())
ORDER BY cn.name, c.name, c.id"""

PLAIN_MEMBERS = """SELECT c.id, count(DISTINCT am.member_id) AS members, grouping(c.id) AS is_total
FROM attendance a
JOIN sessions s ON s.id = a.session_id
JOIN centers c ON c.id = a.center_id
JOIN attendance_members am ON am.attendance_id = a.id
JOIN counties cn ON cn.id = c.county_id
WHERE s.status = 'published' AND s.date BETWEEN %(start)s AND %(end)s
  AND a.session_date BETWEEN %(start)s AND %(end)s{county}
GROUP BY GROUPING SETS ((c.id, c.name, c.county_id, cn.name), ())"""


def plain_sql(county: bool) -> list[str]:
    """The report's aggregates written by hand: figures and distinct members, each by center
    with the totals row (GROUPING SETS), as the service computes them on PostgreSQL."""
    where = "\n  AND c.county_id = %(county)s" if county else ""
    return [PLAIN_FIGURES.format(county=where), PLAIN_MEMBERS.format(county=where)]


def _timed(fn) -> tuple[float, object]:
    t = time.perf_counter()
    result = fn()
    return (time.perf_counter() - t) * 1000, result


def uptime() -> str:
    import subprocess  # nosec B404: a fixed command, no shell

    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()  # nosec


def rebuild_rollups(url: str) -> None:
    """Fill the report rollups from the loaded rows (``flask reports rebuild-rollups``)."""
    from app.extensions import db
    from centers.reports import rollups

    app = app_for(url)
    with app.app_context():
        t = time.perf_counter()
        counts: dict[str, int] = {}
        for first, last in rollups.months_between(db.session.connection(), None, None):
            connection = db.session.connection()
            connection.execute(sa_text("SET LOCAL work_mem = '256MB'"))
            for table, n in rollups.rebuild(connection, first, last).items():
                counts[table] = counts.get(table, 0) + n
            db.session.commit()
            print(f"  rollups of {first:%Y-%m}: {time.perf_counter() - t:.0f} s", flush=True)
        print(
            "rollups rebuilt: " + ", ".join(f"{k} {v:,}" for k, v in counts.items())
            + f" ({time.perf_counter() - t:.0f} s)",
            flush=True,
        )
        db.engine.dispose()
    with psycopg.connect(psycopg_url(url), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE attendance_rollups, attendance_member_rollups, session_county_rollups")


def sa_text(sql: str):
    import sqlalchemy as sa

    return sa.text(sql)


# (label, county or None, start, end, target ms or None)
CASES = [
    ("country, one month", None, date(YEAR, 3, 1), date(YEAR, 3, 31), 500),
    ("country, one year", None, date(YEAR, 1, 1), date(YEAR, 12, 31), None),
    ("county, one month", 1, date(YEAR, 3, 1), date(YEAR, 3, 31), 100),
    ("county, one year", 1, date(YEAR, 1, 1), date(YEAR, 12, 31), None),
]


def run_timing(url: str, runs: int, check: bool) -> None:
    """Warm medians of ``--runs`` calls of the report service (``attendance_report``, the
    service behind the page, the API and the exports; it reads the rollups) and of the county
    dashboard, one line per figure, with the machine's load. ``--check`` also compares each
    report once with the live service over the base tables (slow at this size) and the county
    month with the plain SQL."""
    from app import clock
    from app.auth.models import Role, User
    from centers.reports import services as reports

    app = app_for(url)
    coordinator = User(username="bench", role=Role.COORDINATOR.value, active=True)
    viewer = User(username="bench-county", role=Role.COUNTY_VIEWER.value, county_id=1, active=True)
    print(f"load before: {uptime()}", flush=True)
    lines = []
    with app.app_context(), app.test_request_context():
        for label, county, start, end, target in CASES:
            users = [("", coordinator)] + ([(" (county viewer)", viewer)] if county else [])
            for suffix, user in users:
                filters = reports.resolve(user, county_id=county, start=start, end=end)
                report = reports.attendance_report(user, filters, "center")  # warm-up
                ms = statistics.median(
                    _timed(lambda f=filters, u=user: reports.attendance_report(u, f, "center"))[0]
                    for _ in range(runs)
                )
                lines.append((f"report {label}{suffix}", ms, target, report))
                if check and not suffix:
                    totals, rows = reports._compute_many(user, filters, ["center"], live=True)
                    assert (totals, rows["center"]) == (report["totals"], report["rows"]), label
                    print(f"  checked: {label} equals the live report", flush=True)
        filters = reports.resolve(viewer, start=date(YEAR, 3, 1), end=date(YEAR, 3, 31))
        data = reports.dashboard(viewer, filters)
        ms = statistics.median(_timed(lambda: reports.dashboard(viewer, filters))[0] for _ in range(runs))
        lines.append(("dashboard, county month (viewer)", ms, 200, {"totals": data["totals"], "rows": data["compare"]}))
        if check:
            live = reports._compute_many(viewer, filters, ["center", "week", "category", "program"], live=True)
            assert live[0] == data["totals"] and live[1]["center"] == data["compare"]
            with psycopg.connect(psycopg_url(url)) as conn:
                now = clock.now_local()
                params = {"start": date(YEAR, 3, 1), "end": date(YEAR, 3, 31), "county": 1,
                          "today": now.date(), "minute": now.hour * 60 + now.minute}
                figures = conn.execute(plain_sql(True)[0], params).fetchall()
            total = next(row for row in figures if row[-1] == 1)
            assert (total[5], total[6], total[11]) == (
                data["totals"]["invited"], data["totals"]["attended"], data["totals"]["upcoming"]
            ), "the rollups and the plain SQL disagree"
            print("  checked: county month equals the plain SQL", flush=True)
    for label, ms, target, report in lines:
        verdict = f"target < {target} ms: {'OK' if ms < target else 'MISSED'}" if target else ""
        print(
            f"{label:<40}{ms:>9.1f} ms  invited {report['totals']['invited']:>11,}  "
            f"rows {len(report['rows']):>6,}  {verdict}",
            flush=True,
        )
    print(f"load after: {uptime()}", flush=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "step", nargs="?", choices=("load", "rollups", "time", "all"), default="all"
    )
    parser.add_argument("--url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--reset", action="store_true")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--check", action="store_true", help="compare with the live report and the plain SQL"
    )
    parser.add_argument(
        "--small", action="store_true", help="a 1 %% data set, to try the script out"
    )
    args = parser.parse_args(argv)
    if args.small:
        global COUNTIES, CENTERS
        COUNTIES, CENTERS = 10, 680
    if args.step in ("load", "all"):
        create_database(args.url, args.reset)
        migrate(args.url)
        if load(args.url):
            rebuild_rollups(args.url)
    if args.step == "rollups":
        rebuild_rollups(args.url)
    if args.step in ("time", "all"):
        run_timing(args.url, args.runs, args.check)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
