"""Twenty taps on "도움 요청" at once against a running server: one open request (the partial
unique index decides), one 201 and nineteen 200s naming it, one audit entry."""

from datetime import datetime, timedelta

import requests
import sqlalchemy as sa

from app import clock
from app.audit import AuditLog
from app.auth.models import Role
from app.extensions import db
from centers.live.models import HelpRequest
from tests.centers.attendance.test_attendance_concurrency import _fire
from tests.factories import CenterFactory, SessionFactory, UserFactory

START = datetime(2026, 11, 24, 10, 0, tzinfo=clock.SEOUL)


def test_simultaneous_taps_make_one_request(live_server, make_token):
    clock.freeze(START + timedelta(minutes=2))
    center = CenterFactory()
    session = SessionFactory(centers=[center])
    manager = UserFactory(role=Role.CENTER_MANAGER, center_id=center.id)
    tokens = [make_token(manager) for _ in range(4)]
    url = f"{live_server.url}/api/v1/sessions/{session.id}/help"
    calls = [(lambda h=t: requests.post(url, json={"message": "소리가 안 나요"}, headers=h, timeout=120))
             for t in tokens * 5]
    responses = _fire(calls)
    codes = sorted(r.status_code for r in responses)
    assert codes == [200] * 19 + [201], [r.text for r in responses if r.status_code >= 400][:3]
    assert len({r.json()["id"] for r in responses}) == 1
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(HelpRequest)) == 1
    audits = db.session.scalars(sa.select(AuditLog.action).where(AuditLog.entity_type == "help_request")).all()
    assert audits == ["help.request"]


def test_losing_the_race_to_the_index_returns_the_winner(monkeypatch):
    """Another tap inserted its request between this one's check and its insert."""
    from centers.live import services as live

    clock.freeze(START)
    center = CenterFactory()
    session = SessionFactory(centers=[center])
    manager = UserFactory(role=Role.CENTER_MANAGER, center_id=center.id)
    winner = HelpRequest(session_id=session.id, center_id=center.id, requested_at=clock.now())
    db.session.add(winner)
    db.session.flush()
    real = live.open_request
    calls = []

    def stale_first(session_id, center_id):
        calls.append(1)
        return None if len(calls) == 1 else real(session_id, center_id)

    monkeypatch.setattr(live, "open_request", stale_first)
    request, created = live.request_help(manager, session.id)
    assert (request.id, created) == (winner.id, False)
    assert len(calls) == 2
    assert db.session.scalar(sa.select(sa.func.count()).select_from(HelpRequest)) == 1
