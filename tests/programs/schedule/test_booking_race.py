"""Two coordinators book the same instructor (and the same center) at the same moment: the
day's lock makes the second request see the first one's session (409), on PostgreSQL and on
SQLite; and PostgreSQL itself refuses an instructor's overlapping published sessions."""

import threading
import time as pytime
from concurrent.futures import ThreadPoolExecutor
from datetime import date, time

import pytest
import requests
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.auth.models import Role, User
from app.extensions import db
from programs.schedule import services as scheduling
from programs.schedule.models import Session
from tests.factories import CenterFactory, InstructorFactory, ProgramFactory


def _slow_conflict_check(monkeypatch):
    """Widen the race: every conflict check waits after reading, as a slow request would."""
    real = scheduling.find_conflicts

    def slow(*args, **kwargs):
        found = real(*args, **kwargs)
        pytime.sleep(0.5)
        return found

    monkeypatch.setattr(scheduling, "find_conflicts", slow)


def _fire(calls):
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait(timeout=30)
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


@pytest.fixture
def world(make_token):
    center = CenterFactory()
    other = CenterFactory(county=center.county)
    coordinator = User(username="coord-race", role=Role.COORDINATOR)
    db.session.add(coordinator)
    db.session.commit()
    return {
        "center": center,
        "other": other,
        "program": ProgramFactory(),
        "instructors": [InstructorFactory(), InstructorFactory()],
        "headers": [make_token(coordinator), make_token(coordinator)],
    }


def _post(url, headers, body):
    return lambda: requests.post(url, json=body, headers=headers, timeout=60)


@pytest.mark.parametrize("shared", ["instructor", "center"])
def test_two_concurrent_bookings_of_one_slot_leave_one_session(
    live_server, world, monkeypatch, shared
):
    _slow_conflict_check(monkeypatch)
    url = f"{live_server.url}/api/v1/sessions"
    bodies = []
    for i in range(2):
        instructor = world["instructors"][0 if shared == "instructor" else i]
        center = world["center"] if shared == "center" else [world["center"], world["other"]][i]
        bodies.append({
            "program_id": world["program"].id,
            "instructor_id": instructor.id,
            "date": "2026-11-24",
            "start": "10:00" if i == 0 else "10:30",
            "center_ids": [center.id],
        })
    responses = _fire([_post(url, h, b) for h, b in zip(world["headers"], bodies, strict=True)])

    assert sorted(r.status_code for r in responses) == [201, 409], [r.text for r in responses]
    refused = next(r for r in responses if r.status_code == 409).json()["error"]
    assert refused["code"] == "conflict"
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Session.id))) == 1


def test_postgresql_refuses_an_instructors_overlapping_published_sessions(world):
    if db.engine.dialect.name != "postgresql":
        # SQLite has no exclusion constraints; its writers take turns (the race test above).
        assert "ex_sessions_instructor_overlap" not in str(
            db.session.scalar(sa.text("SELECT sql FROM sqlite_master WHERE name = 'sessions'"))
        )
        return
    instructor = world["instructors"][0]

    def published(start, minutes=60, status="published"):
        return Session(
            program_id=world["program"].id, instructor_id=instructor.id, date=date(2026, 11, 24),
            start_time=start, duration_minutes=minutes, status=status,
        )

    db.session.add(published(time(10, 0)))
    db.session.add(published(time(11, 0)))  # ends-at-start is no overlap
    db.session.add(published(time(10, 30), status="draft"))  # drafts are checked in Python
    db.session.commit()
    db.session.add(published(time(10, 59), minutes=10))
    with pytest.raises(IntegrityError, match="ex_sessions_instructor_overlap"):
        db.session.flush()
    db.session.rollback()
