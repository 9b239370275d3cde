"""Destructive actions ask first: the button leads to a confirmation page, which does it."""

import sqlalchemy as sa

from app.extensions import db
from centers.members.models import Member
from programs.schedule.models import Session
from tests.browser.conftest import assert_accessible, login
from tests.centers.attendance.test_attendance_api import make_world


def test_deleting_a_member_and_cancelling_a_session_go_through_a_confirmation_page(live_server, page):
    w = make_world()
    member_id = w["members"][2].id
    login_as = w["coordinator"]
    login(page, live_server, login_as.username)

    page.goto(f"{live_server.url}/centers/{w['center'].id}/members/{member_id}")
    page.get_by_role("link", name="명단에서 삭제").click()
    assert "명단에서 삭제할까요?" in page.locator("main").inner_text()
    assert db.session.scalar(sa.select(Member.id).where(Member.id == member_id)) == member_id
    assert_accessible(page)
    page.get_by_role("link", name="취소").click()  # going back changes nothing
    page.get_by_role("link", name="명단에서 삭제").click()
    page.get_by_role("button", name="삭제").click()
    assert "명단에서 삭제했습니다" in page.locator(".flashes").inner_text()
    db.session.expire_all()
    assert db.session.scalar(sa.select(Member.id).where(Member.id == member_id)) is None

    session_id = w["session"].id
    page.goto(f"{live_server.url}/sessions/{session_id}")
    page.get_by_label("취소 사유").fill("강사 병가")
    page.get_by_role("button", name="수업 취소하기").click()
    assert "수업을 취소할까요?" in page.locator("main").inner_text()
    assert page.get_by_label("취소 사유").input_value() == "강사 병가"
    db.session.expire_all()
    assert db.session.get(Session, session_id).status == "published"
    page.get_by_role("button", name="수업 취소하기").click()
    assert "수업을 취소했습니다." in page.locator(".flashes").inner_text()
    db.session.expire_all()
    cancelled = db.session.get(Session, session_id)
    assert (cancelled.status, cancelled.cancel_reason) == ("cancelled", "강사 병가")
