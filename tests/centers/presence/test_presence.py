"""Presence: the tablet's IFrame events, Jitsi's event_sync webhooks, and polling Prosody's
mod_muc_size — all landing on the attendance record without touching a reported status."""

import json
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
import requests
import sqlalchemy as sa

from app import clock
from app.audit import AuditLog
from app.auth.models import Role
from app.extensions import db
from centers.attendance.models import Attendance
from centers.presence import event_sync
from centers.presence import services as presence
from centers.presence.models import RoomPresence
from tests.conftest import csrf_token
from tests.factories import (
    AttendanceFactory,
    CenterFactory,
    CountyFactory,
    SessionFactory,
    UserFactory,
)

EVENTS_SECRET = "event-sync-shared-secret"
SEOUL = clock.SEOUL
START = datetime(2026, 11, 24, 10, 0, tzinfo=SEOUL)


def ts(minutes: int) -> int:
    """Seconds since the epoch, ``minutes`` after the session's start."""
    return int((START + timedelta(minutes=minutes)).timestamp())


@pytest.fixture
def world(app_config):
    app_config(JITSI_EVENTS_SECRET=EVENTS_SECRET)
    clock.freeze(START + timedelta(minutes=5))
    county = CountyFactory()
    a, b, other = (
        CenterFactory(county=county, name="봉성2리 경로당"),
        CenterFactory(county=county, name="위도 진리 경로당"),
        CenterFactory(),
    )
    session = SessionFactory(centers=[a, b])
    return {"a": a, "b": b, "other": other, "session": session}


def _record(session, center):
    return db.session.scalar(
        sa.select(Attendance).where(
            Attendance.session_id == session.id, Attendance.center_id == center.id
        )
    )


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _post_event(client, kind, payload, secret=EVENTS_SECRET, **kwargs):
    headers = {"Authorization": f"Bearer {secret}"} if secret is not None else {}
    return client.post(f"/api/v1/jitsi/events/{kind}", json=payload, headers=headers, **kwargs)


def occupant(session, participant_id, jid, name="", **times):
    return {
        "event_name": "muc-occupant-joined",
        "room_name": session.room.name,
        "room_jid": f"{session.room.name}@conference.meet.example.org",
        "is_breakout": False,
        "active_occupants_count": 2,
        "occupant": {"occupant_jid": jid, "id": participant_id, "name": name, "email": "", **times},
    }


# --- the tablet's IFrame events ---------------------------------------------------------


def test_tablet_joined_and_left_land_on_the_attendance_record(client, make_token, world):
    session, a = world["session"], world["a"]
    manager = UserFactory(role=Role.CENTER_MANAGER, center_id=a.id)
    headers = make_token(manager)
    url = f"/api/v1/sessions/{session.id}/presence"
    response = client.post(
        url, json={"event": "joined", "participant_id": "abcd1234"}, headers=headers
    )
    assert response.status_code == 200 and response.json == {
        "status": "recorded",
        "event": "joined",
        "in_room": 1,
    }
    record = _record(session, a)
    assert record.status is None and record.headcount is None
    assert record.joined_at == START + timedelta(minutes=5) and record.left_at is None
    clock.freeze(START + timedelta(minutes=62))
    response = client.post(
        url, json={"event": "left", "participant_id": "abcd1234"}, headers=headers
    )
    assert response.json["in_room"] == 0
    db.session.expire_all()
    record = _record(session, a)
    assert record.left_at == START + timedelta(
        minutes=62
    ) and record.joined_at == START + timedelta(minutes=5)
    actions = [
        (e.action, e.source)
        for e in db.session.scalars(sa.select(AuditLog).order_by(AuditLog.id))
        if e.entity_type == "attendance"
    ]
    assert actions == [("attendance.joined", "tablet"), ("attendance.left", "tablet")]


def test_a_reported_status_is_never_overwritten(client, make_token, world):
    session, a = world["session"], world["a"]
    AttendanceFactory(session_obj=session, center=a, status="attended", headcount=12)
    manager = UserFactory(role=Role.CENTER_MANAGER, center_id=a.id)
    client.post(
        f"/api/v1/sessions/{session.id}/presence",
        json={"event": "joined", "participant_id": "x1"},
        headers=make_token(manager),
    )
    _post_event(
        client, "occupant/left", occupant(session, f"center-{a.id}", "u1@meet/r1", left_at=ts(50))
    )
    record = _record(session, a)
    assert (record.status, record.headcount) == ("attended", 12)
    assert record.joined_at == START + timedelta(minutes=5)
    assert _count(Attendance) == 1


def test_page_posts_need_the_csrf_token(client, login_as, world):
    manager = UserFactory(role=Role.CENTER_MANAGER, center_id=world["a"].id)
    login_as(manager)
    url = f"/api/v1/sessions/{world['session'].id}/presence"
    refused = client.post(url, json={"event": "joined", "participant_id": "p"})
    assert refused.status_code == 403 and _count(RoomPresence) == 0
    token = csrf_token(client, "/tablet")
    ok = client.post(
        url, json={"event": "joined", "participant_id": "p"}, headers={"X-CSRFToken": token}
    )
    assert ok.status_code == 200 and _count(RoomPresence) == 1


def test_presence_events_follow_the_join_rules(client, make_token, world):
    outsider = UserFactory(role=Role.CENTER_MANAGER, center_id=world["other"].id)
    viewer = UserFactory(role=Role.COUNTY_VIEWER, county_id=world["a"].county_id)
    url = f"/api/v1/sessions/{world['session'].id}/presence"
    assert (
        client.post(url, json={"event": "joined"}, headers=make_token(outsider)).status_code == 404
    )
    assert client.post(url, json={"event": "joined"}, headers=make_token(viewer)).status_code == 403
    bad = client.post(url, json={"event": "waved"}, headers=make_token(outsider))
    assert bad.status_code == 422 and bad.json["error"]["details"]["field"] == "event"
    assert _count(RoomPresence) == 0 and _count(Attendance) == 0


def test_instructor_sees_how_many_centers_are_in_the_room(client, make_token, world):
    session, a, b = world["session"], world["a"], world["b"]
    teacher = UserFactory(role=Role.INSTRUCTOR, instructor_id=session.instructor_id)
    for center, endpoint in ((a, "e-a"), (b, "e-b")):
        manager = UserFactory(role=Role.CENTER_MANAGER, center_id=center.id)
        client.post(
            f"/api/v1/sessions/{session.id}/presence",
            json={"event": "joined", "participant_id": endpoint},
            headers=make_token(manager),
        )
    client.post(
        f"/api/v1/sessions/{session.id}/presence",
        json={"event": "joined", "participant_id": "t"},
        headers=make_token(teacher),
    )
    body = client.get(f"/api/v1/sessions/{session.id}/presence", headers=make_token(teacher)).json
    assert body["in_room"] == 2 and body["invited"] == 2 and body["instructor_in_room"] is True
    assert {c["name"]: c["in_room"] for c in body["centers"]} == {a.name: True, b.name: True}
    manager = UserFactory(role=Role.CENTER_MANAGER, center_id=a.id)
    assert (
        client.get(
            f"/api/v1/sessions/{session.id}/presence", headers=make_token(manager)
        ).status_code
        == 403
    )


# --- event_sync webhooks ----------------------------------------------------------------


def test_occupant_joined_creates_the_record_with_null_status(client, world):
    session, a = world["session"], world["a"]
    response = _post_event(
        client,
        "occupant/joined",
        occupant(session, f"center-{a.id}", "u1@meet/r1", name=a.name, joined_at=ts(-3)),
    )
    assert response.status_code == 200, response.json
    assert response.json == {"status": "recorded", "session_id": session.id, "in_room": 1}
    record = _record(session, a)
    assert record.status is None and record.headcount is None
    assert record.joined_at == START - timedelta(minutes=3)
    entry = db.session.scalars(
        sa.select(AuditLog).where(AuditLog.entity_type == "attendance")
    ).one()
    assert (entry.action, entry.source, entry.user_id) == ("attendance.joined", "jitsi", None)
    # Prosody retries: the same event again changes nothing.
    _post_event(
        client,
        "occupant/joined",
        occupant(session, f"center-{a.id}", "u1@meet/r1", joined_at=ts(-3)),
    )
    assert _count(RoomPresence) == 1 and _count(Attendance) == 1


def test_occupant_left_sets_left_at_when_the_last_connection_goes(client, world):
    session, a = world["session"], world["a"]
    pid = f"center-{a.id}"
    _post_event(client, "occupant/joined", occupant(session, pid, "u1@meet/r1", joined_at=ts(0)))
    _post_event(
        client, "occupant/joined", occupant(session, pid, "u1@meet/r2", joined_at=ts(20))
    )  # reconnect
    _post_event(
        client,
        "occupant/left",
        occupant(session, pid, "u1@meet/r1", joined_at=ts(0), left_at=ts(21)),
    )
    assert _record(session, a).left_at is None and presence.in_room(session) == 1
    response = _post_event(
        client,
        "occupant/left",
        occupant(session, pid, "u1@meet/r2", joined_at=ts(20), left_at=ts(61)),
    )
    assert response.json["in_room"] == 0
    record = _record(session, a)
    assert record.joined_at == START and record.left_at == START + timedelta(minutes=61)


def test_jitsi_leaving_closes_a_tablet_that_never_said_goodbye(client, make_token, world):
    session, a = world["session"], world["a"]
    manager = UserFactory(role=Role.CENTER_MANAGER, center_id=a.id)
    client.post(
        f"/api/v1/sessions/{session.id}/presence",
        json={"event": "joined", "participant_id": "e1"},
        headers=make_token(manager),
    )
    _post_event(
        client,
        "occupant/joined",
        occupant(session, f"center-{a.id}", "u1@meet/r1", joined_at=ts(5)),
    )
    _post_event(
        client,
        "occupant/left",
        occupant(session, f"center-{a.id}", "u1@meet/r1", joined_at=ts(5), left_at=ts(30)),
    )
    assert presence.in_room(session) == 0
    assert _record(session, a).left_at == START + timedelta(minutes=30)


def test_room_destroyed_closes_everyone_and_backfills_missed_joins(client, world):
    session, a, b = world["session"], world["a"], world["b"]
    _post_event(
        client, "occupant/joined", occupant(session, f"center-{a.id}", "a@meet/1", joined_at=ts(1))
    )
    payload = {
        "event_name": "muc-room-destroyed",
        "room_name": session.room.name,
        "is_breakout": False,
        "created_at": ts(-10),
        "destroyed_at": ts(65),
        "all_occupants": [
            {
                "occupant_jid": "a@meet/1",
                "id": f"center-{a.id}",
                "name": a.name,
                "joined_at": ts(1),
            },
            # b's joined webhook was lost; the room's summary still tells us.
            {
                "occupant_jid": "b@meet/1",
                "id": f"center-{b.id}",
                "name": b.name,
                "joined_at": ts(2),
                "left_at": ts(59),
            },
        ],
    }
    response = _post_event(client, "room/destroyed", payload)
    assert response.json == {"status": "recorded", "session_id": session.id, "in_room": 0}
    ra, rb = _record(session, a), _record(session, b)
    assert (ra.joined_at, ra.left_at) == (
        START + timedelta(minutes=1),
        START + timedelta(minutes=65),
    )
    assert (rb.joined_at, rb.left_at) == (
        START + timedelta(minutes=2),
        START + timedelta(minutes=59),
    )
    assert ra.status is None and rb.status is None


def test_events_for_a_cancelled_session_change_nothing(client, world):
    session, a = world["session"], world["a"]
    session.status = "cancelled"
    db.session.commit()
    payload = occupant(session, f"center-{a.id}", "a@meet/1", joined_at=ts(1))
    response = _post_event(client, "occupant/joined", payload)
    assert response.status_code == 200
    assert response.json == {
        "status": "ignored",
        "reason": "not_published",
        "session_id": session.id,
    }
    assert _count(RoomPresence) == 0 and _count(Attendance) == 0


def test_breakout_rooms_do_not_end_the_main_room(client, world):
    session, a = world["session"], world["a"]
    _post_event(
        client, "occupant/joined", occupant(session, f"center-{a.id}", "a@meet/1", joined_at=ts(1))
    )
    response = _post_event(
        client,
        "room/destroyed",
        {
            "room_name": session.room.name,
            "is_breakout": True,
            "breakout_room_id": "x",
            "destroyed_at": ts(30),
        },
    )
    assert response.json["status"] == "ignored" and presence.in_room(session) == 1


def test_room_created_is_audited_and_unknown_rooms_and_occupants_are_ignored(client, world):
    session, other = world["session"], world["other"]
    response = _post_event(
        client,
        "room/created",
        {"event_name": "muc-room-created", "room_name": session.room.name, "created_at": ts(-2)},
    )
    assert response.json == {"status": "recorded", "session_id": session.id}
    assert db.session.scalars(sa.select(AuditLog.action)).all() == ["room.created"]
    unknown = _post_event(
        client, "occupant/joined", {**occupant(session, "center-1", "x@y/z"), "room_name": "nope"}
    )
    assert unknown.status_code == 200 and unknown.json["status"] == "ignored"
    stranger = _post_event(
        client, "occupant/joined", occupant(session, f"center-{other.id}", "o@meet/1")
    )
    assert stranger.json["status"] == "ignored" and stranger.json["reason"] == "unknown_occupant"
    anonymous = _post_event(
        client, "occupant/joined", occupant(session, None, "g@meet/1", name="누군가")
    )
    assert anonymous.json["status"] == "ignored"
    assert _count(RoomPresence) == 0 and _count(Attendance) == 0


def test_an_occupant_without_a_token_id_is_matched_by_the_center_name(client, world):
    session, b = world["session"], world["b"]
    payload = occupant(session, None, "b@meet/1", name=b.name, joined_at=ts(3))
    payload["room_name"] = f"[tenant]{session.room.name.upper()}"
    assert _post_event(client, "occupant/joined", payload).json["status"] == "recorded"
    assert _record(session, b).joined_at == START + timedelta(minutes=3)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong-secret"},
        {"Authorization": f"Basic {EVENTS_SECRET}"},
        {"Authorization": "Bearer "},
    ],
)
def test_unauthenticated_webhooks_are_refused_without_touching_data(client, world, headers):
    session, a = world["session"], world["a"]
    payload = occupant(session, f"center-{a.id}", "u@meet/1", joined_at=ts(0))
    response = client.post("/api/v1/jitsi/events/occupant/joined", json=payload, headers=headers)
    assert response.status_code == 401 and response.json["error"]["code"] == "unauthorized"
    response = client.post(
        "/api/v1/jitsi/events/occupant/joined",
        data="{not json",
        headers=headers,
        content_type="application/json",
    )
    assert response.status_code == 401
    assert _count(RoomPresence) == 0 and _count(Attendance) == 0 and _count(AuditLog) == 0


def test_webhooks_are_refused_when_no_secret_is_configured(client, app_config, world):
    app_config(JITSI_EVENTS_SECRET=None)
    response = _post_event(
        client, "occupant/joined", occupant(world["session"], "center-1", "u@m/1"), secret=""
    )
    assert response.status_code == 401
    response = _post_event(
        client, "occupant/joined", occupant(world["session"], "center-1", "u@m/1"), secret="None"
    )
    assert response.status_code == 401 and _count(RoomPresence) == 0


def test_bad_webhook_calls_are_refused_without_touching_data(client, world):
    session = world["session"]
    assert (
        _post_event(client, "occupant/waved", occupant(session, "center-1", "u@m/1")).status_code
        == 404
    )
    missing_room = _post_event(client, "occupant/joined", {"occupant": {"occupant_jid": "u@m/1"}})
    assert (
        missing_room.status_code == 422
        and missing_room.json["error"]["details"]["field"] == "room_name"
    )
    not_json = client.post(
        "/api/v1/jitsi/events/occupant/joined",
        data="{oops",
        headers={"Authorization": f"Bearer {EVENTS_SECRET}"},
        content_type="application/json",
    )
    assert not_json.status_code == 422 and not_json.json["error"]["code"] == "invalid"
    bad_time = occupant(session, "center-1", "u@m/1", joined_at="yesterday")
    assert _post_event(client, "occupant/joined", bad_time).status_code == 422
    assert _count(RoomPresence) == 0 and _count(Attendance) == 0 and _count(AuditLog) == 0


def test_webhooks_over_real_http(live_server, world):  # noqa: F811
    """What Prosody's mod_event_sync_component does: POST JSON with the configured header."""
    session, a = world["session"], world["a"]
    url = f"{live_server.url}/api/v1/jitsi/events/occupant/joined"
    payload = occupant(session, f"center-{a.id}", "u1@meet/r1", name=a.name, joined_at=ts(-1))
    refused = requests.post(url, json=payload, headers={"Authorization": "Bearer nope"}, timeout=10)
    assert refused.status_code == 401
    ok = requests.post(
        url,
        json=payload,
        timeout=10,
        headers={
            "Authorization": f"Bearer {EVENTS_SECRET}",
            "User-Agent": "Prosody (0.12.4; posix)",
        },
    )
    assert ok.status_code == 200 and ok.json()["status"] == "recorded"
    db.session.expire_all()
    assert _record(session, a).joined_at == START - timedelta(minutes=1)


# --- polling mod_muc_size through a stand-in Prosody ------------------------------------


class StandInProsody:
    """A threaded HTTP server answering ``/room-size`` and ``/room`` as mod_muc_size does:
    404 for a room that does not exist, ``{}`` for a room with only the (hidden) focus."""

    def __init__(self):
        self.rooms: dict[str, list[dict]] = {}
        self.fail = False
        self.requests: list[tuple[str, dict]] = []
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                url = urlparse(self.path)
                params = {k: v[0] for k, v in parse_qs(url.query).items()}
                stand_in.requests.append((url.path, params))
                if stand_in.fail:
                    return self._send(500, "boom")
                occupants = stand_in.rooms.get(params.get("room"))
                if url.path not in ("/room-size", "/room"):
                    return self._send(404, "")
                if occupants is None:
                    return self._send(404, "")
                if url.path == "/room-size":
                    count = len(occupants) + 1  # the focus is an occupant too
                    return self._send(
                        200, json.dumps({"participants": count - 1 if count > 1 else count})
                    )
                return self._send(200, json.dumps(occupants) if occupants else "{}")

            def _send(self, status, body):
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def prosody(app_config):
    stand_in = StandInProsody()
    app_config(
        JITSI_PROSODY_URL=stand_in.url,
        JITSI_DOMAIN="meet.example.org",
        JITSI_XMPP_DOMAIN="xmpp.example.org",
    )
    yield stand_in
    stand_in.close()


def _occupant(jid, name):
    return {"jid": jid, "email": "", "display_name": name}


def test_polling_an_occupied_room_opens_and_closes_centers(prosody, client, make_token, world):
    session, a, b = world["session"], world["a"], world["b"]
    manager_b = UserFactory(role=Role.CENTER_MANAGER, center_id=b.id)
    client.post(
        f"/api/v1/sessions/{session.id}/presence",
        json={"event": "joined", "participant_id": "eb"},
        headers=make_token(manager_b),
    )
    prosody.rooms[session.room.name] = [
        _occupant(f"{session.room.name}@conference.xmpp.example.org/a1b2", a.name),
        _occupant(f"{session.room.name}@conference.xmpp.example.org/c3d4", "김미숙"),
    ]
    clock.freeze(START + timedelta(minutes=7))
    results = presence.poll_prosody()
    db.session.commit()
    assert results == [
        {
            "session_id": session.id,
            "room": session.room.name,
            "status": "occupied",
            "participants": 2,
            "in_room": 1,
        }
    ]
    assert (
        "/room-size",
        {"room": session.room.name, "domain": "xmpp.example.org"},
    ) in prosody.requests
    assert ("/room", {"room": session.room.name, "domain": "xmpp.example.org"}) in prosody.requests
    ra, rb = _record(session, a), _record(session, b)
    assert ra.joined_at == START + timedelta(minutes=7) and ra.status is None
    assert rb.joined_at == START + timedelta(minutes=5) and rb.left_at == START + timedelta(
        minutes=7
    )
    # Polled again: nothing new.
    presence.poll_prosody()
    db.session.commit()
    assert _count(RoomPresence) == 2 and presence.in_room(session) == 1


def test_polling_an_empty_room_answering_braces_closes_everyone(prosody, client, world):
    session, a = world["session"], world["a"]
    _post_event(
        client, "occupant/joined", occupant(session, f"center-{a.id}", "a@m/1", joined_at=ts(1))
    )
    prosody.rooms[session.room.name] = []  # only the focus: /room-size says 1, /room says {}
    clock.freeze(START + timedelta(minutes=40))
    [result] = presence.poll_prosody()
    db.session.commit()
    assert result["status"] == "empty" and result["in_room"] == 0
    assert ("/room", {"room": session.room.name, "domain": "xmpp.example.org"}) in prosody.requests
    assert _record(session, a).left_at == START + timedelta(minutes=40)


def test_polling_a_room_that_does_not_exist(prosody, client, world):
    session, a = world["session"], world["a"]
    _post_event(
        client, "occupant/joined", occupant(session, f"center-{a.id}", "a@m/1", joined_at=ts(1))
    )
    clock.freeze(START + timedelta(minutes=70))
    [result] = presence.poll_prosody()
    db.session.commit()
    assert result["status"] == "absent"
    assert [path for path, _ in prosody.requests] == ["/room-size"]
    assert _record(session, a).left_at == START + timedelta(minutes=70)


def test_a_failing_prosody_changes_nothing(prosody, client, world):
    session, a = world["session"], world["a"]
    _post_event(
        client, "occupant/joined", occupant(session, f"center-{a.id}", "a@m/1", joined_at=ts(1))
    )
    prosody.fail = True
    [result] = presence.poll_prosody()
    db.session.commit()
    assert result["status"] == "error" and "500" in result["error"]
    assert presence.in_room(session) == 1 and _record(session, a).left_at is None


def test_only_rooms_in_use_now_are_polled(prosody, world):
    clock.freeze(START - timedelta(hours=2))
    assert presence.poll_prosody() == [] and prosody.requests == []
    clock.freeze(START + timedelta(hours=3))
    assert presence.poll_prosody() == []


def test_polling_needs_a_prosody_url(app, app_config, world):
    app_config(JITSI_PROSODY_URL=None)
    assert presence.poll_prosody() == []
    result = app.test_cli_runner().invoke(args=["jitsi", "poll"])
    assert result.exit_code != 0 and "JITSI_PROSODY_URL" in result.output


def test_the_poll_command(prosody, app, world):
    session, a = world["session"], world["a"]
    prosody.rooms[session.room.name] = [_occupant("r@c/1", a.name)]
    result = app.test_cli_runner().invoke(args=["jitsi", "poll"])
    assert result.exit_code == 0, result.output
    assert (
        f"session {session.id} {session.room.name}: occupied participants=1 centers_in_room=1"
        in result.output
    )
    db.session.expire_all()
    assert _record(session, a).joined_at == START + timedelta(minutes=5)


def test_a_timestamp_far_from_now_falls_back_to_now():
    now = datetime(2026, 11, 24, 1, 5, tzinfo=UTC)
    assert event_sync._when(int(now.timestamp()) - 60, now) == now - timedelta(seconds=60)
    assert (
        event_sync._when(0, now) == now
        and event_sync._when(None, now) == now
        and event_sync._when(True, now) == now
    )
