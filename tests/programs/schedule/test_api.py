"""The sessions, weeks, closures, programs and instructors API of API.md, on every endpoint,
with its errors and its scope."""

import uuid
from datetime import date, time

import pytest
import sqlalchemy as sa

from app.auth.models import Role, User
from app.extensions import db
from programs.schedule.models import Closure
from tests.factories import (
    CenterFactory,
    ClosureFactory,
    CountyFactory,
    InstructorFactory,
    ProgramFactory,
    SessionFactory,
)


def api_user(role, **scope):
    """A user for API tests: no password (hashing is slow), a token instead."""
    user = User(username=f"{role}-{uuid.uuid4().hex[:8]}", role=role, **scope)
    db.session.add(user)
    db.session.commit()
    return user


@pytest.fixture
def w(make_token):
    bonghwa, buan = CountyFactory(name="봉화군"), CountyFactory(name="부안군")
    a, b, c = (
        CenterFactory(county=bonghwa),
        CenterFactory(county=bonghwa),
        CenterFactory(county=buan),
    )
    instructor = InstructorFactory(name="김미숙")
    users = {
        "coordinator": api_user(Role.COORDINATOR),
        "manager_a": api_user(Role.CENTER_MANAGER, center_id=a.id, county_id=bonghwa.id),
        "manager_c": api_user(Role.CENTER_MANAGER, center_id=c.id, county_id=buan.id),
        "viewer": api_user(Role.COUNTY_VIEWER, county_id=bonghwa.id),
        "instructor": api_user(Role.INSTRUCTOR, instructor_id=instructor.id),
        "other_instructor": api_user(Role.INSTRUCTOR, instructor_id=InstructorFactory().id),
    }
    return {
        "bonghwa": bonghwa,
        "buan": buan,
        "a": a,
        "b": b,
        "c": c,
        "instructor": instructor,
        "program": ProgramFactory(title="실버체조", category="health"),
        "h": {name: make_token(user) for name, user in users.items()},
    }


def body(w, **kw):
    data = {
        "program_id": w["program"].id,
        "instructor_id": w["instructor"].id,
        "date": "2026-11-24",
        "start": "10:00",
        "center_ids": [w["a"].id, w["b"].id],
    }
    data.update(kw)
    return data


def post_session(client, w, **kw):
    return client.post("/api/v1/sessions", json=body(w, **kw), headers=w["h"]["coordinator"])


def test_create_answers_the_session_shape(client, w):
    r = post_session(client, w, start="14:30", duration_minutes=90)
    assert r.status_code == 201, r.json
    s = r.json
    assert {
        k: s[k]
        for k in (
            "program_id",
            "instructor_id",
            "date",
            "start",
            "end",
            "duration_minutes",
            "status",
            "version",
            "center_ids",
        )
    } == {
        "program_id": w["program"].id,
        "instructor_id": w["instructor"].id,
        "date": "2026-11-24",
        "start": "14:30",
        "end": "16:00",
        "duration_minutes": 90,
        "status": "draft",
        "version": 1,
        "center_ids": sorted([w["a"].id, w["b"].id]),
    }
    assert isinstance(s["id"], int) and s["room"]["name"].startswith("ieum-")
    assert s["program_title"] == "실버체조" and s["instructor_name"] == "김미숙"


def test_create_without_centers_invites_the_default(client, w):
    r = post_session(client, w, center_ids=None)
    assert r.status_code == 201 and r.json["center_ids"] == sorted(
        [w["a"].id, w["b"].id, w["c"].id]
    )


@pytest.mark.parametrize(
    "day, code, status",
    [
        ("2026-11-28", "weekend", 422),
        ("2026-09-25", "holiday", 422),
        ("2026-10-05", "holiday", 422),
        ("2027-10-05", "outside_support_period", 422),
    ],
)
def test_create_refusals_use_api_codes(client, w, day, code, status):
    r = post_session(client, w, date=day)
    assert r.status_code == status and r.json["error"]["code"] == code
    if code == "holiday":
        assert r.json["error"]["details"]["holiday"] in ("추석", "개천절 대체 휴일")


def test_holiday_name_in_english(client, w):
    r = client.post(
        "/api/v1/sessions",
        json=body(w, date="2026-09-25"),
        headers={**w["h"]["coordinator"], "Accept-Language": "en"},
    )
    assert r.json["error"]["details"]["holiday"] == "Chuseok"
    assert "Chuseok" in r.json["error"]["message"]


def test_closed_and_conflict(client, w):
    ClosureFactory(date=date(2026, 11, 25), county_id=w["bonghwa"].id, reason="농번기")
    r = post_session(client, w, date="2026-11-25")
    assert r.status_code == 422 and r.json["error"]["code"] == "closed"
    assert r.json["error"]["details"]["reason"] == "농번기"
    first = post_session(client, w).json
    r = post_session(client, w, start="10:30", center_ids=[w["c"].id])
    assert r.status_code == 409 and r.json["error"]["code"] == "conflict"
    assert r.json["error"]["details"]["sessions"] == [first["id"]]


@pytest.mark.parametrize(
    "change, field",
    [
        ({"start": "25:00"}, "start"),
        ({"date": "2026-13-01"}, "date"),
        ({"program_id": None}, "program_id"),
        ({"duration_minutes": 500}, "duration_minutes"),
        ({"center_ids": "x"}, "center_ids"),
        ({"center_ids": [987654]}, "center_ids"),
        ({"program_id": 987654}, "program_id"),
        # Past INTEGER's range: refused as input, not failed on in the database (was a 500).
        ({"program_id": 2**63}, "program_id"),
        ({"instructor_id": 0}, "instructor_id"),
        ({"center_ids": [2**40]}, "center_ids"),
    ],
)
def test_bad_input_is_invalid_with_the_field(client, w, change, field):
    r = post_session(client, w, **change)
    assert r.status_code == 422 and r.json["error"]["code"] == "invalid"
    assert r.json["error"]["details"]["field"] == field


def test_ids_past_the_integer_range(client, w):
    # These answered 500 (the database could not bind the number).
    h = w["h"]["coordinator"]
    r = client.get(f"/api/v1/sessions/{2**64}", headers=h)
    assert r.status_code == 404 and r.json["error"]["code"] == "not_found"
    r = client.get(f"/api/v1/sessions?instructor_id={2**40}", headers=h)
    assert r.status_code == 422 and r.json["error"]["details"]["field"] == "instructor_id"
    r = client.get(f"/api/v1/sessions?offset={2**70}", headers=h)
    assert r.status_code == 422 and r.json["error"]["details"]["field"] == "offset"


def test_missing_body_and_non_json(client, w):
    r = client.post(
        "/api/v1/sessions",
        data="nope",
        headers={**w["h"]["coordinator"], "Content-Type": "text/plain"},
    )
    assert r.status_code == 422 and r.json["error"]["code"] == "invalid"
    r = client.post("/api/v1/sessions", json={}, headers=w["h"]["coordinator"])
    assert r.status_code == 422 and r.json["error"]["details"]["field"] in (
        "program_id",
        "instructor_id",
        "date",
        "start",
    )


@pytest.mark.parametrize("who", ["manager_a", "viewer", "instructor"])
def test_writes_are_for_coordinators(client, w, who):
    published = SessionFactory(program=w["program"], instructor=w["instructor"], centers=[w["a"]])
    h = w["h"][who]
    assert client.post("/api/v1/sessions", json=body(w), headers=h).status_code == 403
    assert (
        client.patch(
            f"/api/v1/sessions/{published.id}", json={"version": 1, "start": "11:00"}, headers=h
        ).status_code
        == 403
    )
    assert (
        client.post(f"/api/v1/sessions/{published.id}/cancel", json={}, headers=h).status_code
        == 403
    )
    assert client.post("/api/v1/weeks/2026-W48/publish", headers=h).status_code == 403
    assert (
        client.post(
            "/api/v1/weeks/2026-W49/copy", json={"from_week": "2026-W48"}, headers=h
        ).status_code
        == 403
    )
    assert (
        client.post(
            "/api/v1/closures", json={"date": "2026-11-25", "reason": "x"}, headers=h
        ).status_code
        == 403
    )
    assert (
        client.post(
            "/api/v1/programs", json={"title": "x", "category": "health"}, headers=h
        ).status_code
        == 403
    )
    assert client.post("/api/v1/instructors", json={"name": "x"}, headers=h).status_code == 403
    assert client.get("/api/v1/instructors", headers=h).status_code == 403
    r = client.post("/api/v1/sessions/repeat", json={"weekdays": ["MO"]}, headers=h)
    assert r.status_code == 403 and r.json["error"]["code"] == "forbidden"
    assert client.get("/api/v1/sessions").status_code == 401


def test_non_coordinators_never_see_drafts(client, w):
    draft = post_session(client, w, center_ids=[w["a"].id]).json
    published = SessionFactory(
        program=w["program"],
        instructor=w["instructor"],
        centers=[w["a"], w["c"]],
        start_time=time(14, 0),
    )
    for who in ("manager_a", "viewer", "instructor"):
        ids = [s["id"] for s in client.get("/api/v1/sessions", headers=w["h"][who]).json]
        assert ids == [published.id], who
        assert client.get(f"/api/v1/sessions/{draft['id']}", headers=w["h"][who]).status_code == 404
        week = client.get("/api/v1/weeks/2026-W48", headers=w["h"][who]).json
        assert [s["id"] for d in week["days"] for s in d["sessions"]] == [published.id]
        assert week["status"] == "published"
    coordinator_week = client.get("/api/v1/weeks/2026-W48", headers=w["h"]["coordinator"]).json
    assert coordinator_week["status"] == "draft"
    assert len([s for d in coordinator_week["days"] for s in d["sessions"]]) == 2
    # a center manager sees only its own center among the invited ones
    mine = client.get(f"/api/v1/sessions/{published.id}", headers=w["h"]["manager_a"]).json
    assert mine["center_ids"] == [w["a"].id] and mine["center_count"] == 2


def test_scope_of_session_reads(client, w):
    only_c = SessionFactory(program=w["program"], instructor=InstructorFactory(), centers=[w["c"]])
    assert (
        client.get(f"/api/v1/sessions/{only_c.id}", headers=w["h"]["manager_a"]).status_code == 403
    )
    assert client.get(f"/api/v1/sessions/{only_c.id}", headers=w["h"]["viewer"]).status_code == 403
    assert (
        client.get(f"/api/v1/sessions/{only_c.id}", headers=w["h"]["manager_c"]).status_code == 200
    )
    assert (
        client.get(f"/api/v1/sessions/{only_c.id}", headers=w["h"]["instructor"]).status_code == 403
    )
    assert client.get("/api/v1/sessions/99999", headers=w["h"]["coordinator"]).status_code == 404
    # filters outside the scope: 403, not an empty list
    r = client.get(f"/api/v1/sessions?center_id={w['c'].id}", headers=w["h"]["viewer"])
    assert r.status_code == 403 and r.json["error"]["code"] == "forbidden"
    assert (
        client.get("/api/v1/sessions?center_id=99999", headers=w["h"]["viewer"]).status_code == 404
    )
    other = w["h"]["other_instructor"]
    assert (
        client.get(
            f"/api/v1/sessions?instructor_id={w['instructor'].id}", headers=other
        ).status_code
        == 403
    )
    ok = client.get(f"/api/v1/sessions?center_id={w['c'].id}", headers=w["h"]["manager_c"])
    assert [s["id"] for s in ok.json] == [only_c.id]


def test_list_filters(client, w):
    first = post_session(client, w).json
    second = post_session(client, w, date="2026-11-26", center_ids=[w["c"].id]).json
    h = w["h"]["coordinator"]
    assert [
        s["id"]
        for s in client.get("/api/v1/sessions?from=2026-11-25&to=2026-11-30", headers=h).json
    ] == [second["id"]]
    assert [
        s["id"] for s in client.get(f"/api/v1/sessions?center_id={w['a'].id}", headers=h).json
    ] == [first["id"]]
    assert (
        len(client.get(f"/api/v1/sessions?instructor_id={w['instructor'].id}", headers=h).json) == 2
    )
    assert client.get("/api/v1/sessions?status=published", headers=h).json == []
    assert len(client.get("/api/v1/sessions?limit=1", headers=h).json) == 1
    r = client.get("/api/v1/sessions?from=2026-11-30&to=2026-11-01", headers=h)
    assert r.status_code == 422 and r.json["error"]["details"]["field"] == "to"
    assert (
        client.get("/api/v1/sessions?status=bogus", headers=h).json["error"]["details"]["field"]
        == "status"
    )


def test_patch_with_version_and_stale(client, w):
    s = post_session(client, w).json
    h = w["h"]["coordinator"]
    r = client.patch(
        f"/api/v1/sessions/{s['id']}", json={"version": 1, "start": "13:00"}, headers=h
    )
    assert r.status_code == 200 and r.json["start"] == "13:00" and r.json["version"] == 2
    r = client.patch(
        f"/api/v1/sessions/{s['id']}", json={"version": 1, "start": "15:00"}, headers=h
    )
    assert r.status_code == 409 and r.json["error"]["code"] == "stale"
    r = client.patch(f"/api/v1/sessions/{s['id']}", json={"start": "15:00"}, headers=h)
    assert r.status_code == 422 and r.json["error"]["details"]["field"] == "version"
    r = client.patch(
        f"/api/v1/sessions/{s['id']}", json={"version": 2, "date": "2027-02-08"}, headers=h
    )
    assert r.status_code == 422 and r.json["error"]["details"]["holiday"] == "설날 다음날"
    assert client.patch("/api/v1/sessions/99999", json={"version": 1}, headers=h).status_code == 404


def test_cancel_keeps_a_published_session_visible(client, w):
    s = SessionFactory(program=w["program"], instructor=w["instructor"], centers=[w["a"]])
    r = client.post(
        f"/api/v1/sessions/{s.id}/cancel",
        json={"reason": "강사 병가"},
        headers=w["h"]["coordinator"],
    )
    assert (
        r.status_code == 200
        and r.json["status"] == "cancelled"
        and r.json["cancel_reason"] == "강사 병가"
    )
    assert r.json["sequence"] == 1
    seen = client.get("/api/v1/sessions", headers=w["h"]["manager_a"]).json
    assert [(x["id"], x["status"]) for x in seen] == [(s.id, "cancelled")]
    r = client.post(f"/api/v1/sessions/{s.id}/cancel", headers=w["h"]["coordinator"])
    assert r.status_code == 422 and r.json["error"]["details"]["field"] == "status"


def test_reschedule(client, w):
    s = SessionFactory(program=w["program"], instructor=w["instructor"], centers=[w["a"]])
    h = w["h"]["coordinator"]
    r = client.post(f"/api/v1/sessions/{s.id}/reschedule", json={"date": "2026-09-25"}, headers=h)
    assert r.status_code == 422 and r.json["error"]["code"] == "holiday"
    r = client.post(
        f"/api/v1/sessions/{s.id}/reschedule",
        json={"date": "2026-11-27", "start": "14:00"},
        headers=h,
    )
    assert (
        r.status_code == 201
        and r.json["rescheduled_from_id"] == s.id
        and r.json["status"] == "published"
    )
    assert client.get(f"/api/v1/sessions/{s.id}", headers=h).json["status"] == "cancelled"


def test_repeat(client, w):
    r = client.post(
        "/api/v1/sessions/repeat",
        headers=w["h"]["coordinator"],
        json={
            "program_id": w["program"].id,
            "instructor_id": w["instructor"].id,
            "start": "10:00",
            "weekdays": ["MO", "TU", "WE", "TH", "FR"],
            "from": "2026-09-21",
            "until": "2026-10-09",
            "center_ids": [w["a"].id],
        },
    )
    assert r.status_code == 201
    assert len(r.json["created"]) == 15 - 4
    reasons = {s["date"]: s["reason"] for s in r.json["skipped"]}
    assert reasons == {
        "2026-09-24": "holiday",
        "2026-09-25": "holiday",
        "2026-10-05": "holiday",
        "2026-10-09": "holiday",
    }
    r = client.post(
        "/api/v1/sessions/repeat",
        headers=w["h"]["coordinator"],
        json={
            "program_id": w["program"].id,
            "instructor_id": w["instructor"].id,
            "start": "10:00",
            "weekdays": ["XX"],
            "from": "2026-09-21",
            "until": "2026-10-09",
        },
    )
    assert r.status_code == 422 and r.json["error"]["details"]["field"] == "weekdays"


def test_week_shape_with_holidays_and_closures(client, w):
    ClosureFactory(date=date(2026, 9, 21), reason="임시공휴일")
    ClosureFactory(date=date(2026, 9, 22), county_id=w["buan"].id, reason="부안 농번기")
    r = client.get("/api/v1/weeks/2026-W39", headers=w["h"]["coordinator"])
    assert r.status_code == 200
    week = r.json
    assert week["week"] == "2026-W39" and week["status"] == "empty"
    assert [d["date"] for d in week["days"]] == [
        "2026-09-21",
        "2026-09-22",
        "2026-09-23",
        "2026-09-24",
        "2026-09-25",
    ]
    assert [d["holiday"] for d in week["days"]] == [None, None, None, "추석 전날", "추석"]
    assert [d["closed"] for d in week["days"]] == [True, False, False, False, False]
    assert week["days"][1]["closures"][0]["reason"] == "부안 농번기"
    # the county viewer of 봉화 does not see 부안's closure; 부안's manager sees its day closed
    viewer_days = client.get("/api/v1/weeks/2026-W39", headers=w["h"]["viewer"]).json["days"]
    assert viewer_days[1]["closures"] == [] and viewer_days[1]["closed"] is False
    manager_days = client.get("/api/v1/weeks/2026-W39", headers=w["h"]["manager_c"]).json["days"]
    assert manager_days[1]["closed"] is True
    assert (
        client.get("/api/v1/weeks/2026-48", headers=w["h"]["coordinator"]).json["error"]["details"][
            "field"
        ]
        == "week"
    )
    assert client.get("/api/v1/weeks/2026-W54", headers=w["h"]["coordinator"]).status_code == 422


def test_publish_week(client, w):
    h = w["h"]["coordinator"]
    a = post_session(client, w).json
    b = post_session(client, w, date="2026-11-27").json
    post_session(client, w, date="2026-12-01")  # next week stays a draft
    assert client.get("/api/v1/sessions", headers=w["h"]["manager_a"]).json == []
    r = client.post("/api/v1/weeks/2026-W48/publish", headers=h)
    assert r.status_code == 200 and r.json == {"published": 2, "skipped": []}
    seen = client.get("/api/v1/sessions", headers=w["h"]["manager_a"]).json
    assert [s["id"] for s in seen] == [a["id"], b["id"]] and all(
        s["status"] == "published" for s in seen
    )
    assert all(s["published_at"] for s in seen) and seen[0]["version"] == 2
    assert client.post("/api/v1/weeks/2026-W48/publish", headers=h).json["published"] == 0
    assert client.get("/api/v1/weeks/2026-W48", headers=h).json["status"] == "published"
    assert client.get("/api/v1/weeks/2026-W49", headers=h).json["status"] == "draft"


def test_publish_holds_drafts_that_broke_a_rule_since(client, w):
    h = w["h"]["coordinator"]
    ok = post_session(client, w, date="2026-11-23", center_ids=[w["c"].id]).json
    closed = post_session(client, w, date="2026-11-25").json
    everywhere = post_session(client, w, date="2026-11-26").json
    ClosureFactory(date=date(2026, 11, 25), center_id=w["b"].id, reason="보일러 수리")
    ClosureFactory(date=date(2026, 11, 26), reason="임시공휴일")
    r = client.post("/api/v1/weeks/2026-W48/publish", headers=h)
    assert r.json["published"] == 1
    assert [(x["session_id"], x["reason"]) for x in r.json["skipped"]] == [
        (closed["id"], "closed"),
        (everywhere["id"], "closed"),
    ]
    statuses = {
        i: client.get(f"/api/v1/sessions/{i}", headers=h).json["status"]
        for i in (ok["id"], closed["id"], everywhere["id"])
    }
    assert statuses == {ok["id"]: "published", closed["id"]: "draft", everywhere["id"]: "draft"}


def test_copy_week(client, w):
    h = w["h"]["coordinator"]
    mon = post_session(client, w, date="2026-09-14").json
    thu = post_session(client, w, date="2026-09-17", start="14:00").json
    fri = post_session(client, w, date="2026-09-18", center_ids=[w["c"].id]).json
    cancelled = post_session(client, w, date="2026-09-15").json
    client.post(f"/api/v1/sessions/{cancelled['id']}/cancel", headers=h)
    client.post("/api/v1/weeks/2026-W38/publish", headers=h)
    ClosureFactory(date=date(2026, 9, 21), county_id=w["bonghwa"].id, reason="군 행사")

    r = client.post("/api/v1/weeks/2026-W39/copy", json={"from_week": "2026-W38"}, headers=h)
    assert r.status_code == 201, r.json
    assert r.json["created"] == []
    assert [(s["date"], s["reason"], s["session_id"]) for s in r.json["skipped"]] == [
        ("2026-09-21", "closed", mon["id"]),
        ("2026-09-24", "holiday", thu["id"]),
        ("2026-09-25", "holiday", fri["id"]),
    ]
    assert r.json["skipped"][1]["details"]["holiday"] == "추석 전날"

    r = client.post("/api/v1/weeks/2026-W40/copy", json={"from_week": "2026-W38"}, headers=h)
    assert r.status_code == 201
    copies = [client.get(f"/api/v1/sessions/{i}", headers=h).json for i in r.json["created"]]
    assert [(c["date"], c["start"], c["status"], c["center_ids"]) for c in copies] == [
        ("2026-09-28", "10:00", "draft", sorted([w["a"].id, w["b"].id])),
        ("2026-10-01", "14:00", "draft", sorted([w["a"].id, w["b"].id])),
        ("2026-10-02", "10:00", "draft", [w["c"].id]),
    ]
    assert len({c["room"]["name"] for c in copies}) == 3
    # copying again clashes with the copies already there
    again = client.post(
        "/api/v1/weeks/2026-W40/copy", json={"from_week": "2026-W38"}, headers=h
    ).json
    assert again["created"] == [] and {s["reason"] for s in again["skipped"]} == {"conflict"}
    assert sorted(i for s in again["skipped"] for i in s["details"]["sessions"]) == sorted(
        r.json["created"]
    )
    r = client.post("/api/v1/weeks/2026-W38/copy", json={"from_week": "2026-W38"}, headers=h)
    assert r.status_code == 422 and r.json["error"]["details"]["field"] == "from_week"
    r = client.post("/api/v1/weeks/2026-W40/copy", json={"from_week": "38"}, headers=h)
    assert r.status_code == 422 and r.json["error"]["details"]["field"] == "from_week"


def test_copy_skips_centers_outside_support_and_retired_programs(client, w):
    h = w["h"]["coordinator"]
    ending = CenterFactory(county=CountyFactory(support=[(date(2025, 10, 1), date(2026, 9, 30))]))
    s1 = post_session(client, w, date="2026-09-22", center_ids=[w["a"].id, ending.id]).json
    assert s1["status"] == "draft", s1
    retired = ProgramFactory(title="은퇴")
    s2 = post_session(
        client, w, date="2026-09-23", program_id=retired.id, center_ids=[w["c"].id]
    ).json
    retired.active = False
    db.session.commit()
    r = client.post("/api/v1/weeks/2026-W41/copy", json={"from_week": "2026-W39"}, headers=h).json
    assert [(s["session_id"], s["reason"]) for s in r["skipped"]] == [
        (s1["id"], "outside_support_period"),
        (s2["id"], "invalid"),
    ]
    assert r["skipped"][0]["details"]["center_ids"] == [ending.id]


def test_closures_api(client, w):
    h = w["h"]["coordinator"]
    r = client.post(
        "/api/v1/closures", json={"date": "2026-11-25", "reason": "임시공휴일"}, headers=h
    )
    assert r.status_code == 201 and r.json["county_id"] is None and r.json["center_id"] is None
    r = client.post(
        "/api/v1/closures",
        json={"date": "2026-11-26", "reason": "농번기", "county_id": w["bonghwa"].id},
        headers=h,
    )
    assert r.status_code == 201 and r.json["county_id"] == w["bonghwa"].id
    r = client.post(
        "/api/v1/closures",
        json={"date": "2026-11-26", "reason": "수리", "center_id": w["c"].id},
        headers=h,
    )
    assert r.status_code == 201
    r = client.post(
        "/api/v1/closures",
        json={
            "date": "2026-11-26",
            "reason": "x",
            "county_id": w["bonghwa"].id,
            "center_id": w["a"].id,
        },
        headers=h,
    )
    assert r.status_code == 422 and r.json["error"]["details"]["field"] == "center_id"
    r = client.post(
        "/api/v1/closures", json={"date": "2026-11-26", "reason": "x", "county_id": 9999}, headers=h
    )
    assert r.status_code == 422 and r.json["error"]["details"]["field"] == "county_id"
    r = client.post("/api/v1/closures", json={"date": "2026-11-25", "reason": "again"}, headers=h)
    assert r.status_code == 409 and r.json["error"]["code"] == "conflict"
    assert (
        client.post("/api/v1/closures", json={"reason": "x"}, headers=h).json["error"]["details"][
            "field"
        ]
        == "date"
    )
    assert len(client.get("/api/v1/closures?from=2026-11-26", headers=h).json) == 2
    closure_id = db.session.scalar(sa.select(Closure.id).where(Closure.center_id == w["c"].id))
    assert client.delete(f"/api/v1/closures/{closure_id}", headers=h).status_code == 204
    assert client.delete(f"/api/v1/closures/{closure_id}", headers=h).status_code == 404


def test_programs_and_instructors(client, w):
    h = w["h"]["coordinator"]
    r = client.post(
        "/api/v1/programs", json={"title": "노래교실", "category": "leisure"}, headers=h
    )
    assert r.status_code == 201 and r.json["duration_minutes"] == 60 and r.json["active"] is True
    assert (
        client.post(
            "/api/v1/programs", json={"title": "노래교실", "category": "leisure"}, headers=h
        ).status_code
        == 409
    )
    bad = client.post("/api/v1/programs", json={"title": "x", "category": "sports"}, headers=h)
    assert bad.status_code == 422 and bad.json["error"]["details"]["field"] == "category"
    pid = r.json["id"]
    r = client.patch(
        f"/api/v1/programs/{pid}", json={"active": False, "duration_minutes": 50}, headers=h
    )
    assert r.json["active"] is False and r.json["duration_minutes"] == 50
    assert [p["title"] for p in client.get("/api/v1/programs", headers=w["h"]["viewer"]).json] == [
        "실버체조",
        "노래교실",
    ]
    r = post_session(client, w, program_id=pid)
    assert r.status_code == 422 and r.json["error"]["details"]["field"] == "program_id"

    r = client.post(
        "/api/v1/instructors", json={"name": "박정호", "phone": "010-1111-2222"}, headers=h
    )
    assert r.status_code == 201 and r.json["calendar_url"].startswith(
        "http://localhost/calendar/instructors/"
    )
    iid = r.json["id"]
    assert (
        client.patch(f"/api/v1/instructors/{iid}", json={"active": False}, headers=h).json["active"]
        is False
    )
    assert client.get(f"/api/v1/instructors/{iid}", headers=w["h"]["instructor"]).status_code == 403
    me = client.get(f"/api/v1/instructors/{w['instructor'].id}", headers=w["h"]["instructor"])
    assert me.status_code == 200 and "key=" in me.json["calendar_url"]
    assert client.get("/api/v1/instructors/9999", headers=h).status_code == 404


def test_calendar_key_rotation(client, w):
    old = client.get(
        f"/api/v1/instructors/{w['instructor'].id}", headers=w["h"]["instructor"]
    ).json["calendar_url"]
    r = client.post(
        f"/api/v1/instructors/{w['instructor'].id}/calendar-key", headers=w["h"]["instructor"]
    )
    assert r.status_code == 200 and r.json["calendar_url"] != old
    assert (
        client.post(
            f"/api/v1/instructors/{w['instructor'].id}/calendar-key",
            headers=w["h"]["other_instructor"],
        ).status_code
        == 403
    )
    before = client.get(f"/api/v1/centers/{w['a'].id}", headers=w["h"]["manager_a"]).json[
        "calendar_url"
    ]
    r = client.post(f"/api/v1/centers/{w['a'].id}/calendar-key", headers=w["h"]["manager_a"])
    assert r.status_code == 200 and r.json["calendar_url"] != before
    assert (
        client.get(f"/api/v1/centers/{w['a'].id}", headers=w["h"]["manager_a"]).json["calendar_url"]
        == r.json["calendar_url"]
    )
    assert (
        client.post(
            f"/api/v1/centers/{w['a'].id}/calendar-key", headers=w["h"]["viewer"]
        ).status_code
        == 403
    )
    assert (
        client.post(
            f"/api/v1/centers/{w['c'].id}/calendar-key", headers=w["h"]["manager_a"]
        ).status_code
        == 403
    )


def test_openapi_documents_every_endpoint(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path in (
        "/api/v1/sessions",
        "/api/v1/sessions/{session_id}",
        "/api/v1/sessions/{session_id}/cancel",
        "/api/v1/sessions/repeat",
        "/api/v1/weeks/{week}",
        "/api/v1/weeks/{week}/publish",
        "/api/v1/weeks/{week}/copy",
        "/api/v1/closures",
        "/api/v1/programs",
        "/api/v1/instructors",
    ):
        assert path in paths
