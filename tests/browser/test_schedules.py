"""Coordinators build a week in the browser — hitting a holiday and a conflict on the way —,
publish it, and a center manager then sees it; axe-core checks the week page and the forms."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from app import clock
from app.auth.models import Role
from app.extensions import db
from programs.schedule.models import Session
from tests.browser.conftest import login
from tests.factories import (
    CenterFactory,
    CountyFactory,
    InstructorFactory,
    ProgramFactory,
    UserFactory,
)


@pytest.fixture
def world():
    clock.freeze(datetime(2026, 9, 14, 0, 0, tzinfo=UTC))  # Monday of 2026-W38, 09:00 in Seoul
    county = CountyFactory(name="봉화군")
    a = CenterFactory(county=county, name="봉성2리 경로당")
    b = CenterFactory(county=county, name="물야면 오록1리 경로당")
    return {
        "a": a,
        "b": b,
        "program": ProgramFactory(title="웃음치료"),
        "instructor": InstructorFactory(name="김미숙"),
        "coordinator": UserFactory(role=Role.COORDINATOR, username="coord"),
        "manager": UserFactory(
            role=Role.CENTER_MANAGER, username="manager", center_id=a.id, county_id=county.id
        ),
    }


def test_build_a_week_hit_a_holiday_and_a_conflict_publish_and_see_it(
    live_server, page, axe, world
):
    login(page, live_server, "coord")
    page.goto(f"{live_server.url}/weeks/2026-W39")
    thursday = page.locator("thead th").nth(4)
    assert "추석 전날" in thursday.inner_text()
    assert "추석" in page.locator("thead th").nth(5).inner_text()
    axe.assert_accessible(page)

    # Monday: add a session from the grid with the defaults (10:00, the program's length, centers).
    page.get_by_role("link", name="+ 추가 9월 21일 (월)").click()
    assert page.locator("#start").input_value() == "10:00"
    assert page.locator(f"#center-{world['a'].id}").is_checked()
    assert page.locator(f"#center-{world['b'].id}").is_checked()
    axe.assert_accessible(page)
    page.get_by_role("button", name="초안으로 추가").click()
    page.wait_for_url("**/weeks/2026-W39")
    card = page.locator(".session-card").first
    assert (
        "웃음치료" in card.inner_text()
        and "김미숙" in card.inner_text()
        and "초안" in card.inner_text()
    )

    # Thursday is Chuseok eve: the server refuses and names the holiday.
    page.goto(f"{live_server.url}/sessions/new?date=2026-09-24")
    page.get_by_role("button", name="초안으로 추가").click()
    alert = page.get_by_role("alert")
    assert "추석 전날" in alert.inner_text()
    axe.assert_accessible(page)

    # Monday 10:30, same instructor, another center: a conflict, linking the first session.
    page.fill("#date", "2026-09-21")
    page.fill("#start", "10:30")
    page.get_by_role("button", name="모두 빼기").click()
    page.check(f"#center-{world['b'].id}")
    page.get_by_role("button", name="초안으로 추가").click()
    alert = page.get_by_role("alert")
    assert "같은 시간에" in alert.inner_text()
    first_id = db.session.scalar(sa.select(Session.id))
    assert alert.locator(f'a[href="/sessions/{first_id}"]').count() == 1

    # Publish the week.
    page.goto(f"{live_server.url}/weeks/2026-W39")
    page.get_by_role("button", name="이 주 게시하기 (초안 1개)").click()
    assert "수업 1개를 게시했습니다." in page.locator(".flashes").inner_text()
    assert "게시됨" in page.locator(".session-card").first.inner_text()
    page.get_by_role("button", name="로그아웃").click()

    # The center's manager sees the published week, read-only.
    login(page, live_server, "manager")
    page.goto(f"{live_server.url}/weeks/2026-W39")
    card = page.locator(".session-card")
    assert card.count() == 1 and "웃음치료" in card.inner_text()
    assert page.get_by_role("link", name="수업 추가").count() == 0
    assert page.get_by_role("button", name="이 주로 복사").count() == 0
    axe.assert_accessible(page)
    page.get_by_role("link", name="이 주 시간표 인쇄하기").click()
    assert page.locator(".timetable h1").inner_text() == "봉성2리 경로당"
    assert page.locator(".timetable__qr svg").count() == 1
    axe.assert_accessible(page)


def test_copy_a_week_and_read_the_skips(live_server, page, axe, world):
    login(page, live_server, "coord")
    for day in ("2026-09-14", "2026-09-18"):
        page.goto(f"{live_server.url}/sessions/new?date={day}")
        page.get_by_role("button", name="초안으로 추가").click()
        page.wait_for_url("**/weeks/2026-W38")
    page.goto(f"{live_server.url}/weeks/2026-W39")
    page.fill("#from_week", "2026-W38")
    page.get_by_role("button", name="이 주로 복사").click()
    assert "초안 1개를 만들었습니다." in page.locator("main").inner_text()
    skipped = page.locator("table.skipped tbody tr")
    assert skipped.count() == 1 and "추석" in skipped.first.inner_text()
    axe.assert_accessible(page)


@pytest.mark.parametrize(
    "path", ["/sessions/repeat", "/programs", "/instructors", "/closures", "/calendar-feeds"]
)
def test_coordinator_forms_are_accessible(live_server, page, axe, world, path):
    login(page, live_server, "coord")
    response = page.goto(f"{live_server.url}{path}")
    assert response.ok
    axe.assert_accessible(page)


def test_repeat_form_reports_skipped_dates(live_server, page, world):
    login(page, live_server, "coord")
    page.goto(f"{live_server.url}/sessions/repeat")
    page.fill("#from_", "2026-09-21")
    page.fill("#until", "2026-10-09")
    for code in ("TU", "WE", "TH"):
        page.uncheck(f"#weekday-{code}")
    page.check(f"#center-{world['a'].id}")
    page.get_by_role("button", name="반복 일정 만들기").click()
    text = page.locator("#result-title").inner_text()
    assert text == "만든 수업 3개"
    reasons = page.locator("table.skipped tbody tr")
    assert reasons.count() == 3
    assert (
        "추석" in reasons.nth(0).inner_text() and "개천절 대체 휴일" in reasons.nth(1).inner_text()
    )
