"""The tablet attendance form in Chromium: taps only, accessible, and offline first."""

import sqlalchemy as sa

from app.audit import AuditLog
from app.extensions import db
from centers.attendance.models import Attendance
from tests.browser.conftest import assert_accessible, login
from tests.centers.attendance.test_attendance_api import make_world

SAVE_TIMEOUT_MS = 20_000


def _form(live_server, w) -> str:
    return f"{live_server.url}/tablet/sessions/{w['session'].id}/attendance"


def _records():
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Attendance).where(Attendance.status.is_not(None))))


def _audit_count() -> int:
    return db.session.scalar(
        sa.select(sa.func.count(AuditLog.id)).where(AuditLog.entity_type == "attendance")
    )


def test_the_form_completes_with_taps_only_and_is_accessible(live_server, tablet_page):
    w = make_world()
    page = tablet_page
    login(page, live_server, w["manager"].username)
    page.goto(_form(live_server, w))
    assert_accessible(page)

    headcount = page.locator("#headcount")
    assert (
        headcount.evaluate("el => el.readOnly") and headcount.get_attribute("inputmode") == "none"
    )
    page.locator('label[for="status-technical_issue"]').tap()
    page.locator("#mark-regulars").tap()  # no history yet: every active member
    assert headcount.input_value() == "3"
    page.locator('.t-step[data-step="-1"]').tap()  # never below the ticked members
    assert headcount.input_value() == "3"
    assert "적게 할 수 없습니다" in page.locator("#headcount-hint").inner_text()
    page.locator(f'label[for="member-{w["members"][2].id}"]').tap()  # untick one: the count follows
    assert headcount.input_value() == "2"
    for _ in range(3):
        page.locator('.t-step[data-step="1"]').tap()  # three guests
    assert headcount.input_value() == "5"
    page.locator("#save-button").tap()

    state = page.locator("#save-state")
    state.locator("text=저장됨").wait_for(timeout=SAVE_TIMEOUT_MS)
    assert state.get_attribute("data-state") == "saved"
    assert "접속 장애, 5명" in state.inner_text()
    assert_accessible(page)

    [record] = _records()
    assert (record.status, record.headcount, record.source) == ("technical_issue", 5, "tablet")
    assert record.member_ids == sorted([w["members"][0].id, w["members"][1].id])


def test_offline_record_survives_a_reload_and_is_sent_when_back_online(live_server, tablet_page):
    w = make_world()
    page = tablet_page
    login(page, live_server, w["manager"].username)
    page.goto(f"{live_server.url}/tablet/attendance")
    page.locator("html[data-offline-ready]").wait_for(state="attached", timeout=SAVE_TIMEOUT_MS)
    page.goto(_form(live_server, w))
    page.locator("html[data-offline-ready]").wait_for(state="attached", timeout=SAVE_TIMEOUT_MS)

    page.context.set_offline(True)
    page.locator('label[for="status-attended"]').tap()
    m = w["members"]
    page.locator(f'label[for="member-{m[0].id}"]').tap()
    page.locator(f'label[for="member-{m[1].id}"]').tap()
    page.locator('.t-step[data-step="1"]').tap()
    page.locator("#save-button").tap()
    state = page.locator("#save-state")
    state.locator("text=전송 대기 중").wait_for(timeout=SAVE_TIMEOUT_MS)
    assert _records() == []

    # Reloaded while offline: the service worker serves the stored page, the outbox restores it.
    page.reload()
    assert page.locator("#ieum-offline").get_attribute("data-page-source") == "cache"
    state.locator("text=전송 대기 중").wait_for(timeout=SAVE_TIMEOUT_MS)
    assert page.locator("#status-attended").is_checked()
    assert (
        page.locator(f"#member-{m[0].id}").is_checked()
        and page.locator(f"#member-{m[1].id}").is_checked()
    )
    assert not page.locator(f"#member-{m[2].id}").is_checked()
    assert page.locator("#headcount").input_value() == "3"
    assert "전송 대기 중인 기록: 1건" in page.locator("#ieum-offline").inner_text()
    assert _records() == []

    page.context.set_offline(False)
    state.locator("text=저장됨").wait_for(timeout=SAVE_TIMEOUT_MS)
    [record] = _records()
    assert (record.status, record.headcount, record.source) == ("attended", 3, "tablet")
    assert record.member_ids == sorted([m[0].id, m[1].id])
    assert _audit_count() == 1
    assert db.session.scalar(sa.select(sa.func.count(Attendance.id))) == 1


def test_the_day_list_and_the_record_page_are_accessible(live_server, page):
    w = make_world()
    login(page, live_server, w["manager"].username)
    page.goto(f"{live_server.url}/tablet/attendance")
    assert page.locator(".t-day__item").count() == 1
    assert_accessible(page)
    page.goto(f"{live_server.url}/attendance/sessions/{w['session'].id}/centers/{w['center'].id}")
    assert_accessible(page)
    page.goto(f"{live_server.url}/centers/{w['center'].id}/members")
    assert_accessible(page)
