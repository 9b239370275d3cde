"""The live board's API: /live/today, /sessions/{id}/live, help requests and their
resolution (API.md), with scope, the help window and one query per fact."""

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from app import clock
from app.audit import AuditLog
from app.auth.models import Role
from app.extensions import db
from centers.live.models import HelpRequest
from centers.presence import services as presence
from tests.factories import AttendanceFactory, CenterFactory, CountyFactory, SessionFactory, UserFactory

SEOUL = clock.SEOUL
START = datetime(2026, 11, 24, 10, 0, tzinfo=SEOUL)


@pytest.fixture
def world():
    clock.freeze(START + timedelta(minutes=10))
    bonghwa, buan = CountyFactory(name="봉화군"), CountyFactory(name="부안군")
    a = CenterFactory(county=bonghwa, name="가 경로당", contact_phone="054-111-2222")
    b = CenterFactory(county=bonghwa, name="나 경로당", contact_phone="054-333-4444")
    c = CenterFactory(county=buan, name="다 경로당", contact_phone="063-555-6666")
    session = SessionFactory(centers=[a, b, c])
    other = SessionFactory(centers=[c], start_time=datetime(2026, 11, 24, 14, 0).time())
    users = {
        "coordinator": UserFactory(role=Role.COORDINATOR),
        "instructor": UserFactory(role=Role.INSTRUCTOR, instructor_id=session.instructor_id),
        "other_instructor": UserFactory(role=Role.INSTRUCTOR, instructor_id=other.instructor_id),
        "bonghwa": UserFactory(role=Role.COUNTY_VIEWER, county_id=bonghwa.id),
        "buan": UserFactory(role=Role.COUNTY_VIEWER, county_id=buan.id),
        "manager_a": UserFactory(role=Role.CENTER_MANAGER, center_id=a.id),
        "manager_c": UserFactory(role=Role.CENTER_MANAGER, center_id=c.id),
    }
    return {"a": a, "b": b, "c": c, "session": session, "other": other,
            "county_bonghwa": bonghwa, "county_buan": buan, **users}


def _join(session, center, occupant="jid:x", at=None, source="jitsi"):
    presence.joined(session, occupant=occupant, participant=f"center-{center.id}",
                    center_id=center.id, at=at or clock.now(), source=source)


def _leave(session, center, occupant="jid:x", at=None, source="jitsi"):
    presence.left(session, occupant=occupant, participant=f"center-{center.id}",
                  center_id=center.id, at=at or clock.now(), source=source)


def _live(client, headers, session):
    response = client.get(f"/api/v1/sessions/{session.id}/live", headers=headers)
    assert response.status_code == 200, response.get_json()
    return {c["name"]: c for c in response.get_json()["centers"]}


def test_session_live_shows_each_center_state(client, make_token, world):
    session, a, b, c = world["session"], world["a"], world["b"], world["c"]
    _join(session, a, "jid:a")
    _join(session, b, "jid:b", at=START)
    _leave(session, b, "jid:b", at=START + timedelta(minutes=3))
    AttendanceFactory(session_obj=session, center=c, status="technical_issue", headcount=None)
    db.session.commit()
    body = client.get(f"/api/v1/sessions/{session.id}/live",
                      headers=make_token(world["coordinator"])).get_json()
    assert body["session_id"] == session.id
    assert body["instructor_in_room"] is False
    assert body["starts_at"] == "2026-11-24T10:00:00+09:00"
    tiles = {t["name"]: t for t in body["centers"]}
    assert list(tiles) == ["가 경로당", "나 경로당", "다 경로당"]
    assert set(tiles["가 경로당"]) == {"center_id", "name", "county_id", "phone", "presence",
                                      "joined_at", "left_at", "late", "disconnects",
                                      "attendance_status", "help"}
    assert tiles["가 경로당"]["presence"] == "in_room"
    assert tiles["가 경로당"]["phone"] == "054-111-2222"
    assert tiles["가 경로당"]["late"] is False
    assert tiles["나 경로당"]["presence"] == "left"
    assert tiles["나 경로당"]["left_at"] is not None
    assert tiles["다 경로당"]["presence"] == "never_joined"
    assert tiles["다 경로당"]["late"] is True  # 10 minutes past the start, never joined
    assert tiles["다 경로당"]["attendance_status"] == "technical_issue"
    assert tiles["다 경로당"]["help"] is None


def test_late_only_after_five_minutes(client, make_token, world):
    headers = make_token(world["coordinator"])
    clock.freeze(START + timedelta(minutes=5))
    assert _live(client, headers, world["session"])["가 경로당"]["late"] is False
    clock.freeze(START + timedelta(minutes=5, seconds=1))
    assert _live(client, headers, world["session"])["가 경로당"]["late"] is True


def test_today_counts_centers(client, make_token, world):
    session, a, b = world["session"], world["a"], world["b"]
    _join(session, a, "jid:a")
    AttendanceFactory(session_obj=session, center=b, status="attended")
    HelpRequest(session_id=session.id, center_id=b.id, requested_at=clock.now(), message="")
    db.session.add(HelpRequest(session_id=session.id, center_id=b.id, requested_at=clock.now()))
    db.session.commit()
    body = client.get("/api/v1/live/today", headers=make_token(world["coordinator"])).get_json()
    assert body["date"] == "2026-11-24"
    rows = {r["session_id"]: r for r in body["sessions"]}
    assert list(rows) == [session.id, world["other"].id]  # by start time
    row = rows[session.id]
    assert row == {**row, "invited": 3, "in_room": 1, "late": 2, "help_open": 1, "reported": 1}
    assert rows[world["other"].id]["late"] == 0  # starts at 14:00
    assert row["title"] == session.program.title


def test_today_county_viewer_counts_its_own_centers_only(client, make_token, world):
    session, a, c = world["session"], world["a"], world["c"]
    _join(session, c, "jid:c")
    _join(session, a, "jid:a")
    db.session.commit()
    body = client.get("/api/v1/live/today", headers=make_token(world["bonghwa"])).get_json()
    assert [r["session_id"] for r in body["sessions"]] == [session.id]
    assert body["sessions"][0]["invited"] == 2
    assert body["sessions"][0]["in_room"] == 1
    buan = client.get("/api/v1/live/today", headers=make_token(world["buan"])).get_json()
    assert {r["session_id"] for r in buan["sessions"]} == {session.id, world["other"].id}
    assert buan["sessions"][0]["invited"] == 1


def test_today_county_filter(client, make_token, world):
    coordinator = make_token(world["coordinator"])
    body = client.get(f"/api/v1/live/today?county_id={world['county_bonghwa'].id}", headers=coordinator).get_json()
    assert [(r["session_id"], r["invited"]) for r in body["sessions"]] == [(world["session"].id, 2)]
    viewer = make_token(world["bonghwa"])
    assert client.get(f"/api/v1/live/today?county_id={world['county_buan'].id}", headers=viewer).status_code == 403
    assert client.get("/api/v1/live/today?county_id=999999", headers=viewer).status_code == 404
    assert client.get("/api/v1/live/today?county_id=x", headers=viewer).status_code == 422


def test_today_instructor_sees_own_sessions(client, make_token, world):
    body = client.get("/api/v1/live/today", headers=make_token(world["instructor"])).get_json()
    assert [(r["session_id"], r["invited"]) for r in body["sessions"]] == [(world["session"].id, 3)]


def test_today_leaves_out_drafts_cancelled_and_other_days(client, make_token, world):
    SessionFactory(centers=[world["a"]], status="draft", published_at=None,
                   start_time=datetime(2026, 11, 24, 16, 0).time())
    SessionFactory(centers=[world["a"]], status="cancelled", start_time=datetime(2026, 11, 24, 17, 0).time())
    SessionFactory(centers=[world["a"]], date=START.date() + timedelta(days=1))
    body = client.get("/api/v1/live/today", headers=make_token(world["coordinator"])).get_json()
    assert [r["session_id"] for r in body["sessions"]] == [world["session"].id, world["other"].id]


@pytest.mark.parametrize(
    "who, status",
    [("coordinator", 200), ("instructor", 200), ("other_instructor", 404), ("bonghwa", 200),
     ("manager_a", 403), (None, 401)],
)
def test_session_live_scope(client, make_token, world, who, status):
    headers = make_token(world[who]) if who else {}
    assert client.get(f"/api/v1/sessions/{world['session'].id}/live", headers=headers).status_code == status


def test_session_live_county_viewer_sees_its_centers_only(client, make_token, world):
    tiles = _live(client, make_token(world["buan"]), world["session"])
    assert list(tiles) == ["다 경로당"]
    assert tiles["다 경로당"]["phone"] == "063-555-6666"
    # a session without any of its centers is not there at all
    only_buan = SessionFactory(centers=[world["c"]], start_time=datetime(2026, 11, 24, 16, 0).time())
    assert client.get(f"/api/v1/sessions/{only_buan.id}/live",
                      headers=make_token(world["bonghwa"])).status_code == 404


def test_session_live_unknown_session(client, make_token, world):
    assert client.get("/api/v1/sessions/999999/live",
                      headers=make_token(world["coordinator"])).status_code == 404


def test_today_and_session_live_take_a_fixed_number_of_queries(client, make_token, world, count_queries):
    county = world["county_bonghwa"]
    centers = [CenterFactory(county=county, name=f"경로당 {n:02d}") for n in range(30)]
    big = SessionFactory(centers=centers, start_time=datetime(2026, 11, 24, 9, 30).time())
    for n, center in enumerate(centers[:20]):
        _join(big, center, f"jid:{n}", at=START - timedelta(minutes=25))
        if n % 2:
            _leave(big, center, f"jid:{n}", at=START - timedelta(minutes=20))
            _join(big, center, f"jid:{n}b", at=START - timedelta(minutes=15))
        if n % 3 == 0:
            db.session.add(HelpRequest(session_id=big.id, center_id=center.id, requested_at=clock.now()))
    db.session.commit()
    headers = make_token(world["coordinator"])
    small = world["session"]  # 3 centers
    client.get(f"/api/v1/sessions/{big.id}/live", headers=headers)  # warm up
    with count_queries() as few:
        client.get(f"/api/v1/sessions/{small.id}/live", headers=headers)
    with count_queries() as statements:
        body = client.get(f"/api/v1/sessions/{big.id}/live", headers=headers).get_json()
    assert len(body["centers"]) == 30
    assert sum(t["disconnects"] for t in body["centers"]) == 10
    assert sum(1 for t in body["centers"] if t["help"]) == 7
    assert len(statements) == len(few) <= 9, statements  # one query per fact, not per center
    with count_queries() as statements:
        today = client.get("/api/v1/live/today", headers=headers).get_json()
    assert len(today["sessions"]) == 3
    assert len(statements) <= 7, statements  # auth, sessions, then one per count


# --- help ------------------------------------------------------------------------------------


def _help(client, headers, session, **body):
    return client.post(f"/api/v1/sessions/{session.id}/help", json=body, headers=headers)


def test_help_request_then_again_then_resolve(client, make_token, world):
    session, a = world["session"], world["a"]
    manager = make_token(world["manager_a"])
    first = _help(client, manager, session, message="소리가 안 들려요")
    assert first.status_code == 201, first.get_json()
    created = first.get_json()
    assert created["message"] == "소리가 안 들려요"
    assert created["resolved_at"] is None
    assert created["center_id"] == a.id
    again = _help(client, manager, session, message="다른 말")
    assert again.status_code == 200
    assert again.get_json() == created  # changes nothing
    assert db.session.scalar(sa.select(sa.func.count()).select_from(HelpRequest)) == 1
    tile = _live(client, make_token(world["coordinator"]), session)["가 경로당"]
    assert tile["help"]["requested_at"] == created["requested_at"]
    assert tile["help"]["resolved_at"] is None

    clock.freeze(START + timedelta(minutes=12))
    coordinator = make_token(world["coordinator"])
    resolved = client.post(f"/api/v1/sessions/{session.id}/help/{a.id}/resolve",
                           json={"note": "전화로 안내함"}, headers=coordinator)
    assert resolved.status_code == 200
    assert resolved.get_json()["resolved_at"].startswith("2026-11-24T01:12:00")
    assert resolved.get_json()["note"] == "전화로 안내함"
    tile = _live(client, coordinator, session)["가 경로당"]
    assert tile["help"]["resolved_at"] is not None
    # asking again after it was resolved opens a new request
    assert _help(client, manager, session).status_code == 201
    actions = db.session.scalars(
        sa.select(AuditLog.action).where(AuditLog.entity_type == "help_request").order_by(AuditLog.id)
    ).all()
    assert actions == ["help.request", "help.resolve", "help.request"]


@pytest.mark.parametrize(
    "minutes, status",
    [(-16, 422), (-15, 201), (0, 201), (60, 201), (61, 422)],
)
def test_help_window(client, make_token, world, minutes, status):
    clock.freeze(START + timedelta(minutes=minutes))
    response = _help(client, make_token(world["manager_a"]), world["session"])
    assert response.status_code == status
    if status == 422:
        assert response.get_json()["error"]["code"] == "invalid"
        assert response.get_json()["error"]["details"]["field"] == "session"


def test_help_for_another_center_or_session(client, make_token, world):
    manager = make_token(world["manager_a"])
    other_center = _help(client, manager, world["session"], center_id=world["c"].id)
    assert other_center.status_code == 403
    assert _help(client, manager, world["session"], center_id=999999).status_code == 404
    # a session that does not invite the manager's center
    assert _help(client, manager, world["other"]).status_code == 404
    assert _help(client, manager, world["session"], center_id=world["a"].id).status_code == 201


def test_help_for_cancelled_or_draft_session(client, make_token, world):
    cancelled = SessionFactory(centers=[world["a"]], status="cancelled",
                               start_time=datetime(2026, 11, 24, 10, 0).time())
    draft = SessionFactory(centers=[world["a"]], status="draft", published_at=None)
    manager = make_token(world["manager_a"])
    response = _help(client, manager, cancelled)
    assert response.status_code == 422
    assert response.get_json()["error"]["details"]["field"] == "session"
    assert _help(client, manager, draft).status_code == 404  # drafts are invisible to centers


@pytest.mark.parametrize("who, status", [("coordinator", 403), ("instructor", 403),
                                         ("bonghwa", 403), (None, 401)])
def test_only_centers_ask_for_help(client, make_token, world, who, status):
    headers = make_token(world[who]) if who else {}
    assert _help(client, headers, world["session"], center_id=world["a"].id).status_code == status


def test_help_message_too_long(client, make_token, world):
    response = _help(client, make_token(world["manager_a"]), world["session"], message="가" * 501)
    assert response.status_code == 422
    assert response.get_json()["error"]["details"]["field"] == "message"


@pytest.mark.parametrize("who, status", [("instructor", 403), ("bonghwa", 403),
                                         ("manager_a", 403), (None, 401)])
def test_only_coordinators_resolve(client, make_token, world, who, status):
    _help(client, make_token(world["manager_a"]), world["session"])
    headers = make_token(world[who]) if who else {}
    url = f"/api/v1/sessions/{world['session'].id}/help/{world['a'].id}/resolve"
    assert client.post(url, json={}, headers=headers).status_code == status


def test_resolve_without_request_is_not_found(client, make_token, world):
    coordinator = make_token(world["coordinator"])
    url = f"/api/v1/sessions/{world['session'].id}/help/{world['a'].id}/resolve"
    assert client.post(url, json={}, headers=coordinator).status_code == 404
    assert client.post(f"/api/v1/sessions/999999/help/{world['a'].id}/resolve", json={},
                       headers=coordinator).status_code == 404


def test_one_open_request_per_session_and_center_is_a_database_invariant(world):
    session, a = world["session"], world["a"]
    db.session.add(HelpRequest(session_id=session.id, center_id=a.id, requested_at=clock.now()))
    db.session.flush()
    with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
        db.session.add(HelpRequest(session_id=session.id, center_id=a.id, requested_at=clock.now()))
    db.session.add(HelpRequest(session_id=session.id, center_id=a.id, requested_at=clock.now(),
                               resolved_at=clock.now()))
    db.session.flush()  # resolved ones may be many


def test_instructor_in_room_and_a_center_that_came_back(client, make_token, world):
    session, a = world["session"], world["a"]
    presence.joined(session, occupant="jid:teacher", participant=f"instructor-{session.instructor_id}",
                    center_id=None, at=clock.now(), source="jitsi")
    _join(session, a, "jid:a1", at=START)
    _leave(session, a, "jid:a1", at=START + timedelta(minutes=2))
    _join(session, a, "jid:a2", at=START + timedelta(minutes=3))
    db.session.commit()
    body = client.get(f"/api/v1/sessions/{session.id}/live", headers=make_token(world["instructor"])).get_json()
    assert body["instructor_in_room"] is True
    tile = {t["name"]: t for t in body["centers"]}["가 경로당"]
    assert (tile["presence"], tile["disconnects"], tile["left_at"], tile["late"]) == ("in_room", 1, None, False)
    assert tile["joined_at"] == "2026-11-24T01:00:00+00:00"
    assert tile["phone"] == "054-111-2222"  # the session's instructor sees it on the board
