"""Disconnects: the times a center dropped out of the room and came back, counted from the
tablet's IFrame events and from Jitsi's event_sync, never twice for the same drop."""

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from app import clock
from app.audit import AuditLog
from app.auth.models import Role
from app.extensions import db
from centers.attendance.models import Attendance
from tests.factories import CenterFactory, SessionFactory, UserFactory

SECRET = "event-sync-shared-secret"
START = datetime(2026, 11, 24, 10, 0, tzinfo=clock.SEOUL)


@pytest.fixture
def world(app_config, make_token):
    app_config(JITSI_EVENTS_SECRET=SECRET)
    clock.freeze(START)
    a, b = CenterFactory(name="가 경로당"), CenterFactory(name="나 경로당")
    session = SessionFactory(centers=[a, b])
    manager = UserFactory(role=Role.CENTER_MANAGER, center_id=a.id)
    return {"a": a, "b": b, "session": session, "tablet": make_token(manager),
            "coordinator": make_token(UserFactory(role=Role.COORDINATOR))}


def at(minutes):
    clock.freeze(START + timedelta(minutes=minutes))


def tablet(client, world, event, endpoint):
    response = client.post(f"/api/v1/sessions/{world['session'].id}/presence",
                           json={"event": event, "participant_id": endpoint}, headers=world["tablet"])
    assert response.status_code == 200, response.get_json()
    return response


def jitsi(client, world, kind, jid, center=None):
    center = center or world["a"]
    session = world["session"]
    payload = {
        "room_name": session.room.name,
        "occupant": {"occupant_jid": jid, "id": f"center-{center.id}", "name": center.name},
    }
    response = client.post(f"/api/v1/jitsi/events/occupant/{kind}", json=payload,
                           headers={"Authorization": f"Bearer {SECRET}"})
    assert response.status_code == 200, response.get_json()


def disconnects(client, world, center="가 경로당"):
    body = client.get(f"/api/v1/sessions/{world['session'].id}/live", headers=world["coordinator"]).get_json()
    return {t["name"]: t for t in body["centers"]}[center]["disconnects"]


def test_a_drop_seen_by_the_tablet_alone_counts_once(client, world):
    tablet(client, world, "joined", "e1")
    at(10)
    tablet(client, world, "dropped", "e1")
    assert disconnects(client, world) == 0  # not back yet
    at(11)
    tablet(client, world, "joined", "e2")
    assert disconnects(client, world) == 1
    tablet(client, world, "joined", "e2")  # a retried event changes nothing
    assert disconnects(client, world) == 1


def test_a_drop_seen_by_jitsi_alone_counts_once(client, world):
    jitsi(client, world, "joined", "room@muc/a1")
    at(10)
    jitsi(client, world, "left", "room@muc/a1")
    at(12)
    jitsi(client, world, "joined", "room@muc/a2")
    jitsi(client, world, "joined", "room@muc/a2")  # Prosody retrying
    assert disconnects(client, world) == 1


def test_the_same_drop_reported_by_both_counts_once(client, world):
    tablet(client, world, "joined", "e1")
    jitsi(client, world, "joined", "room@muc/e1")
    at(10)
    tablet(client, world, "dropped", "e1")
    jitsi(client, world, "left", "room@muc/e1")
    at(11)
    jitsi(client, world, "joined", "room@muc/e2")  # Jitsi sees it come back first
    tablet(client, world, "joined", "e2")
    assert disconnects(client, world) == 1
    # a second drop, this time the tablet comes back before Prosody notices the old one left
    at(20)
    tablet(client, world, "dropped", "e2")
    at(21)
    tablet(client, world, "joined", "e3")
    jitsi(client, world, "joined", "room@muc/e3")
    jitsi(client, world, "left", "room@muc/e2")
    assert disconnects(client, world) == 2
    record = db.session.scalar(sa.select(Attendance).where(Attendance.center_id == world["a"].id))
    assert (record.iframe_disconnects, record.jitsi_disconnects) == (2, 1)


def test_first_join_and_other_centers_are_not_disconnects(client, world):
    tablet(client, world, "joined", "e1")
    jitsi(client, world, "joined", "room@muc/b1", center=world["b"])
    jitsi(client, world, "joined", "room@muc/e1")
    assert disconnects(client, world) == 0
    assert disconnects(client, world, "나 경로당") == 0


def test_drop_and_join_failure_are_audited(client, world):
    tablet(client, world, "joined", "e1")
    at(5)
    response = tablet(client, world, "dropped", "e1")
    assert response.get_json()["in_room"] == 0
    tablet(client, world, "join_failed", None)
    at(6)
    tablet(client, world, "joined", "e2")
    actions = db.session.scalars(sa.select(AuditLog.action).order_by(AuditLog.id)).all()
    assert "room.dropped" in actions and "room.join_failed" in actions
    assert "attendance.reconnected" in actions


def test_unknown_tablet_event_is_refused(client, world):
    response = client.post(f"/api/v1/sessions/{world['session'].id}/presence",
                           json={"event": "exploded"}, headers=world["tablet"])
    assert response.status_code == 422
    assert response.get_json()["error"]["details"]["field"] == "event"


def test_disconnects_can_never_be_negative(world):
    record = Attendance(session_id=world["session"].id, center_id=world["a"].id,
                        session_date=world["session"].date, iframe_disconnects=-1)
    with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
        db.session.add(record)
        db.session.flush()
