"""The coordinators' pages and the read-only week for everyone else (test client, real login
and CSRF)."""

import re
from datetime import date, time

import pytest
import sqlalchemy as sa

from app.auth.models import Role
from app.extensions import db
from programs.catalog.models import Instructor, Program
from programs.schedule.models import Closure, Session
from tests.conftest import csrf_token
from tests.factories import (
    CenterFactory,
    ClosureFactory,
    CountyFactory,
    InstructorFactory,
    ProgramFactory,
    SessionFactory,
    UserFactory,
)


@pytest.fixture
def w():
    county = CountyFactory(name="봉화군")
    return {
        "county": county,
        "a": CenterFactory(county=county, name="봉성2리 경로당"),
        "b": CenterFactory(county=county, name="물야면 오록1리 경로당"),
        "far": CenterFactory(county=CountyFactory(name="진도군"), name="의신면 돈지마을 경로당"),
        "program": ProgramFactory(title="웃음치료"),
        "instructor": InstructorFactory(name="김미숙"),
        "coordinator": UserFactory(role=Role.COORDINATOR, username="coord"),
    }


def form_data(w, **kw):
    data = {
        "program_id": w["program"].id,
        "instructor_id": w["instructor"].id,
        "date": "2026-11-24",
        "start": "10:00",
        "duration_minutes": "",
        "center_ids": [w["a"].id, w["b"].id],
        "note": "",
    }
    data.update(kw)
    return data


def post(client, path, data, page=None):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, page or "/home")})


def test_add_session_through_the_form(client, login_as, w):
    login_as(w["coordinator"])
    page = client.get("/sessions/new?date=2026-11-24").get_data(as_text=True)
    assert 'value="10:00"' in page  # default start
    assert re.search(rf'id="center-{w["a"].id}"[^>]*checked', page)  # default centers are ticked
    r = post(client, "/sessions/new", form_data(w))
    assert r.status_code == 302 and r.location.endswith("/weeks/2026-W48")
    session = db.session.scalar(sa.select(Session))
    assert session.status == "draft" and session.center_ids == sorted([w["a"].id, w["b"].id])
    assert session.duration_minutes == 60 and session.room is not None
    week = client.get("/weeks/2026-W48").get_data(as_text=True)
    assert "웃음치료" in week and "김미숙" in week and "경로당 2곳" in week and "초안" in week


def test_whole_county_choice(client, login_as, w):
    login_as(w["coordinator"])
    r = post(client, "/sessions/new", form_data(w, center_ids=[], county_ids=[w["county"].id]))
    assert r.status_code == 302
    assert db.session.scalar(sa.select(Session)).center_ids == sorted([w["a"].id, w["b"].id])


def test_holiday_and_conflict_are_shown_on_the_form(client, login_as, w):
    login_as(w["coordinator"])
    r = post(client, "/sessions/new", form_data(w, date="2026-09-25"))
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert 'data-code="holiday"' in html and "추석" in html
    first = SessionFactory(program=w["program"], instructor=w["instructor"], centers=[w["a"]])
    r = post(client, "/sessions/new", form_data(w, start="10:30", center_ids=[w["far"].id]))
    assert r.status_code == 409
    html = r.get_data(as_text=True)
    assert 'data-code="conflict"' in html and f'/sessions/{first.id}"' in html
    r = post(client, "/sessions/new", form_data(w, center_ids=[]))
    assert r.status_code == 422 and "초대할 경로당을 한 곳 이상 고르세요." in r.get_data(
        as_text=True
    )


def test_edit_with_a_stale_version(client, login_as, w):
    login_as(w["coordinator"])
    session = SessionFactory(
        program=w["program"],
        instructor=w["instructor"],
        centers=[w["a"]],
        status="draft",
        published_at=None,
    )
    edit = client.get(f"/sessions/{session.id}").get_data(as_text=True)
    assert 'name="version"' in edit and "수업 고치기" in edit
    r = post(
        client,
        f"/sessions/{session.id}",
        form_data(w, start="14:00", center_ids=[w["a"].id], version="1"),
    )
    assert r.status_code == 302
    r = post(
        client,
        f"/sessions/{session.id}",
        form_data(w, start="15:00", center_ids=[w["a"].id], version="1"),
    )
    assert r.status_code == 409 and 'data-code="stale"' in r.get_data(as_text=True)
    assert db.session.get(Session, session.id).start_time == time(14, 0)


def test_cancel_and_reschedule_pages(client, login_as, w):
    login_as(w["coordinator"])
    session = SessionFactory(program=w["program"], instructor=w["instructor"], centers=[w["a"]])
    r = post(
        client,
        f"/sessions/{session.id}/reschedule",
        {"date": "2026-11-26", "start": "14:00", "reason": "", "version": str(session.version)},
    )
    assert r.status_code == 302 and r.location.endswith("/weeks/2026-W48")
    makeup = db.session.scalar(sa.select(Session).where(Session.rescheduled_from_id == session.id))
    assert makeup.date == date(2026, 11, 26) and makeup.status == "published"
    r = post(
        client,
        f"/sessions/{makeup.id}/cancel",
        {"reason": "강사 병가", "version": str(makeup.version)},
    )
    assert r.status_code == 302
    assert db.session.get(Session, makeup.id).cancel_reason == "강사 병가"
    history = client.get(f"/sessions/{makeup.id}").get_data(as_text=True)
    assert "수업을 취소했습니다." in history and "취소된 수업입니다." in history
    assert "session.cancel" not in history and "sequence" not in history
    assert "<td>웹 페이지</td>" in history and "<td>page</td>" not in history


def test_week_page_names_holidays_and_closures(client, login_as, w):
    login_as(w["coordinator"])
    ClosureFactory(date=date(2026, 9, 22), county_id=w["county"].id, reason="봉화 농번기")
    html = client.get("/weeks/2026-W39").get_data(as_text=True)
    assert "공휴일: 추석 전날" in html and "공휴일: 추석" in html and "휴관: 봉화 농번기" in html
    assert (
        'href="/weeks/2026-W38" rel="prev"' in html and 'href="/weeks/2026-W40" rel="next"' in html
    )
    assert client.get("/weeks?date=2026-09-23").location.endswith("/weeks/2026-W39")
    assert client.get("/weeks/not-a-week").status_code == 404


def test_publish_and_copy_forms(client, login_as, w):
    login_as(w["coordinator"])
    post(client, "/sessions/new", form_data(w, date="2026-09-21"))
    post(client, "/sessions/new", form_data(w, date="2026-09-22"))
    r = post(client, "/weeks/2026-W39/publish", {})
    assert r.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).where(Session.status == "published")) == 2
    r = post(client, "/weeks/2026-W40/copy", {"from_week": "2026-W39"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "초안 2개를 만들었습니다." in html
    r = post(
        client, "/weeks/2026-W41/copy", {"from_week": "2026-W39"}
    )  # 10-05 is a substitute holiday
    html = r.get_data(as_text=True)
    assert (
        "초안 1개를 만들었습니다." in html
        and 'data-reason="holiday"' in html
        and "개천절 대체 휴일" in html
    )
    r = post(client, "/weeks/2026-W41/copy", {"from_week": "bogus"})
    assert r.status_code == 302


def test_repeat_form(client, login_as, w):
    login_as(w["coordinator"])
    r = post(
        client,
        "/sessions/repeat",
        {
            "program_id": w["program"].id,
            "instructor_id": w["instructor"].id,
            "start": "10:00",
            "duration_minutes": "",
            "weekdays": ["MO", "FR"],
            "from_": "2026-09-21",
            "until": "2026-10-09",
            "center_ids": [w["a"].id],
        },
    )
    assert r.status_code == 201
    html = r.get_data(as_text=True)
    assert (
        "만든 수업 3개" in html
        and "건너뛴 날 3일" in html
        and html.count('data-reason="holiday"') == 3
    )


def test_others_see_published_sessions_read_only(client, login_as, w):
    published = SessionFactory(program=w["program"], instructor=w["instructor"], centers=[w["a"]])
    draft = SessionFactory(
        program=ProgramFactory(title="초안 수업"),
        instructor=w["instructor"],
        centers=[w["a"]],
        start_time=time(14, 0),
        status="draft",
        published_at=None,
    )
    manager = UserFactory(role=Role.CENTER_MANAGER, center_id=w["a"].id, county_id=w["county"].id)
    login_as(manager)
    html = client.get("/weeks/2026-W48").get_data(as_text=True)
    assert "웃음치료" in html and "초안 수업" not in html
    assert "수업 추가" not in html and "이 주 게시하기" not in html
    assert client.get(f"/sessions/{draft.id}").status_code == 404
    view = client.get(f"/sessions/{published.id}").get_data(as_text=True)
    assert "봉성2리 경로당" in view and "물야면" not in view
    assert client.get("/sessions/new").status_code == 403
    assert post(client, "/weeks/2026-W48/publish", {}).status_code == 403
    assert post(client, f"/sessions/{published.id}/cancel", {"reason": "x"}).status_code == 403
    assert client.get("/programs").status_code == 403 and client.get("/closures").status_code == 403


def test_programs_instructors_and_closures_pages(client, login_as, w):
    login_as(w["coordinator"])
    r = post(
        client,
        "/programs",
        {
            "title": "노래교실",
            "category": "leisure",
            "description": "트로트",
            "duration_minutes": "50",
        },
    )
    assert r.status_code == 302
    program = db.session.scalar(sa.select(Program).where(Program.title == "노래교실"))
    assert program.duration_minutes == 50
    assert (
        post(
            client,
            "/programs",
            {"title": "노래교실", "category": "leisure", "duration_minutes": "50"},
        ).status_code
        == 422
    )
    post(client, f"/programs/{program.id}/active", {})
    assert db.session.get(Program, program.id).active is False
    r = post(
        client,
        f"/programs/{program.id}",
        {"title": "노래 교실", "category": "leisure", "description": "", "duration_minutes": "60"},
    )
    assert r.status_code == 302 and db.session.get(Program, program.id).title == "노래 교실"

    assert (
        post(client, "/instructors", {"name": "박정호", "phone": "010-1234-5678"}).status_code
        == 302
    )
    instructor = db.session.scalar(sa.select(Instructor).where(Instructor.name == "박정호"))
    post(client, f"/instructors/{instructor.id}/active", {})
    assert db.session.get(Instructor, instructor.id).active is False
    assert post(client, "/instructors", {"name": ""}).status_code == 422

    r = post(
        client,
        "/closures",
        {
            "date": "2026-11-25",
            "reason": "봉화 군민의 날",
            "scope": "county",
            "county_id": w["county"].id,
            "center_id": 0,
        },
    )
    assert r.status_code == 302
    closure = db.session.scalar(sa.select(Closure))
    assert closure.county_id == w["county"].id and closure.center_id is None
    r = post(
        client,
        "/closures",
        {"date": "2026-11-26", "reason": "x", "scope": "center", "county_id": 0, "center_id": 0},
    )
    assert r.status_code == 422 and "경로당을 고르세요." in r.get_data(as_text=True)
    post(client, f"/closures/{closure.id}/delete", {})
    assert db.session.scalar(sa.select(sa.func.count(Closure.id))) == 0


def test_calendar_feeds_page_and_rotation(client, login_as, w):
    me = UserFactory(role=Role.INSTRUCTOR, instructor_id=w["instructor"].id)
    login_as(me)
    html = client.get("/calendar-feeds").get_data(as_text=True)
    old_key = w["instructor"].calendar_key
    assert f"/calendar/instructors/{w['instructor'].id}.ics?key={old_key}" in html
    assert "경로당 캘린더" not in html
    r = post(
        client,
        f"/calendar-feeds/instructors/{w['instructor'].id}/rotate",
        {},
        page="/calendar-feeds",
    )
    assert r.status_code == 302
    assert db.session.get(Instructor, w["instructor"].id).calendar_key != old_key
    other = InstructorFactory()
    assert post(client, f"/calendar-feeds/instructors/{other.id}/rotate", {}).status_code == 403


def test_printable_timetable(client, login_as, w):
    SessionFactory(program=w["program"], instructor=w["instructor"], centers=[w["a"]])
    SessionFactory(
        program=ProgramFactory(title="보이지 않는 초안"),
        instructor=w["instructor"],
        centers=[w["a"]],
        start_time=time(14, 0),
        status="draft",
        published_at=None,
    )
    ClosureFactory(date=date(2026, 11, 26), center_id=w["a"].id, reason="경로당 보일러 수리")
    manager = UserFactory(role=Role.CENTER_MANAGER, center_id=w["a"].id, county_id=w["county"].id)
    login_as(manager)
    r = client.get(f"/centers/{w['a'].id}/timetable?week=2026-W48")
    html = r.get_data(as_text=True)
    assert (
        r.status_code == 200
        and "봉성2리 경로당" in html
        and "웃음치료" in html
        and "김미숙 강사" in html
    )
    assert "보이지 않는 초안" not in html and "쉽니다 — 경로당 보일러 수리" in html
    assert "<svg" in html and "http://localhost/tablet" in html and "<style" not in html
    assert "/assets/schedule/timetable.css" in html
    assert "size: A4" in client.get("/assets/schedule/timetable.css").get_data(as_text=True)
    assert client.get(f"/centers/{w['far'].id}/timetable").status_code == 403


def test_week_page_in_english(client, login_as, w):
    login_as(w["coordinator"])
    client.post("/lang/en", data={"csrf_token": csrf_token(client, "/home"), "next": "/home"})
    html = client.get("/weeks/2026-W39").get_data(as_text=True)
    assert "Weekly schedule" in html and "Holiday: Chuseok" in html


def test_cancelling_a_session_and_rotating_a_key_ask_to_confirm_first(client, login_as, w):
    session = SessionFactory(centers=[w["a"]], program=w["program"], instructor=w["instructor"])
    login_as(w["coordinator"])
    form = client.get(f"/sessions/{session.id}").get_data(as_text=True)
    cancel_url = f"/sessions/{session.id}/cancel"
    assert f'<form method="get" action="{cancel_url}">' in form  # the page's button only asks
    confirm = client.get(f"{cancel_url}?reason=강사+병가&version={session.version}")
    page = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and "수업을 취소할까요?" in page
    assert 'value="강사 병가"' in page and 'method="post"' in page  # the reason typed is kept
    assert db.session.get(Session, session.id).status == "published"
    r = post(client, cancel_url, {"reason": "강사 병가", "version": str(session.version)}, page=cancel_url)
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(Session, session.id).status == "cancelled"

    feeds = client.get("/calendar-feeds").get_data(as_text=True)
    rotate = f"/calendar-feeds/centers/{w['a'].id}/rotate"
    assert f'href="{rotate}"' in feeds and f'action="{rotate}"' not in feeds
    old_key = w["a"].calendar_key
    asked = client.get(rotate).get_data(as_text=True)
    assert "캘린더 주소를 새로 만들까요?" in asked
    db.session.expire_all()
    assert db.session.get(type(w["a"]), w["a"].id).calendar_key == old_key
    assert post(client, rotate, {}, page=rotate).status_code == 302
    db.session.expire_all()
    assert db.session.get(type(w["a"]), w["a"].id).calendar_key != old_key
    instructor_rotate = f"/calendar-feeds/instructors/{w['instructor'].id}/rotate?next=/calendar-feeds"
    asked = client.get(instructor_rotate).get_data(as_text=True)
    assert 'name="next" value="/calendar-feeds"' in asked
    elsewhere = f"/calendar-feeds/instructors/{w['instructor'].id}/rotate?next=https://evil.example"
    assert 'name="next" value="https://evil.example"' not in client.get(elsewhere).get_data(as_text=True)


def test_session_history_reads_as_sentences(client, login_as, w):
    session = SessionFactory(centers=[w["a"]], program=w["program"], instructor=w["instructor"])
    login_as(w["coordinator"])
    data = form_data(w, start="14:00", version=str(session.version), center_ids=[w["a"].id, w["b"].id])
    r = post(client, f"/sessions/{session.id}", data)
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    html = client.get(f"/sessions/{session.id}").get_data(as_text=True)
    assert "수업을 고쳤습니다. 시작 시간: 10:00 → 14:00, 참여 경로당: 1곳 → 2곳" in html
    history = html.split("<h2>변경 기록</h2>", 1)[1]
    for raw in ("session.update", "sequence", "start 10:00", "<td>page</td>", "center_ids"):
        assert raw not in history, raw
    with client.session_transaction() as browser_session:
        browser_session["lang"] = "en"
    english = client.get(f"/sessions/{session.id}").get_data(as_text=True)
    assert "Session updated. Start time: 10:00 → 14:00" in english and "<td>Web page</td>" in english
