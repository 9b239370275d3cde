"""The operating-hours rule (``SESSION_HOURS``, default 07:00–21:00): a session starts and ends
inside it, or the answer is 422 ``outside_hours`` with the hours in ``details`` — on the single,
repeat, copy and publish paths, and on the session form."""

import pytest

from tests.programs.schedule.test_api import body, post_session, w  # noqa: F401  (the fixture)


@pytest.mark.parametrize(
    ("start", "duration", "ok"),
    [
        ("02:00", 60, False),
        ("03:40", 60, False),
        ("06:59", 60, False),
        ("07:00", 60, True),
        ("20:00", 60, True),
        ("20:30", 60, False),  # ends 21:30
        ("21:00", 30, False),
    ],
)
def test_single_session_inside_the_hours(client, w, start, duration, ok):  # noqa: F811
    r = post_session(client, w, start=start, duration_minutes=duration)
    if ok:
        assert r.status_code == 201, r.json
        return
    assert r.status_code == 422
    error = r.json["error"]
    assert error["code"] == "outside_hours"
    assert error["details"]["opens"] == "07:00" and error["details"]["closes"] == "21:00"
    assert error["details"]["start"] == start and error["details"]["field"] == "start"
    assert "07:00" in error["message"] and "21:00" in error["message"]


def test_english_message(client, w):  # noqa: F811
    r = client.post(
        "/api/v1/sessions",
        json=body(w, start="02:00"),
        headers={**w["h"]["coordinator"], "Accept-Language": "en"},
    )
    assert r.json["error"]["message"] == "Classes must start and end between 07:00 and 21:00."


def test_the_hours_are_configurable(app_config, client, w):  # noqa: F811
    app_config(SESSION_HOURS="09:00-18:00")
    assert post_session(client, w, start="08:30").json["error"]["details"]["opens"] == "09:00"
    assert post_session(client, w, start="09:00").status_code == 201


def test_update_and_repeat_follow_the_rule(client, w):  # noqa: F811
    h = w["h"]["coordinator"]
    s = post_session(client, w).json
    r = client.patch(
        f"/api/v1/sessions/{s['id']}", json={"start": "22:00", "version": s["version"]}, headers=h
    )
    assert r.status_code == 422 and r.json["error"]["code"] == "outside_hours"
    r = client.post(
        "/api/v1/sessions/repeat",
        headers=h,
        json={
            "program_id": w["program"].id,
            "instructor_id": w["instructor"].id,
            "start": "05:00",
            "weekdays": ["MO"],
            "from": "2026-11-02",
            "until": "2026-11-30",
            "center_ids": [w["a"].id],
        },
    )
    assert r.status_code == 422 and r.json["error"]["code"] == "outside_hours"


def test_copy_and_publish_skip_sessions_outside_narrowed_hours(app_config, client, w):  # noqa: F811
    h = w["h"]["coordinator"]
    early = post_session(client, w, date="2026-11-23", start="08:00").json
    late = post_session(client, w, date="2026-11-24", start="15:00").json
    app_config(SESSION_HOURS="09:00-21:00")
    r = client.post("/api/v1/weeks/2026-W48/publish", headers=h).json
    assert r["published"] == 1
    assert [(s["session_id"], s["reason"]) for s in r["skipped"]] == [(early["id"], "outside_hours")]
    r = client.post("/api/v1/weeks/2026-W49/copy", json={"from_week": "2026-W48"}, headers=h).json
    assert len(r["created"]) == 1
    assert [(s["session_id"], s["reason"]) for s in r["skipped"]] == [(early["id"], "outside_hours")]
    assert late["id"] not in [s["session_id"] for s in r["skipped"]]
