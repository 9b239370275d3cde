"""Fuzz every JSON API operation with schemathesis: no bad input may answer a 5xx.

    (schemathesis is pinned in requirements-dev.txt; the suite runs a smaller, derandomized fuzz)
    python bench/fuzz_api.py [--examples 40] [--db /tmp/fuzz-api.db] [--only /sessions]

Runs in-process against the app's own OpenAPI document (``/api/v1/openapi.json``) with an admin
bearer token on a seeded demo database (the SQLite file is rebuilt). Each operation gets
``--examples`` positive and as many negative cases, and as many again with its path ids fixed to
existing rows; the only check is "not a server error".
Prints the operations tested and every failure (with the logged traceback's last line);
exits 1 when a failure was found.
"""

import argparse
import logging
import os
import re
import sys
import warnings
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import schemathesis  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402

from app import create_app  # noqa: E402
from app.auth.models import User  # noqa: E402
from app.auth.services import create_user, issue_token  # noqa: E402
from app.extensions import db  # noqa: E402
from centers.care.models import FollowUp
from centers.demo import seed as demo  # noqa: E402
from centers.directory.models import Center, County
from centers.members.models import Member  # noqa: E402
from programs.catalog.models import Instructor, Program  # noqa: E402
from programs.schedule.models import Closure, Session, SessionCenter


class LastError(logging.Handler):
    """Keeps the last exception logged by ``handle_unexpected``."""

    def __init__(self):
        super().__init__()
        self.last = None

    def emit(self, record):
        if record.exc_info:
            exc = record.exc_info[1]
            self.last = f"{type(exc).__name__}: {exc}".splitlines()[0][:200]


def build_app(db_path: str):
    if os.path.exists(db_path):
        os.remove(db_path)
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x" * 40,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}",
            "RATELIMIT_ENABLED": False,
            "JITSI_EVENTS_SECRET": "fuzz-events-secret",
            "JITSI_APP_SECRET": "fuzz-jitsi-secret",
        }
    )
    with app.app_context():
        db.create_all()
        demo.seed()
        admin = db.session.scalar(db.select(User).filter_by(role="admin"))
        if admin is None:
            admin = create_user(None, username="fuzz-admin", password="fuzz-admin-password", role="admin", source="cli")
        token = issue_token(None, admin, name="fuzz", source="cli")
        db.session.commit()
        known = known_ids(admin.id)
    return app, token, known


def known_ids(user_id: int) -> dict[str, int]:
    """Path parameters naming real rows, so cases also reach past the 404s: a published session
    that has started, one of its centers and a member there, and the first of everything else."""
    first = lambda model: db.session.scalar(db.select(model.id).order_by(model.id))  # noqa: E731
    known = {"user_id": user_id, "county_id": first(County), "program_id": first(Program)}
    known |= {"instructor_id": first(Instructor), "closure_id": first(Closure), "follow_up_id": first(FollowUp)}
    session = db.session.scalar(
        db.select(Session)
        .where(Session.status == "published", Session.date <= date.today())
        .order_by(Session.date.desc())
    )
    if session is not None:
        known["session_id"] = session.id
        known["center_id"] = db.session.scalar(
            db.select(SessionCenter.center_id).where(SessionCenter.session_id == session.id)
        )
    else:
        known["center_id"] = first(Center)
    known["member_id"] = db.session.scalar(db.select(Member.id).where(Member.center_id == known["center_id"]))
    return {name: value for name, value in known.items() if value is not None}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=40)
    parser.add_argument("--db", default="/tmp/fuzz-api.db")
    parser.add_argument("--only", default="", help="test only paths containing this text")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")

    app, token, known = build_app(args.db)
    catcher = LastError()
    app.logger.addHandler(catcher)
    app.logger.propagate = False
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)

    tested = 0
    failures: dict[tuple[str, str], tuple[int, str, str]] = {}

    def make_run(operation, label, mode, counter, path_parameters=None):
        secret = "fuzz-events-secret" if "/jitsi/events/" in operation.path else token

        @settings(
            max_examples=args.examples,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
        )
        @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path_parameters))
        def run(case):
            counter[0] += 1
            catcher.last = None
            response = case.call(headers={"Authorization": f"Bearer {secret}"})
            if response.status_code >= 500:
                key = (label, catcher.last or str(response.status_code))
                if key not in failures:
                    failures[key] = (response.status_code, mode.value, case.as_curl_command())

        return run

    for result in schema.get_all_operations():
        operation = result.ok()
        if args.only and args.only not in operation.path:
            continue
        label = f"{operation.method.upper()} {operation.path}"
        tested += 1
        counter = [0]
        names = re.findall(r"{(\w+)}", operation.path)
        real = {name: known[name] for name in names if name in known}
        passes = [None] + ([real] if names and len(real) == len(names) else [])
        for path_parameters in passes:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                try:
                    make_run(operation, label, mode, counter, path_parameters)()
                except Exception as exc:  # a generation problem, not a server error
                    print(f"  ! {label} ({mode.value}): {type(exc).__name__}: {str(exc).splitlines()[0][:150]}")
        print(f"{label:<60} {counter[0]:4d} cases", flush=True)

    print(f"\noperations tested: {tested}")
    print(f"server errors found: {len(failures)}")
    for (label, cause), (status, mode, curl) in failures.items():
        print(f"\n- {label} -> {status} ({mode}): {cause}\n  {curl}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
