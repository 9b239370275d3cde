"""The scheduling script loads and its buttons do what they say: the center picker's
"모두 고르기", "모두 빼기" and "군 전체", and the timetable's print button."""

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
    bonghwa = CountyFactory(name="봉화군")
    buan = CountyFactory(name="부안군")
    return {
        "bonghwa": bonghwa,
        "bonghwa_centers": [
            CenterFactory(county=bonghwa, name="봉성2리 경로당"),
            CenterFactory(county=bonghwa, name="물야면 오록1리 경로당"),
        ],
        "buan_centers": [
            CenterFactory(county=buan, name="위도 경로당"),
            CenterFactory(county=buan, name="줄포 경로당"),
        ],
        "program": ProgramFactory(title="웃음치료"),
        "instructor": InstructorFactory(name="김미숙"),
        "coordinator": UserFactory(role=Role.COORDINATOR, username="coord"),
    }


def _center_boxes(page):
    return page.locator('input[name="center_ids"]')


def _checked(page) -> list[bool]:
    boxes = _center_boxes(page)
    return [boxes.nth(i).is_checked() for i in range(boxes.count())]


def test_picker_buttons_and_whole_county_box_save_exactly_one_county(live_server, page, world):
    login(page, live_server, "coord")
    page.goto(f"{live_server.url}/sessions/new?date=2026-09-21")
    assert _checked(page) == [True, True, True, True]

    page.get_by_role("button", name="모두 빼기").click()
    assert _checked(page) == [False, False, False, False]
    page.get_by_role("button", name="모두 고르기").click()
    assert _checked(page) == [True, True, True, True]
    page.get_by_role("button", name="모두 빼기").click()

    page.get_by_label("봉화군 전체 (2곳)").check()
    for center in world["bonghwa_centers"]:
        assert page.locator(f"#center-{center.id}").is_checked()
    for center in world["buan_centers"]:
        assert not page.locator(f"#center-{center.id}").is_checked()
    page.get_by_label("봉화군 전체 (2곳)").uncheck()
    assert _checked(page) == [False, False, False, False]
    page.get_by_label("봉화군 전체 (2곳)").check()

    page.get_by_role("button", name="초안으로 추가").click()
    page.wait_for_url("**/weeks/2026-W39")
    session = db.session.scalars(sa.select(Session)).one()
    assert session.center_ids == sorted(
        c.id for c in world["bonghwa_centers"]
    )


def test_repeat_form_picker_buttons(live_server, page, world):
    login(page, live_server, "coord")
    page.goto(f"{live_server.url}/sessions/repeat")
    page.get_by_role("button", name="모두 고르기").click()
    assert all(_checked(page))
    page.get_by_role("button", name="모두 빼기").click()
    assert not any(_checked(page))


def test_timetable_print_button_opens_the_print_dialog(live_server, page, world):
    page.add_init_script("window.__printed = 0; window.print = function () { window.__printed++; };")
    login(page, live_server, "coord")
    center = world["bonghwa_centers"][0]
    page.goto(f"{live_server.url}/centers/{center.id}/timetable?week=2026-W39")
    assert page.evaluate("window.__printed") == 0
    page.get_by_role("button", name="인쇄하기").click()
    assert page.evaluate("window.__printed") == 1
