"""Paths people looked for: yesterday's record from the tablet and the menu, a back link that
says where it leads, and home-page session rows that open the session."""

from datetime import date, datetime, time, timedelta

from playwright.sync_api import expect

from app import clock
from app.clock import SEOUL
from tests.browser.conftest import assert_accessible, login
from tests.centers.attendance.test_attendance_api import make_world
from tests.factories import SessionFactory


def _yesterday_world():
    w = make_world()
    clock.freeze(datetime(2026, 11, 25, 9, 0, tzinfo=SEOUL))  # the morning after the class
    w["today"] = SessionFactory(centers=[w["center"]], date=date(2026, 11, 25), start_time=time(14, 0),
                                program__title="오늘의 노래 교실")
    w["old"] = SessionFactory(centers=[w["center"]], date=date(2026, 11, 24) - timedelta(days=10),
                              program__title="지난달 체조")
    return w


def test_a_manager_reaches_yesterdays_record_from_the_tablet_and_the_menu(live_server, page):
    w = _yesterday_world()
    login(page, live_server, w["manager"].username)

    page.goto(f"{live_server.url}/tablet")
    page.get_by_role("link", name="최근 출석 기록 보기·고치기").click()
    heading = page.locator("h1").inner_text()
    assert heading == "최근 출석 기록"
    assert page.title().startswith("최근 출석 기록")
    items = page.locator(".t-day__item")
    assert items.count() == 2  # today's class and yesterday's; the one past the window is not
    assert "지난달 체조" not in page.locator("main").inner_text()
    assert "11월 24일" in page.locator(".t-day__date").nth(1).inner_text()
    assert_accessible(page)

    page.locator(".t-day__item", has_text=w["session"].program.title).get_by_role("link").click()
    page.locator('label[for="status-attended"]').click()
    assert page.locator("#save-button").is_enabled()  # still correctable
    back = page.locator(".t-back a")
    assert back.inner_text() == "← " + heading  # the link says where it leads
    back.click()
    expect(page.locator("h1")).to_have_text(heading)  # once the list has loaded again

    page.goto(f"{live_server.url}/home")
    page.locator("nav").get_by_role("link", name="출석 기록", exact=True).click()
    expect(page.locator("h1")).to_have_text(heading)  # the menu's link leads to the same list
    expect(page.locator(".t-day__item", has_text=w["session"].program.title)).to_have_count(1)


def test_home_page_session_rows_open_the_session(live_server, page):
    w = _yesterday_world()
    for role in ("manager", "coordinator", "viewer", "instructor"):
        user = w[role]
        if role == "instructor":
            w["today"].instructor_id = user.instructor_id
            from app.extensions import db

            db.session.commit()
        page.context.clear_cookies()
        login(page, live_server, user.username)
        page.goto(f"{live_server.url}/home")
        link = page.locator("main table a", has_text="오늘의 노래 교실").first
        link.click()
        page.wait_for_url(f"**/sessions/{w['today'].id}")
        assert "오늘의 노래 교실" in page.locator("main").inner_text(), role
