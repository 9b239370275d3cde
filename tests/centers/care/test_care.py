"""Care follow-ups: detection (absence streaks, drops against the member's own baseline, silent
centers), idempotent scans, the CLI, the worklist page and the API, with scope."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app import audit
from app.auth.models import Role
from app.extensions import db
from centers.care import services as care
from centers.care.models import FollowUp
from tests.centers.reports.report_data import record
from tests.conftest import csrf_token
from tests.factories import CenterFactory, MemberFactory, SessionFactory, UserFactory


@pytest.fixture(autouse=True)
def _request(app):
    with app.test_request_context():
        yield


def weekdays(start: date, end: date) -> list[date]:
    days, day = [], start
    while day <= end:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def attended(center, day, members, others=()):
    session = SessionFactory(date=day, centers=[center, *others])
    record(session, center, "attended", max(len(members), 1), members)
    return session


@pytest.fixture
def streak_center():
    """Nine attended sessions 11-02..11-12; 김순자 came 4 of the first 6, then missed the last 3."""
    center = CenterFactory(name="봉성2리 경로당")
    regular = MemberFactory(center=center, name="김순자")
    always = MemberFactory(center=center, name="이영자")
    sometimes = MemberFactory(center=center, name="박정순")
    present = {date(2026, 11, 2), date(2026, 11, 4), date(2026, 11, 6), date(2026, 11, 9)}
    for day in weekdays(date(2026, 11, 2), date(2026, 11, 12)):
        members = [always] + ([regular] if day in present else [])
        if day in (date(2026, 11, 3), date(2026, 11, 5)):
            members.append(sometimes)
        attended(center, day, members)
    center.always = always
    return center, regular


def _follow_ups(kind=None):
    stmt = sa.select(FollowUp).order_by(FollowUp.id)
    if kind:
        stmt = stmt.where(FollowUp.kind == kind)
    return list(db.session.scalars(stmt))


def test_absence_streak_of_a_regular(streak_center):
    center, regular = streak_center
    created = care.scan(date(2026, 11, 13))
    db.session.commit()
    assert created["absence_streak"] == 1
    (item,) = _follow_ups("absence_streak")
    assert (item.member_id, item.center_id, item.county_id, item.status) == (
        regular.id,
        center.id,
        center.county_id,
        "open",
    )
    assert item.details["last_present"] == "2026-11-09"
    assert (item.details["missed_from"], item.details["missed_to"]) == ("2026-11-10", "2026-11-12")
    assert "연속으로 나오지 않았습니다" in item.reason
    assert audit.history("follow_up", item.id)[0].source == "cli"


def test_scan_is_idempotent_and_a_resolved_streak_stays_resolved(streak_center):
    center, regular = streak_center
    care.scan(date(2026, 11, 13))
    db.session.commit()
    assert care.scan(date(2026, 11, 13))["absence_streak"] == 0
    item = _follow_ups("absence_streak")[0]
    coordinator = UserFactory(role=Role.COORDINATOR)
    care.update_follow_up(
        coordinator, item, status="resolved", note="전화 통화, 병원 입원 중", outcome="contacted"
    )
    db.session.commit()
    assert care.scan(date(2026, 11, 13))["absence_streak"] == 0  # the same streak: not raised again
    # She came back on 11-13, then missed three more: a new streak.
    attended(center, date(2026, 11, 13), [regular, center.always])
    for day in (date(2026, 11, 16), date(2026, 11, 17), date(2026, 11, 18)):
        attended(center, day, [center.always])
    assert care.scan(date(2026, 11, 18))["absence_streak"] == 1
    db.session.commit()
    assert len(_follow_ups("absence_streak")) == 2


def test_no_streak_without_member_lists_or_for_occasional_members():
    center = CenterFactory()
    member = MemberFactory(center=center)
    for day in weekdays(date(2026, 11, 2), date(2026, 11, 6)):
        attended(center, day, [member])
    for day in weekdays(date(2026, 11, 9), date(2026, 11, 12)):
        session = SessionFactory(date=day, centers=[center])
        record(session, center, "attended", 8)  # headcount only, no list: nothing can be said
    assert care.scan(date(2026, 11, 13))["absence_streak"] == 0


def test_attendance_drop_against_own_baseline():
    center = CenterFactory(name="물야면 오록1리 경로당")
    dropping = MemberFactory(center=center, name="최옥순")
    steady = MemberFactory(center=center, name="정말순")
    recent_from = date(2026, 11, 13) - timedelta(days=27)
    recent_days = weekdays(recent_from, date(2026, 11, 13))
    for day in weekdays(date(2026, 9, 21), recent_from - timedelta(days=1)):
        attended(center, day, [dropping, steady])
    for index, day in enumerate(recent_days):
        came = index % 4 == 3 or day == recent_days[-1]
        attended(center, day, [steady] + ([dropping] if came else []))
    created = care.scan(date(2026, 11, 13))
    db.session.commit()
    assert created == {"absence_streak": 0, "attendance_drop": 1, "center_silent": 0}
    (item,) = _follow_ups("attendance_drop")
    assert item.member_id == dropping.id and item.details["base_rate"] == 100
    assert item.details["recent_rate"] <= 30
    assert care.scan(date(2026, 11, 13))["attendance_drop"] == 0


def test_silent_center():
    quiet = CenterFactory(name="조용한 경로당")
    other = CenterFactory(county=quiet.county, name="잘 나오는 경로당")
    inactive = CenterFactory(county=quiet.county, name="쉬는 경로당", active=False)
    for day in weekdays(date(2026, 11, 2), date(2026, 11, 9)):
        session = SessionFactory(date=day, centers=[quiet, other, inactive])
        record(session, other, "attended", 9)
    created = care.scan(date(2026, 11, 9))
    db.session.commit()
    assert created["center_silent"] == 1
    (item,) = _follow_ups("center_silent")
    assert item.center_id == quiet.id and item.member_id is None and item.details["days"] == 6
    assert care.scan(date(2026, 11, 10))["center_silent"] == 0


def test_cli_scan(app, streak_center):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["care", "scan", "--date", "2026-11-13"])
    assert result.exit_code == 0, result.output
    assert "absence_streak 1" in result.output
    result = runner.invoke(args=["care", "scan", "--date", "2026-11-13"])
    assert "absence_streak 0" in result.output
    assert len(_follow_ups()) == 1


# --- API and page ----------------------------------------------------------------------------


@pytest.fixture
def two_counties(streak_center):
    center, regular = streak_center
    elsewhere = CenterFactory(name="위도면 진리 경로당")
    for day in weekdays(date(2026, 11, 2), date(2026, 11, 12)):
        SessionFactory(date=day, centers=[elsewhere])
    care.scan(date(2026, 11, 13))
    db.session.commit()
    mine = _follow_ups("absence_streak")[0]
    theirs = next(f for f in _follow_ups("center_silent") if f.center_id == elsewhere.id)
    viewer = UserFactory(role=Role.COUNTY_VIEWER, county_id=center.county_id)
    return mine, theirs, viewer


def test_api_lists_and_works_follow_ups_in_scope(client, make_token, two_counties):
    mine, theirs, viewer = two_counties
    headers = make_token(viewer)
    listed = client.get("/api/v1/care/follow-ups", headers=headers)
    assert listed.status_code == 200
    ids = [f["id"] for f in listed.json]
    assert mine.id in ids and theirs.id not in ids
    item = next(f for f in listed.json if f["id"] == mine.id)
    assert set(item) >= {
        "id",
        "kind",
        "center_id",
        "member_id",
        "status",
        "reason",
        "created_at",
        "updated_at",
    }
    assert item["kind"] == "absence_streak" and item["status"] == "open"
    assert (
        client.get(
            f"/api/v1/care/follow-ups?county_id={theirs.county_id}", headers=headers
        ).status_code
        == 403
    )
    assert client.get("/api/v1/care/follow-ups?county_id=99999", headers=headers).status_code == 404
    assert client.get("/api/v1/care/follow-ups?status=resolved", headers=headers).json == []

    patched = client.patch(
        f"/api/v1/care/follow-ups/{mine.id}",
        json={"status": "in_progress", "note": "내일 방문 예정"},
        headers=headers,
    )
    assert patched.status_code == 200 and patched.json["status"] == "in_progress"
    resolved = client.patch(
        f"/api/v1/care/follow-ups/{mine.id}",
        json={"status": "resolved", "note": "방문함: 건강함"},
        headers=headers,
    )
    assert resolved.json["status"] == "resolved" and resolved.json["resolved_at"]
    entries = audit.history("follow_up", mine.id)
    assert [e.after["status"] for e in entries] == ["open", "in_progress", "resolved"]
    assert entries[-1].before["status"] == "in_progress" and entries[-1].source == "api"
    assert entries[-1].user_id == viewer.id and entries[-1].after["note"] == "방문함: 건강함"

    assert (
        client.patch(
            f"/api/v1/care/follow-ups/{theirs.id}", json={"status": "resolved"}, headers=headers
        ).status_code
        == 403
    )
    assert (
        client.patch(
            "/api/v1/care/follow-ups/99999", json={"status": "resolved"}, headers=headers
        ).status_code
        == 404
    )
    bad = client.patch(
        f"/api/v1/care/follow-ups/{mine.id}", json={"status": "done"}, headers=headers
    )
    assert bad.status_code == 422 and bad.json["error"]["details"]["field"] == "status"


def test_api_roles(client, make_token, two_counties):
    mine, theirs, _viewer = two_counties
    coordinator = make_token(UserFactory(role=Role.COORDINATOR))
    ids = {f["id"] for f in client.get("/api/v1/care/follow-ups", headers=coordinator).json}
    assert {mine.id, theirs.id} <= ids
    manager = make_token(UserFactory(role=Role.CENTER_MANAGER, center_id=mine.center_id))
    assert client.get("/api/v1/care/follow-ups", headers=manager).status_code == 403
    assert client.get("/api/v1/care/follow-ups").status_code == 401


def test_worklist_page(client, login_as, two_counties):
    mine, theirs, viewer = two_counties
    login_as(viewer)
    html = client.get("/care/").get_data(as_text=True)
    assert f'id="follow-up-{mine.id}"' in html and "김순자" in html
    assert f'id="follow-up-{theirs.id}"' not in html and "위도면" not in html
    token = csrf_token(client, "/care/")
    response = client.post(
        f"/care/{mine.id}",
        data={
            f"f{mine.id}-csrf_token": token,
            f"f{mine.id}-status": "resolved",
            f"f{mine.id}-outcome": "visited",
            f"f{mine.id}-note": "방문해서 만남",
            "next": "/care/?view=all",
        },
    )
    assert response.status_code == 302 and response.location == "/care/?view=all"
    db.session.refresh(mine)
    assert (mine.status, mine.outcome, mine.note) == ("resolved", "visited", "방문해서 만남")
    assert audit.history("follow_up", mine.id)[-1].source == "page"
    assert f'id="follow-up-{mine.id}"' not in client.get("/care/").get_data(as_text=True)
    assert "방문해서 만남" in client.get("/care/?view=resolved").get_data(as_text=True)
    assert (
        client.post(
            f"/care/{theirs.id}",
            data={f"f{theirs.id}-csrf_token": token, f"f{theirs.id}-status": "resolved"},
        ).status_code
        == 403
    )
    assert client.get(f"/care/?county_id={theirs.county_id}").status_code == 403


def test_a_note_over_the_limit_is_refused_naming_it_and_the_text_stays(client, login_as, two_counties):
    mine, _theirs, viewer = two_counties
    login_as(viewer)
    token = csrf_token(client, "/care/")
    typed = "오늘 전화 드렸더니 " + "가" * 2000
    response = client.post(
        f"/care/{mine.id}",
        data={
            f"f{mine.id}-csrf_token": token,
            f"f{mine.id}-status": "in_progress",
            f"f{mine.id}-note": typed,
            "next": "/care/",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "메모는 2000자까지 쓸 수 있습니다." in html
    assert typed in html  # what was typed is in the textarea again
    assert 'aria-invalid="true"' in html
    db.session.refresh(mine)
    assert (mine.status, mine.note) == ("open", "")


def test_reasons_are_written_in_the_readers_language_from_the_stored_figures(client, login_as, two_counties):
    mine, _theirs, viewer = two_counties
    assert mine.details["recent"] == 3 and mine.details["base"] == 6
    login_as(viewer)
    korean = client.get("/care/").get_data(as_text=True)
    assert "연속으로 나오지 않았습니다" in korean
    with client.session_transaction() as browser_session:
        browser_session["lang"] = "en"
    english = client.get("/care/").get_data(as_text=True)
    assert "연속으로 나오지 않았습니다" not in english
    assert "in a row" in english
