"""What the pipeline costs around a trivial authenticated answer, against a minimal Flask app.

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/ieum_bench \\
        python bench/auth_overhead.py [--duration 5] [--rounds 2] [--redis redis://127.0.0.1:6379/11]

Needs the demo seed in that database (``flask --app wsgi db upgrade && flask --app wsgi demo
seed``) and ``wrk``. Starts the app and a "hello" app under gunicorn with the same settings
(``gunicorn.conf.py``, 2 sync workers), then, interleaved, runs ``wrk -t2 -c16`` on: hello,
``/healthz``, ``GET /api/v1/me`` with a bearer token, the same with the page's session cookie,
and ``/home`` as the signed-in center manager. Prints req/s, p50, p99 and the share of hello.
"""

import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402

GUNICORN = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "-w", "2", "-k", "sync"]
PASSWORD = "ieum-demo-1234"
# Flask-Login's session protection ties the session to the User-Agent: log in with wrk's.
USER_AGENT = "ieum-bench"


def hello():
    """The baseline: a Flask app that answers a constant (``gunicorn 'bench.auth_overhead:hello()'``)."""
    from flask import Flask

    app = Flask("hello")

    @app.get("/")
    def index():
        return "hello"

    return app


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(target: str, port: int, env: dict, root: Path = ROOT) -> subprocess.Popen:
    proc = subprocess.Popen(
        [*GUNICORN, "-b", f"127.0.0.1:{port}", "--log-level", "warning", target],
        cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )
    for _ in range(200):
        try:
            requests.get(f"http://127.0.0.1:{port}/", timeout=10)
            return proc
        except requests.RequestException:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit(f"{target} did not start: {proc.stderr.read().decode()[-2000:]}")


def stop(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=20)


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * _UNITS[unit]


def wrk(url: str, duration: int, headers: dict[str, str]) -> dict:
    args = ["wrk", "-t2", "-c16", f"-d{duration}s", "--latency", "-H", f"User-Agent: {USER_AGENT}"]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    out = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p50": p50, "p99": p99, "non2xx": int(bad.group(1)) if bad else 0}


def bearer_token(env: dict, root: Path = ROOT) -> str:
    """A fresh API token for the demo's center manager."""
    code = (
        "from app import create_app;from app.extensions import db;from app.auth.models import User;"
        "from app.auth.services import issue_token;import sqlalchemy as sa;app=create_app();"
        "ctx=app.app_context();ctx.push();"
        "u=db.session.scalar(sa.select(User).where(User.username=='manager'));"
        "t=issue_token(None,u,name='bench',expires_in_days=1);db.session.commit();print(t)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True, check=True)
    return out.stdout.strip().splitlines()[-1]


def session_cookie(base: str, username: str) -> str:
    s = requests.Session()
    s.headers["User-Agent"] = USER_AGENT
    html = s.get(f"{base}/auth/login").text
    token = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
    r = s.post(f"{base}/auth/login", data={"username": username, "password": PASSWORD, "csrf_token": token},
               allow_redirects=False)
    assert r.status_code == 302, r.status_code
    return "; ".join(f"{c.name}={c.value}" for c in s.cookies)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--redis", default=os.environ.get("REDIS_URL", ""))
    parser.add_argument("--only", nargs="*", help="targets to run (hello always runs)")
    parser.add_argument("--root", type=Path, default=ROOT,
                        help="the checkout whose wsgi:app to serve (another commit, to compare)")
    args = parser.parse_args()
    env = dict(os.environ)
    if not env.get("DATABASE_URL"):
        raise SystemExit("DATABASE_URL must name the seeded database")
    if args.redis:
        env["REDIS_URL"] = args.redis
    else:
        env.pop("REDIS_URL", None)
    app_port, hello_port = free_port(), free_port()
    app = start("wsgi:app", app_port, env, args.root)
    hello_app = start("bench.auth_overhead:hello()", hello_port, env)
    base = f"http://127.0.0.1:{app_port}"
    try:
        token = bearer_token(env, args.root)
        cookie = session_cookie(base, "manager")
        assert requests.get(f"{base}/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
        targets = {
            "hello": (f"http://127.0.0.1:{hello_port}/", {}),
            "/healthz": (f"{base}/healthz", {}),
            "/me bearer": (f"{base}/api/v1/me", {"Authorization": f"Bearer {token}"}),
            "/me cookie": (f"{base}/api/v1/me", {"Cookie": cookie}),
            "/home manager": (f"{base}/home", {"Cookie": cookie}),
        }
        if args.only:
            targets = {k: v for k, v in targets.items() if k == "hello" or k in args.only}
        results: dict[str, list[dict]] = {name: [] for name in targets}
        for _ in range(args.rounds):
            for name, (url, headers) in targets.items():
                wrk(url, 1, headers)  # warm up every worker
                results[name].append(wrk(url, args.duration, headers))
    finally:
        stop(app)
        stop(hello_app)
    hello_rps = max(r["rps"] for r in results["hello"])
    print(f"root: {args.root}  redis: {args.redis or '-'}")
    print(f"uptime: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
    print(f"{'target':<16}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'of hello':>10}{'non-2xx':>9}")
    for name, runs in results.items():
        best = max(runs, key=lambda r: r["rps"])
        print(f"{name:<16}{best['rps']:>10.0f}{best['p50']:>10.2f}{best['p99']:>10.2f}"
              f"{best['rps'] / hello_rps:>9.1%}{best['non2xx']:>9}")


if __name__ == "__main__":
    main()
