"""PUT /api/v1/sessions/{id}/attendance/{center_id} and GET /api/v1/attendance."""

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from app import clock
from app.audit import AuditLog
from app.auth.models import Role
from app.clock import SEOUL
from app.extensions import db
from centers.attendance.models import Attendance
from centers.attendance.records import ensure_record
from tests.conftest import csrf_token
from tests.factories import (
    CenterFactory,
    CountyFactory,
    InstructorFactory,
    MemberFactory,
    SessionFactory,
    UserFactory,
)

AFTER_CLASS = datetime(2026, 11, 24, 11, 5, tzinfo=SEOUL)


class World(dict):
    """The test's objects; users are made on first use (password hashing is slow)."""

    USERS = {
        "manager": lambda w: dict(
            role=Role.CENTER_MANAGER, center_id=w["center"].id, county_id=w["county"].id
        ),
        "neighbour_manager": lambda w: dict(
            role=Role.CENTER_MANAGER, center_id=w["neighbour"].id, county_id=w["county"].id
        ),
        "coordinator": lambda w: dict(role=Role.COORDINATOR),
        "viewer": lambda w: dict(role=Role.COUNTY_VIEWER, county_id=w["county"].id),
        "other_viewer": lambda w: dict(role=Role.COUNTY_VIEWER, county_id=w["other_county"].id),
        "instructor": lambda w: dict(role=Role.INSTRUCTOR, instructor_id=InstructorFactory().id),
    }

    def __missing__(self, key):
        user = UserFactory(**self.USERS[key](self))
        self[key] = user
        return user


def make_world() -> World:
    """Two centers in one county, a third in another; one session (Tue 10:00–11:00) inviting
    the first two; users of every role; the clock just after class."""
    county, other_county = CountyFactory(), CountyFactory()
    center = CenterFactory(county=county, capacity=20)
    neighbour = CenterFactory(county=county)
    far = CenterFactory(county=other_county)
    members = [MemberFactory(center=center, name=f"어르신{i}") for i in range(3)]
    stranger = MemberFactory(center=neighbour)
    session = SessionFactory(centers=[center, neighbour])
    clock.freeze(AFTER_CLASS)
    return World(
        county=county,
        other_county=other_county,
        center=center,
        neighbour=neighbour,
        far=far,
        members=members,
        stranger=stranger,
        session=session,
    )


@pytest.fixture
def world():
    return make_world()


def url(session, center) -> str:
    return f"/api/v1/sessions/{session.id}/attendance/{center.id}"


def put(client, headers, session, center, **body):
    payload = {"status": "attended", "headcount": 5, **body}
    return client.put(url(session, center), json=payload, headers=headers)


def audit_entries(record_id=None):
    stmt = sa.select(AuditLog).where(AuditLog.entity_type == "attendance").order_by(AuditLog.id)
    if record_id is not None:
        stmt = stmt.where(AuditLog.entity_id == record_id)
    return list(db.session.scalars(stmt))


def test_manager_records_attendance_with_members(client, make_token, world):
    s, c, m = world["session"], world["center"], world["members"]
    response = put(
        client,
        make_token(world["manager"]),
        s,
        c,
        headcount=4,
        member_ids=[m[1].id, m[0].id],
        client_ref="ref-1",
        note="손님 2분",
    )
    assert response.status_code == 200, response.json
    body = response.json
    assert body["session_id"] == s.id and body["center_id"] == c.id
    assert body["status"] == "attended" and body["headcount"] == 4
    assert body["member_ids"] == sorted([m[0].id, m[1].id])
    assert body["version"] == 1 and body["result"] == "recorded" and body["source"] == "api"
    assert body["updated_at"].endswith("+00:00")
    record = db.session.scalar(sa.select(Attendance))
    assert record.recorded_by_id == world["manager"].id and record.note == "손님 2분"
    [entry] = audit_entries(record.id)
    assert (
        entry.action == "attendance.record"
        and entry.source == "api"
        and entry.user_id == world["manager"].id
    )
    assert entry.before["status"] is None and entry.after["status"] == "attended"
    assert entry.after["member_ids"] == body["member_ids"] and entry.after["client_ref"] == "ref-1"


def test_the_same_submission_twice_leaves_one_record_and_one_audit_entry(client, make_token, world):
    headers = make_token(world["manager"])
    s, c = world["session"], world["center"]
    first = put(client, headers, s, c, client_ref="tap-1", recorded_at="2026-11-24T11:01:00+09:00")
    again = put(client, headers, s, c, client_ref="tap-1", recorded_at="2026-11-24T11:01:00+09:00")
    assert first.status_code == again.status_code == 200
    assert again.json["result"] == "duplicate" and again.json["version"] == 1
    assert db.session.scalar(sa.select(sa.func.count(Attendance.id))) == 1
    assert len(audit_entries()) == 1


def test_a_later_correction_wins_by_recorded_time_not_arrival(client, make_token, world):
    headers = make_token(world["manager"])
    s, c = world["session"], world["center"]
    later = put(
        client, headers, s, c, headcount=9, client_ref="b", recorded_at="2026-11-24T11:04:00+09:00"
    )
    earlier = put(
        client,
        headers,
        s,
        c,
        status="absent",
        headcount=0,
        client_ref="a",
        recorded_at="2026-11-24T11:02:00+09:00",
    )
    assert later.json["result"] == "recorded"
    assert earlier.status_code == 200 and earlier.json["result"] == "superseded"
    assert earlier.json["status"] == "attended" and earlier.json["headcount"] == 9
    record = db.session.scalar(sa.select(Attendance))
    assert (record.status, record.headcount, record.client_ref, record.version) == (
        "attended",
        9,
        "b",
        1,
    )
    assert len(audit_entries()) == 1


def test_a_correction_is_audited_with_before_and_after(client, make_token, world):
    headers = make_token(world["manager"])
    s, c, m = world["session"], world["center"], world["members"]
    put(
        client,
        headers,
        s,
        c,
        headcount=3,
        member_ids=[m[0].id],
        client_ref="a",
        recorded_at="2026-11-24T11:02:00+09:00",
    )
    fixed = put(
        client,
        headers,
        s,
        c,
        headcount=2,
        member_ids=[m[1].id, m[2].id],
        client_ref="b",
        recorded_at="2026-11-24T11:03:00+09:00",
    )
    assert fixed.json["result"] == "corrected" and fixed.json["version"] == 2
    assert fixed.json["member_ids"] == sorted([m[1].id, m[2].id])
    record_entry, correction = audit_entries()
    assert record_entry.action == "attendance.record"
    assert correction.action == "attendance.correct"
    assert correction.before["headcount"] == 3 and correction.after["headcount"] == 2
    assert correction.before["member_ids"] == [m[0].id]
    # Replaying the first submission (an offline retry) changes nothing.
    replay = put(
        client,
        headers,
        s,
        c,
        headcount=3,
        member_ids=[m[0].id],
        client_ref="a",
        recorded_at="2026-11-24T11:02:00+09:00",
    )
    assert replay.json["result"] == "duplicate" and replay.json["headcount"] == 2
    assert len(audit_entries()) == 2


def test_a_replayed_reference_without_recorded_time_is_still_a_duplicate(client, make_token, world):
    headers = make_token(world["manager"])
    s, c = world["session"], world["center"]
    put(client, headers, s, c, headcount=3, client_ref="a")
    clock.freeze(AFTER_CLASS + timedelta(minutes=1))
    put(client, headers, s, c, headcount=4, client_ref="b")
    clock.freeze(AFTER_CLASS + timedelta(minutes=2))
    replay = put(client, headers, s, c, headcount=3, client_ref="a")
    assert replay.json["result"] == "duplicate" and replay.json["headcount"] == 4


def test_recorded_time_in_the_future_is_clamped_to_now(client, make_token, world):
    headers = make_token(world["manager"])
    s, c = world["session"], world["center"]
    response = put(client, headers, s, c, client_ref="a", recorded_at="2030-01-01T00:00:00+09:00")
    assert response.status_code == 200
    record = db.session.scalar(sa.select(Attendance))
    assert record.recorded_at == AFTER_CLASS
    clock.freeze(AFTER_CLASS + timedelta(minutes=5))
    fixed = put(client, headers, s, c, headcount=7, client_ref="b")
    assert fixed.json["result"] == "corrected" and fixed.json["headcount"] == 7


def test_same_content_again_changes_nothing(client, make_token, world):
    headers = make_token(world["manager"])
    s, c = world["session"], world["center"]
    put(client, headers, s, c, client_ref="a")
    again = put(client, headers, s, c, client_ref="b")
    assert again.json["result"] == "unchanged" and again.json["version"] == 1
    assert len(audit_entries()) == 1


def test_presence_record_is_completed_and_keeps_its_join_time(client, make_token, world):
    s, c = world["session"], world["center"]
    record = ensure_record(s, c.id)
    record.joined_at = datetime(2026, 11, 24, 9, 58, tzinfo=SEOUL)
    db.session.commit()
    response = put(client, make_token(world["manager"]), s, c, headcount=6)
    assert response.json["result"] == "recorded"
    assert response.json["joined_at"].startswith("2026-11-24T00:58")
    assert db.session.scalar(sa.select(sa.func.count(Attendance.id))) == 1


@pytest.mark.parametrize(
    "body, field",
    [
        ({"status": "present"}, "status"),
        ({"status": None}, "status"),
        ({"headcount": -1}, "headcount"),
        ({"headcount": 21}, "headcount"),  # capacity 20
        ({"headcount": "3"}, "headcount"),
        ({"headcount": 2.5}, "headcount"),
        ({"headcount": None}, "headcount"),
        ({"member_ids": ["x"]}, "member_ids"),
        ({"recorded_at": "2026-11-24T11:00:00"}, "recorded_at"),
        ({"client_ref": "x" * 65}, "client_ref"),
        ({"unknown": 1}, "unknown"),
    ],
)
def test_bad_fields_are_invalid_and_nothing_is_written(client, make_token, world, body, field):
    response = put(client, make_token(world["manager"]), world["session"], world["center"], **body)
    assert response.status_code == 422, response.json
    error = response.json["error"]
    assert error["code"] == "invalid" and error["details"]["field"] == field
    assert db.session.scalar(sa.select(sa.func.count(Attendance.id))) == 0
    assert audit_entries() == []


def test_headcount_below_ticked_members_is_invalid(client, make_token, world):
    m = world["members"]
    response = put(
        client,
        make_token(world["manager"]),
        world["session"],
        world["center"],
        headcount=1,
        member_ids=[m[0].id, m[1].id],
    )
    assert response.status_code == 422
    assert response.json["error"]["details"]["field"] == "headcount"
    assert response.json["error"]["details"]["min"] == 2
    assert db.session.scalar(sa.select(sa.func.count(Attendance.id))) == 0


def test_members_of_another_center_are_invalid(client, make_token, world):
    response = put(
        client,
        make_token(world["manager"]),
        world["session"],
        world["center"],
        member_ids=[world["members"][0].id, world["stranger"].id, 999999],
    )
    assert response.status_code == 422
    details = response.json["error"]["details"]
    assert details["field"] == "member_ids" and details["member_ids"] == [
        world["stranger"].id,
        999999,
    ]
    assert db.session.scalar(sa.select(sa.func.count(Attendance.id))) == 0


def test_headcount_up_to_500_without_capacity(client, make_token, world):
    center = CenterFactory(county=world["county"], capacity=None)
    session = SessionFactory(centers=[center])
    headers = make_token(world["coordinator"])
    assert put(client, headers, session, center, headcount=500).status_code == 200
    assert put(client, headers, session, center, headcount=501).status_code == 422


def test_not_before_the_session_starts(client, make_token, world):
    clock.freeze(datetime(2026, 11, 24, 9, 59, tzinfo=SEOUL))
    response = put(client, make_token(world["manager"]), world["session"], world["center"])
    assert response.status_code == 422
    assert (
        response.json["error"]["code"] == "invalid"
        and response.json["error"]["details"]["field"] == "session"
    )
    clock.freeze(datetime(2026, 11, 24, 10, 0, tzinfo=SEOUL))
    assert (
        put(client, make_token(world["manager"]), world["session"], world["center"]).status_code
        == 200
    )


def test_only_published_sessions(client, make_token, world):
    headers = make_token(world["coordinator"])
    draft = SessionFactory(centers=[world["center"]], status="draft", published_at=None)
    cancelled = SessionFactory(centers=[world["center"]], status="cancelled")
    for session in (draft, cancelled):
        response = put(client, headers, session, world["center"])
        assert (
            response.status_code == 422 and response.json["error"]["details"]["field"] == "session"
        )
    # A manager does not even see a draft.
    assert put(client, make_token(world["manager"]), draft, world["center"]).status_code == 404


def test_only_for_an_invited_center(client, make_token, world):
    response = put(client, make_token(world["coordinator"]), world["session"], world["far"])
    assert response.status_code == 422 and response.json["error"]["details"]["field"] == "center_id"
    assert db.session.scalar(sa.select(sa.func.count(Attendance.id))) == 0


def test_unknown_session_and_center_are_404(client, make_token, world):
    headers = make_token(world["coordinator"])
    body = {"status": "attended", "headcount": 1}
    center_id, session_id = world["center"].id, world["session"].id
    unknown_session = client.put(
        f"/api/v1/sessions/999999/attendance/{center_id}", json=body, headers=headers
    )
    unknown_center = client.put(
        f"/api/v1/sessions/{session_id}/attendance/999999", json=body, headers=headers
    )
    assert unknown_session.status_code == unknown_center.status_code == 404


def test_scope_on_writes(client, make_token, world):
    s, c = world["session"], world["center"]
    assert put(client, make_token(world["neighbour_manager"]), s, c).status_code == 403
    assert put(client, make_token(world["viewer"]), s, c).status_code == 403
    assert put(client, make_token(world["instructor"]), s, c).status_code == 403
    assert client.put(url(s, c), json={"status": "attended", "headcount": 1}).status_code == 401
    assert db.session.scalar(sa.select(sa.func.count(Attendance.id))) == 0
    assert put(client, make_token(world["coordinator"]), s, c).status_code == 200


def test_correction_window_for_managers_coordinators_always(app_config, client, make_token, world):
    s, c = world["session"], world["center"]
    manager, coordinator = make_token(world["manager"]), make_token(world["coordinator"])
    assert put(client, manager, s, c, headcount=3).status_code == 200
    clock.freeze(s.ends_at + timedelta(days=7) - timedelta(minutes=1))
    assert put(client, manager, s, c, headcount=4).json["result"] == "corrected"
    clock.freeze(s.ends_at + timedelta(days=7, minutes=1))
    late = put(client, manager, s, c, headcount=5)
    assert (
        late.status_code == 403
        and late.json["error"]["details"]["reason"] == "correction_window_closed"
    )
    assert put(client, coordinator, s, c, headcount=6).json["result"] == "corrected"
    app_config(ATTENDANCE_CORRECTION_DAYS=30)
    assert put(client, manager, s, c, headcount=7).json["result"] == "corrected"


def test_page_session_with_csrf_header_is_a_tablet_write(client, login_as, world):
    s, c = world["session"], world["center"]
    login_as(world["manager"])
    body = {"status": "technical_issue", "headcount": 0}
    assert client.put(url(s, c), json=body).status_code == 403  # no CSRF header
    token = csrf_token(client, "/home")
    response = client.put(
        url(s, c), json=body, headers={"X-CSRFToken": token, "X-Ieum-Source": "tablet"}
    )
    assert response.status_code == 200 and response.json["source"] == "tablet"
    assert audit_entries()[0].source == "tablet"


def test_get_one_record(client, make_token, world):
    s, c = world["session"], world["center"]
    headers = make_token(world["manager"])
    assert client.get(url(s, c), headers=headers).status_code == 404
    put(client, headers, s, c, headcount=8)
    response = client.get(url(s, c), headers=headers)
    assert response.status_code == 200 and response.json["headcount"] == 8
    assert client.get(url(s, world["neighbour"]), headers=headers).status_code == 403
    assert client.get(url(s, c), headers=make_token(world["viewer"])).status_code == 200
    assert client.get(url(s, c), headers=make_token(world["other_viewer"])).status_code == 403


def test_list_is_scoped_and_filtered(client, make_token, world):
    s, c, n = world["session"], world["center"], world["neighbour"]
    coordinator = make_token(world["coordinator"])
    put(client, coordinator, s, c, headcount=3)
    put(client, coordinator, s, n, headcount=4)
    other = SessionFactory(centers=[world["far"]], date=datetime(2026, 11, 23).date())
    put(client, coordinator, other, world["far"], headcount=2)

    everything = client.get("/api/v1/attendance", headers=coordinator).json
    assert len(everything) == 3
    assert {
        "session_id",
        "center_id",
        "status",
        "headcount",
        "member_ids",
        "version",
        "updated_at",
    } <= set(everything[0])
    mine = client.get("/api/v1/attendance", headers=make_token(world["manager"])).json
    assert [(r["center_id"], r["headcount"]) for r in mine] == [(c.id, 3)]
    county = client.get("/api/v1/attendance", headers=make_token(world["viewer"])).json
    assert sorted(r["center_id"] for r in county) == sorted([c.id, n.id])
    dated = client.get("/api/v1/attendance?from=2026-11-23&to=2026-11-23", headers=coordinator).json
    assert [r["center_id"] for r in dated] == [world["far"].id]
    by_county = client.get(
        f"/api/v1/attendance?county_id={world['county'].id}", headers=coordinator
    ).json
    assert len(by_county) == 2
    paged = client.get("/api/v1/attendance?limit=1&offset=1", headers=coordinator).json
    assert len(paged) == 1 and paged[0] == everything[1]


def test_list_filters_outside_scope_are_refused(client, make_token, world):
    manager, viewer = make_token(world["manager"]), make_token(world["viewer"])
    assert (
        client.get(
            f"/api/v1/attendance?center_id={world['neighbour'].id}", headers=manager
        ).status_code
        == 403
    )
    assert (
        client.get(
            f"/api/v1/attendance?county_id={world['other_county'].id}", headers=viewer
        ).status_code
        == 403
    )
    assert (
        client.get(f"/api/v1/attendance?center_id={world['far'].id}", headers=viewer).status_code
        == 403
    )
    assert client.get("/api/v1/attendance?center_id=999999", headers=viewer).status_code == 404
    assert client.get("/api/v1/attendance?from=yesterday", headers=viewer).status_code == 422


def test_the_endpoints_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert "put" in paths["/api/v1/sessions/{session_id}/attendance/{center_id}"]
    assert "get" in paths["/api/v1/attendance"]
    assert {"get", "post"} <= set(paths["/api/v1/centers/{center_id}/members"])
    assert {"get", "patch", "delete"} <= set(
        paths["/api/v1/centers/{center_id}/members/{member_id}"]
    )


def test_a_record_of_a_center_not_invited_does_not_exist(client, make_token, world):
    response = client.get(
        url(world["session"], world["far"]), headers=make_token(world["coordinator"])
    )
    assert response.status_code == 404


def test_a_paired_tablet_with_a_token_writes_as_the_tablet(client, make_token, world):
    from centers.tablet.models import TabletDevice

    tablet_user = UserFactory(
        role=Role.CENTER_MANAGER, center_id=world["center"].id, county_id=world["county"].id
    )
    db.session.add(
        TabletDevice(center_id=world["center"].id, user_id=tablet_user.id, label="거실 태블릿")
    )
    db.session.commit()
    response = put(client, make_token(tablet_user), world["session"], world["center"])
    assert response.status_code == 200 and response.json["source"] == "tablet"
