"""Concurrent submissions against a running server (threads), meant for PostgreSQL (row lock
FOR UPDATE); they run on SQLite too, where writers are serialised by the database lock."""

import random
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import requests
import sqlalchemy as sa

from app.audit import AuditLog
from app.extensions import db
from centers.attendance.models import Attendance
from centers.attendance.records import ensure_record
from tests.centers.attendance.test_attendance_api import AFTER_CLASS, make_world


def _fire(calls):
    """Run every ``call`` at the same moment, one thread each; return their responses."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait(timeout=30)
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def _attendance_audit() -> list[AuditLog]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(AuditLog).where(AuditLog.entity_type == "attendance").order_by(AuditLog.id)
        )
    )


def test_fifty_identical_submissions_at_once_leave_one_record_and_one_audit_entry(
    live_server, make_token
):
    w = make_world()
    # The tablet joined the room, so the (session, center) row exists: the race is on its update.
    presence = ensure_record(w["session"], w["center"].id)
    presence.joined_at = AFTER_CLASS - timedelta(hours=1)
    db.session.commit()
    url = f"{live_server.url}/api/v1/sessions/{w['session'].id}/attendance/{w['center'].id}"
    body = {
        "status": "attended",
        "headcount": 7,
        "member_ids": [w["members"][0].id],
        "client_ref": "tablet-7f3a",
        "recorded_at": "2026-11-24T11:03:00+09:00",
    }
    tokens = [make_token(w["manager"]) for _ in range(5)]  # several tokens of the tablet, shared
    calls = [
        (lambda h=token: requests.put(url, json=body, headers=h, timeout=120))
        for token in tokens * 10
    ]
    responses = _fire(calls)

    assert [r.status_code for r in responses] == [200] * 50, [
        r.text for r in responses if r.status_code != 200
    ][:3]
    results = sorted(r.json()["result"] for r in responses)
    assert results.count("recorded") == 1 and results.count("duplicate") == 49
    assert {r.json()["headcount"] for r in responses} == {7}
    assert db.session.scalar(sa.select(sa.func.count(Attendance.id))) == 1
    [entry] = _attendance_audit()
    assert entry.action == "attendance.record" and entry.after["client_ref"] == "tablet-7f3a"


def test_interleaved_different_submissions_end_in_the_latest_by_recorded_time(
    live_server, make_token
):
    w = make_world()
    url = f"{live_server.url}/api/v1/sessions/{w['session'].id}/attendance/{w['center'].id}"
    manager, coordinator = make_token(w["manager"]), make_token(w["coordinator"])
    base = AFTER_CLASS - timedelta(minutes=30)
    submissions = []
    for i in range(20):  # headcount i ≤ the center's capacity (20)
        body = {
            "status": "absent" if i % 3 == 0 else "attended",
            "headcount": i,
            "client_ref": f"sub-{i}",
            "recorded_at": (base + timedelta(seconds=10 * i)).isoformat(),
        }
        headers = coordinator if i % 2 else manager
        submissions += [(body, headers), (body, headers)]  # each one twice: a retry racing itself
    random.Random(5).shuffle(submissions)
    calls = [
        (lambda b=b, h=h: requests.put(url, json=b, headers=h, timeout=120)) for b, h in submissions
    ]
    responses = _fire(calls)

    assert all(r.status_code == 200 for r in responses), [
        r.text for r in responses if r.status_code != 200
    ][:3]
    db.session.expire_all()
    record = db.session.scalar(sa.select(Attendance))
    assert (record.headcount, record.client_ref, record.status) == (19, "sub-19", "attended")
    assert record.recorded_at == base + timedelta(seconds=190)
    assert db.session.scalar(sa.select(sa.func.count(Attendance.id))) == 1

    entries = _attendance_audit()
    applied = [r.json() for r in responses if r.json()["result"] in ("recorded", "corrected")]
    assert len(entries) == len(applied) and 1 <= len(entries) <= 20
    # Each applied change was later (by recorded time) than the one before: nothing older won.
    times = [datetime.fromisoformat(e.after["recorded_at"]) for e in entries]
    assert times == sorted(times) and len(set(times)) == len(times)
    assert [e.action for e in entries] == ["attendance.record"] + ["attendance.correct"] * (
        len(entries) - 1
    )
    assert record.version == len(entries)
    assert {r.json()["result"] for r in responses} <= {
        "recorded",
        "corrected",
        "duplicate",
        "superseded",
    }
