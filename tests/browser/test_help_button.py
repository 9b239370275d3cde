"""The tablet's "도움 요청" in a real browser: one tap, a clear confirmation in place (also
inside the room, without leaving the call), the request on the server; the IFrame stand-in
drops out and comes back (one disconnect); a room that cannot be entered offers help too."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app import clock
from app.auth.models import Role
from app.extensions import db
from centers.attendance.models import Attendance
from centers.live.models import HelpRequest
from tests.browser.conftest import login
from tests.browser.test_tablet import _wait_for, external_api  # noqa: F401  (fixture)
from tests.factories import CenterFactory, ProgramFactory, SessionFactory, UserFactory

SECRET = "browser-test-secret-long-enough-for-hs256"
START = clock.local_datetime(date(2026, 11, 24), SessionFactory.start_time)
DONE = "도움을 요청했습니다 — 담당자가 연락드립니다"


@pytest.fixture
def world(app_config, external_api):  # noqa: F811
    app_config(JITSI_MODE="selfhosted", JITSI_DOMAIN="meet.example.org", JITSI_APP_ID="ieum",
               JITSI_APP_SECRET=SECRET, JITSI_EXTERNAL_API_URL=external_api)
    clock.freeze(START - timedelta(minutes=5))
    center = CenterFactory(name="봉성2리 경로당")
    session = SessionFactory(centers=[center], program=ProgramFactory(title="웃음치료"))
    UserFactory(role=Role.CENTER_MANAGER, center_id=center.id, username="manager")
    return {"center": center, "session": session}


def _requests(session):
    return db.session.scalars(sa.select(HelpRequest).where(HelpRequest.session_id == session.id)).all()


def test_one_tap_asks_for_help_on_the_home_and_in_the_room(tablet_page, live_server, axe, world):
    session, center = world["session"], world["center"]
    login(tablet_page, live_server, "manager")
    tablet_page.goto(f"{live_server.url}/tablet")
    hero = tablet_page.locator(".tablet-hero")
    help_button = hero.get_by_role("button", name="도움 요청")
    assert help_button.is_visible()
    assert help_button.bounding_box()["height"] >= 64
    axe.assert_accessible(tablet_page)

    help_button.tap()
    status = hero.locator("[data-help-status]")
    status.filter(has_text=DONE).wait_for()
    assert tablet_page.url.endswith("/tablet")  # in place, no reload
    requests = _wait_for(lambda: _requests(session))
    assert [(r.center_id, r.resolved_at) for r in requests] == [(center.id, None)]
    axe.assert_accessible(tablet_page)

    # In the room: the bar has the button too; tapping it keeps the call and asks nothing new.
    tablet_page.get_by_role("button", name="입장하기").tap()
    tablet_page.wait_for_function("() => window.__jitsi && window.__jitsi.calls.length === 1")
    room_help = tablet_page.locator("#room").get_by_role("button", name="도움 요청")
    assert room_help.is_visible()
    room_help.tap()
    tablet_page.locator("#room [data-help-status]").filter(has_text=DONE).wait_for()
    assert tablet_page.locator("#room").is_visible()
    assert tablet_page.evaluate("() => window.__jitsi.commands") == []  # no hang-up
    assert len(_requests(session)) == 1


def test_a_drop_and_its_comeback_count_one_disconnect(tablet_page, live_server, world):
    session, center = world["session"], world["center"]
    login(tablet_page, live_server, "manager")
    tablet_page.goto(f"{live_server.url}/tablet")
    tablet_page.get_by_role("button", name="입장하기").tap()
    tablet_page.wait_for_function("() => window.__jitsi && window.__jitsi.calls.length === 1")

    def record():
        return db.session.scalar(sa.select(Attendance).where(
            Attendance.session_id == session.id, Attendance.center_id == center.id))

    _wait_for(lambda: record() and record().joined_at)
    tablet_page.evaluate("() => window.__jitsi.drop()")  # the conference ends, not by the user
    tablet_page.locator("#room-status").filter(has_text="연결이 끊겼습니다").wait_for()
    assert tablet_page.locator("#room").is_visible()  # the room stays for Jitsi to reconnect
    _wait_for(lambda: record().left_at)
    tablet_page.evaluate("() => window.__jitsi.rejoin('standin2')")
    assert _wait_for(lambda: record().iframe_disconnects == 1)
    assert tablet_page.locator("#room-status").inner_text() == ""
    assert record().disconnects == 1


def test_a_room_that_cannot_be_entered_offers_help(tablet_page, live_server, world, app_config, page_health):
    page_health.allow(r"unreachable\.invalid|external_api|ERR_")
    app_config(JITSI_EXTERNAL_API_URL="http://unreachable.invalid/external_api.js")
    login(tablet_page, live_server, "manager")
    tablet_page.goto(f"{live_server.url}/tablet")
    tablet_page.get_by_role("button", name="입장하기").tap()
    error = tablet_page.locator("#join-error")
    error.filter(has_text="도움 요청").wait_for()
    assert "화상 서버에 연결할 수 없습니다" in error.inner_text()
    tablet_page.locator(".tablet-hero").get_by_role("button", name="도움 요청").tap()
    tablet_page.locator(".tablet-hero [data-help-status]").filter(has_text=DONE).wait_for()
    assert len(_requests(world["session"])) == 1
    from app.audit import AuditLog

    assert _wait_for(lambda: db.session.scalar(
        sa.select(AuditLog.id).where(AuditLog.action == "room.join_failed")))
