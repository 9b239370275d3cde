"""Attendance pages: the tablet form (and its no-JavaScript fallback), the service worker,
the coordinators' view, a record's page with its history; scope on every one."""

from datetime import datetime, time, timedelta

import sqlalchemy as sa

from app import clock
from app.audit import AuditLog
from app.clock import SEOUL
from app.extensions import db
from centers.attendance.models import Attendance
from centers.attendance.records import ensure_record
from tests.centers.attendance.test_attendance_api import AFTER_CLASS, make_world
from tests.conftest import csrf_token
from tests.factories import AttendanceFactory, SessionFactory


def form_url(session) -> str:
    return f"/tablet/sessions/{session.id}/attendance"


def record_url(session, center) -> str:
    return f"/attendance/sessions/{session.id}/centers/{center.id}"


def test_the_tablet_form_has_big_buttons_roster_and_the_offline_machinery(client, login_as):
    w = make_world()
    login_as(w["manager"])
    response = client.get(form_url(w["session"]))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for code in ("attended", "absent", "technical_issue", "excused"):
        assert f'id="status-{code}"' in html
    assert "접속 장애" in html and "사유 불참" in html
    assert 'data-step="-1"' in html and 'data-step="1"' in html
    for member in w["members"]:
        assert f'id="member-{member.id}"' in html and member.name in html
    assert w["stranger"].name not in html
    assert "평소 오시는 분 모두" in html
    assert (
        'name="csrf-token"' in html
        and f'data-api="/api/v1/sessions/{w["session"].id}/attendance/{w["center"].id}"' in html
    )
    assert "/tablet/sw.js" in html
    assert "attendance-assets/outbox.js" in html and "attendance-assets/attendance.js" in html
    assert "아직 기록하지 않았습니다." in html


def test_presence_is_shown_and_proposes_attended(client, login_as):
    w = make_world()
    record = ensure_record(w["session"], w["center"].id)
    record.joined_at = datetime(2026, 11, 24, 9, 58, tzinfo=SEOUL)
    record.left_at = datetime(2026, 11, 24, 11, 2, tzinfo=SEOUL)
    db.session.commit()
    login_as(w["manager"])
    html = client.get(form_url(w["session"])).get_data(as_text=True)
    assert "오전 9:58" in html and "오전 11:02" in html
    assert (
        'value="attended"\n               checked' in html
        or 'value="attended" checked' in " ".join(html.split())
    )


def test_the_form_without_javascript_saves_from_the_tablet(client, login_as):
    w = make_world()
    login_as(w["manager"])
    token = csrf_token(client, form_url(w["session"]))
    m = w["members"]
    response = client.post(
        form_url(w["session"]),
        data={
            "status": "attended",
            "headcount": "4",
            "member_ids": [str(m[0].id), str(m[2].id)],
            "client_ref": "nojs-1",
            "csrf_token": token,
        },
    )
    assert response.status_code == 302
    record = db.session.scalar(sa.select(Attendance))
    assert (record.status, record.headcount, record.member_ids, record.source) == (
        "attended",
        4,
        sorted([m[0].id, m[2].id]),
        "tablet",
    )
    html = client.get(form_url(w["session"])).get_data(as_text=True)
    assert "저장됨" in html
    # The same form posted again (a double tap): still one record, one audit entry.
    client.post(
        form_url(w["session"]),
        data={
            "status": "attended",
            "headcount": "4",
            "member_ids": [str(m[0].id), str(m[2].id)],
            "client_ref": "nojs-1",
            "csrf_token": token,
        },
    )
    assert (
        db.session.scalar(
            sa.select(sa.func.count(AuditLog.id)).where(AuditLog.entity_type == "attendance")
        )
        == 1
    )


def test_the_form_refuses_bad_input_without_writing(client, login_as):
    w = make_world()
    login_as(w["manager"])
    token = csrf_token(client, form_url(w["session"]))
    m = w["members"]
    response = client.post(
        form_url(w["session"]),
        data={
            "status": "attended",
            "headcount": "1",
            "member_ids": [str(m[0].id), str(m[1].id)],
            "csrf_token": token,
        },
        follow_redirects=True,
    )
    assert "체크한 어르신 수(2명)보다 적을 수 없습니다" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Attendance.id))) == 0


def test_the_day_list_links_the_days_sessions(client, login_as):
    w = make_world()
    later = SessionFactory(centers=[w["center"]], start_time=time(14, 0))
    SessionFactory(
        centers=[w["neighbour"]], start_time=time(15, 0), program__title="옆 경로당 수업"
    )
    AttendanceFactory(session_obj=w["session"], center=w["center"], status="attended", headcount=7)
    login_as(w["manager"])
    html = client.get("/tablet/attendance").get_data(as_text=True)
    assert form_url(w["session"]) in html and form_url(later) in html
    assert "옆 경로당 수업" not in html
    assert "data-offline-cache" in html and "기록됨" in html and "수업 전" in html


def test_the_form_before_the_start_says_so(client, login_as):
    w = make_world()
    clock.freeze(datetime(2026, 11, 24, 9, 0, tzinfo=SEOUL))
    login_as(w["manager"])
    html = client.get(form_url(w["session"])).get_data(as_text=True)
    assert "수업이 시작되면 기록할 수 있습니다." in html
    assert 'id="save-button" disabled' in html


def test_tablet_pages_are_scoped(client, login_as):
    w = make_world()
    elsewhere = SessionFactory(centers=[w["neighbour"]])
    login_as(w["manager"])
    assert client.get(form_url(elsewhere)).status_code == 404
    assert client.get("/tablet/sessions/999999/attendance").status_code == 404
    token = csrf_token(client, "/home")
    response = client.post(
        form_url(elsewhere), data={"status": "attended", "headcount": "1", "csrf_token": token}
    )
    assert response.status_code == 404
    assert db.session.scalar(sa.select(sa.func.count(Attendance.id))) == 0


def test_non_managers_are_sent_to_the_coordinators_view(client, login_as):
    w = make_world()
    login_as(w["coordinator"])
    response = client.get(form_url(w["session"]))
    assert response.status_code == 302 and response.location.endswith(
        f"/attendance/sessions/{w['session'].id}"
    )


def test_the_service_worker_covers_the_tablet(client):
    response = client.get("/tablet/sw.js")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/javascript")
    assert response.headers["Service-Worker-Allowed"] == "/tablet"
    body = response.get_data(as_text=True)
    assert (
        "/static/css/app.css" in body and "/tablet/attendance-assets/attendance.js" in body
    )
    assert client.get("/tablet/attendance-assets/outbox.js").status_code == 200


def test_coordinators_see_who_joined_reported_and_is_missing(client, login_as):
    w = make_world()
    presence = ensure_record(w["session"], w["neighbour"].id)
    presence.joined_at = AFTER_CLASS - timedelta(hours=1)
    db.session.commit()
    AttendanceFactory(
        session_obj=w["session"],
        center=w["center"],
        status="attended",
        headcount=12,
        recorded_at=AFTER_CLASS,
    )
    complete = SessionFactory(
        centers=[w["center"]], start_time=time(8, 0), program__title="완료된 수업"
    )
    AttendanceFactory(session_obj=complete, center=w["center"], status="absent", headcount=0)
    SessionFactory(centers=[w["center"]], start_time=time(15, 0), program__title="오후 수업")
    login_as(w["coordinator"])

    listing = client.get("/attendance").get_data(as_text=True)
    assert w["session"].program.title in listing and "완료된 수업" in listing
    assert "오후 수업" not in listing  # not started yet
    missing = client.get("/attendance?missing=1").get_data(as_text=True)
    assert w["session"].program.title in missing and "완료된 수업" not in missing

    detail = client.get(f"/attendance/sessions/{w['session'].id}").get_data(as_text=True)
    assert w["center"].name in detail and w["neighbour"].name in detail
    assert "12명" in detail and "참여" in detail and "미보고" in detail
    assert (
        "아직 보고하지 않은 경로당" in detail and "오전 10:05" in detail
    )  # the neighbour joined at 10:05


def test_the_county_viewer_sees_only_its_county(client, login_as):
    w = make_world()
    far_session = SessionFactory(centers=[w["far"]], program__title="먼 곳 수업")
    login_as(w["viewer"])
    listing = client.get("/attendance").get_data(as_text=True)
    assert w["session"].program.title in listing and "먼 곳 수업" not in listing
    assert client.get(f"/attendance/sessions/{far_session.id}").status_code == 404
    assert client.get(record_url(far_session, w["far"])).status_code == 403


def test_the_record_page_shows_the_history_and_lets_the_manager_correct(client, login_as):
    w = make_world()
    m = w["members"]
    login_as(w["manager"])
    token = csrf_token(client, form_url(w["session"]))
    client.post(
        form_url(w["session"]),
        data={
            "status": "attended",
            "headcount": "2",
            "member_ids": [str(m[0].id)],
            "csrf_token": token,
        },
    )
    clock.freeze(AFTER_CLASS + timedelta(hours=2))
    page = client.get(record_url(w["session"], w["center"]))
    html = page.get_data(as_text=True)
    assert (
        page.status_code == 200
        and "변경 기록" in html
        and "태블릿" in html
        and "기록 고치기" in html
    )
    response = client.post(
        record_url(w["session"], w["center"]),
        data={
            "status": "technical_issue",
            "headcount": "3",
            "member_ids": [str(m[0].id), str(m[1].id)],
            "note": "소리가 끊김",
            "csrf_token": token,
        },
    )
    assert response.status_code == 302
    record = db.session.scalar(sa.select(Attendance))
    assert (record.status, record.headcount, record.note, record.source) == (
        "technical_issue",
        3,
        "소리가 끊김",
        "page",
    )
    html = client.get(record_url(w["session"], w["center"])).get_data(as_text=True)
    assert "웹 페이지" in html and "수정" in html and "참여 → 접속 장애" in html
    assert f"{m[0].name} → {m[0].name}, {m[1].name}" in html


def test_the_record_page_is_read_only_for_viewers_and_scoped_for_managers(client, login_as):
    w = make_world()
    AttendanceFactory(session_obj=w["session"], center=w["center"], status="attended", headcount=5)
    login_as(w["viewer"])
    html = client.get(record_url(w["session"], w["center"])).get_data(as_text=True)
    assert "5명" in html and "기록 고치기" not in html
    token = csrf_token(client, "/home")
    refused = client.post(
        record_url(w["session"], w["center"]),
        data={"status": "absent", "headcount": "0", "csrf_token": token},
    )
    assert refused.status_code == 403
    client.post("/auth/logout", data={"csrf_token": token})

    login_as(w["neighbour_manager"])
    assert client.get(record_url(w["session"], w["center"])).status_code == 403
    token = csrf_token(client, "/home")
    refused = client.post(
        record_url(w["session"], w["center"]),
        data={"status": "absent", "headcount": "0", "csrf_token": token},
    )
    assert refused.status_code == 403
    assert db.session.scalar(sa.select(Attendance.status)) == "attended"


def test_after_the_window_the_manager_may_no_longer_correct(client, login_as):
    w = make_world()
    AttendanceFactory(session_obj=w["session"], center=w["center"], status="attended", headcount=5)
    clock.freeze(w["session"].ends_at + timedelta(days=8))
    login_as(w["manager"])
    html = client.get(record_url(w["session"], w["center"])).get_data(as_text=True)
    assert "수정 기간(수업 후 7일)이 지났습니다" in html
    assert "수정 기간(수업 후 7일)이 지났습니다" in client.get(form_url(w["session"])).get_data(
        as_text=True
    )


def test_menu_entries(client, login_as):
    w = make_world()
    login_as(w["manager"])
    home = client.get("/home").get_data(as_text=True)
    assert 'href="/tablet/attendance"' in home and 'href="/members"' in home
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/home")})
    login_as(w["coordinator"])
    assert 'href="/attendance"' in client.get("/home").get_data(as_text=True)


def test_the_record_page_of_a_center_not_invited_is_404(client, login_as):
    w = make_world()
    login_as(w["coordinator"])
    assert client.get(record_url(w["session"], w["far"])).status_code == 404


def test_the_sessions_page_says_a_date_is_not_valid_or_the_period_is_reversed(client, login_as):
    w = make_world()
    login_as(w["coordinator"])
    bad = client.get("/attendance?from=xx")
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert "시작일: 날짜는 YYYY-MM-DD 형식으로 입력하세요." in html
    assert "기간의 끝이 시작보다 빠릅니다." not in html
    assert 'value="xx"' in html  # what was typed stays in the field
    reversed_ = client.get("/attendance?from=2026-11-20&to=2026-11-01")
    assert reversed_.status_code == 422
    assert "기간의 끝이 시작보다 빠릅니다." in reversed_.get_data(as_text=True)
    assert "이 기간에 시작된 수업이 없습니다." not in reversed_.get_data(as_text=True)
    assert client.get("/attendance?from=2026-11-20&to=2026-11-24").status_code == 200
