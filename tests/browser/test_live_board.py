"""The live board in a real browser, beside a center's tablet in a second browser context: the
tile turns "in the room" when the tablet (the IFrame stand-in) joins, another center shows late
at start + 5 minutes (time travelled), a help request tapped on the tablet appears with its beep
and is resolved with a note; the sound toggle is remembered; the session picker switches without
a reload; axe-core finds nothing in Korean or English; the board reflows at 320 px; and when the
stream is refused the board polls."""

import time
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app import clock
from app.auth.models import Role
from app.extensions import db
from centers.attendance.models import Attendance
from centers.live.models import HelpRequest
from centers.presence import services as presence
from tests.browser.conftest import login
from tests.browser.test_tablet import _wait_for, external_api  # noqa: F401  (fixture)
from tests.factories import CenterFactory, ProgramFactory, SessionFactory, UserFactory

SECRET = "browser-test-secret-long-enough-for-hs256"
START = clock.local_datetime(date(2026, 11, 24), SessionFactory.start_time)
LIVE = "실시간으로 받는 중"


@pytest.fixture
def world(app_config, external_api):  # noqa: F811
    app_config(JITSI_MODE="selfhosted", JITSI_DOMAIN="meet.example.org", JITSI_APP_ID="ieum",
               JITSI_APP_SECRET=SECRET, JITSI_EXTERNAL_API_URL=external_api)
    clock.freeze(START - timedelta(minutes=5))
    a = CenterFactory(name="봉성2리 경로당", contact_phone="054-672-1234")
    b = CenterFactory(name="위도 진리 경로당", contact_phone="063-583-0000")
    session = SessionFactory(centers=[a, b], program=ProgramFactory(title="웃음치료"))
    later = SessionFactory(centers=[a], program=ProgramFactory(title="노래교실"),
                           start_time=START.time().replace(hour=14))
    UserFactory(role=Role.CENTER_MANAGER, center_id=a.id, username="manager")
    UserFactory(role=Role.COORDINATOR, username="coordinator")
    return {"a": a, "b": b, "session": session, "later": later}


def _tile(page, center):
    return page.locator(f"#tile-{center.id}")


def _record(session, center):
    return db.session.scalar(sa.select(Attendance).where(
        Attendance.session_id == session.id, Attendance.center_id == center.id))


def test_the_board_follows_the_tablet_and_resolves_its_call_for_help(
    page, tablet_page, live_server, axe, world
):
    a, b, session, later = world["a"], world["b"], world["session"], world["later"]
    login(page, live_server, "coordinator")
    page.get_by_role("link", name="실시간 현황").click()
    assert page.url.endswith("/live")
    page.locator("#live-connection").filter(has_text=LIVE).wait_for()
    assert _tile(page, a).get_attribute("data-state") == "waiting"
    assert "아직 안 들어옴" in _tile(page, a).inner_text()
    assert _tile(page, a).locator('a[href="tel:0546721234"]').inner_text() == "054-672-1234"
    axe.assert_accessible(page)

    # The sound toggle: off, remembered across a reload, then on again (which also unlocks audio).
    sound = page.get_by_role("button", name="도움 요청 알림음")
    assert sound.get_attribute("aria-pressed") == "true"
    sound.click()
    assert sound.get_attribute("aria-pressed") == "false"
    assert page.evaluate("() => localStorage.getItem('ieum.live.sound')") == "off"
    page.reload()
    page.locator("#live-connection").filter(has_text=LIVE).wait_for()
    assert sound.get_attribute("aria-pressed") == "false"
    sound.click()
    assert sound.get_attribute("aria-pressed") == "true"

    # The tablet joins the room: the board says so within 2 seconds of the server knowing.
    login(tablet_page, live_server, "manager")
    tablet_page.goto(f"{live_server.url}/tablet")
    tablet_page.get_by_role("button", name="입장하기").tap()
    tablet_page.wait_for_function("() => window.__jitsi && window.__jitsi.calls.length === 1")
    _wait_for(lambda: _record(session, a) and _record(session, a).joined_at)
    known = time.monotonic()
    page.locator(f'#tile-{a.id}[data-state="in_room"]').wait_for(timeout=2000)
    assert time.monotonic() - known < 2
    assert "회의실에 있음" in _tile(page, a).inner_text() and "오전 9:55" in _tile(page, a).inner_text()
    assert _tile(page, b).get_attribute("data-state") == "waiting"

    # Start + 6 minutes: b never joined. The session picker (no reload) shows the later session,
    # then this one again, with b late.
    clock.freeze(START + timedelta(minutes=6))
    page.evaluate("() => { window.__same = true; }")  # gone if the page reloads
    page.locator(f'a[data-live-session="{later.id}"]').click()
    page.locator(f'[data-live-panel][data-session-id="{later.id}"]').wait_for()
    assert page.url.endswith(f"/live?session_id={later.id}")
    assert page.locator(".live-tile").count() == 1
    assert page.locator(f'a[data-live-session="{later.id}"]').get_attribute("aria-current") == "true"
    page.locator(f'a[data-live-session="{session.id}"]').click()
    page.locator(f'#tile-{b.id}[data-state="late"]').wait_for(timeout=2000)
    assert "늦음" in _tile(page, b).inner_text()
    assert page.evaluate("() => window.__same") is True
    assert page.evaluate("() => document.activeElement.id") == "live-session-title"
    assert "늦음 1곳" in page.locator(f'a[data-live-session="{session.id}"]').inner_text()

    # A call for help tapped on the tablet, inside the room: on the board within 2 seconds, with
    # an announcement and a beep.
    tablet_page.locator("#room").get_by_role("button", name="도움 요청").tap()
    tablet_page.locator("#room [data-help-status]").filter(has_text="도움을 요청했습니다").wait_for()
    _wait_for(lambda: db.session.scalar(sa.select(HelpRequest.id)))
    known = time.monotonic()
    item = page.locator(f'[data-live-list="help"] [data-live-key="{a.id}"]')
    item.wait_for(timeout=2000)
    assert time.monotonic() - known < 2
    assert "봉성2리 경로당" in item.inner_text() and "도움을 요청했습니다" in item.inner_text()
    assert _tile(page, a).get_attribute("data-help-open") == "true"
    assert page.locator("#live-announce").inner_text() == "봉성2리 경로당에서 도움을 요청했습니다"
    page.wait_for_function("() => document.getElementById('live-board').dataset.beeps === '1'")
    axe.assert_accessible(page)

    # Resolved with a note, through the API.
    item.get_by_label("메모 (선택)").fill("전화로 안내함")
    item.get_by_role("button", name="봉성2리 경로당 도움 요청 해결").click()
    page.locator(".live-help__none").wait_for()
    assert page.locator('[data-live-list="help"] [data-live-key]').count() == 0
    request = _wait_for(lambda: db.session.scalars(
        sa.select(HelpRequest).where(HelpRequest.resolved_at.is_not(None))).first())
    assert request.note == "전화로 안내함" and request.center_id == a.id
    page.locator(f'#tile-{a.id}[data-help-open="false"]').wait_for()

    # A call for help in another session of the day: announced by the session's title, beeped.
    db.session.add(HelpRequest(session_id=later.id, center_id=a.id, requested_at=clock.now(), message=""))
    db.session.commit()
    page.wait_for_function("() => document.getElementById('live-board').dataset.beeps === '2'", timeout=2000)
    assert page.locator("#live-announce").inner_text() == "노래교실 수업에서 도움을 요청했습니다"
    assert "도움 요청 1곳" in page.locator(f'a[data-live-session="{later.id}"]').inner_text()

    # English, still accessible; and the board reflows at 320 CSS px.
    page.get_by_role("button", name="English").click()
    page.locator("h1", has_text="Live board").wait_for()
    page.locator("#live-connection").filter(has_text="Receiving live updates").wait_for()
    assert "In the room" in _tile(page, a).inner_text() and "Late" in _tile(page, b).inner_text()
    axe.assert_accessible(page)
    page.set_viewport_size({"width": 320, "height": 800})
    overflow = page.evaluate("() => document.scrollingElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    page.goto("about:blank")  # close the stream before the server stops


def test_the_board_polls_when_the_stream_is_refused(page, live_server, app_config, page_health, world):
    app_config(LIVE_BOARD_POLL_SECONDS=1)
    page_health.allow(r"/live/stream")
    page.route("**/live/stream*", lambda route: route.abort())
    login(page, live_server, "coordinator")
    page.goto(f"{live_server.url}/live")
    page.locator("#live-connection").filter(has_text="1초마다 새로 고칩니다").wait_for()
    a, session = world["a"], world["session"]
    presence.joined(session, occupant="jid:a", participant=f"center-{a.id}", center_id=a.id,
                    at=clock.now(), source="jitsi")
    db.session.commit()
    page.locator(f'#tile-{a.id}[data-state="in_room"]').wait_for(timeout=4000)
    page.goto("about:blank")  # stop polling before the server stops


def test_the_board_reconnects_when_its_stream_reaches_its_maximum_age(page, live_server, app_config, world):
    app_config(LIVE_STREAM_MAX_AGE=1, LIVE_STREAM_RETRY_MS=200, LIVE_STREAM_HEARTBEAT=0.5)
    login(page, live_server, "coordinator")
    page.goto(f"{live_server.url}/live")
    page.locator("#live-connection").filter(has_text=LIVE).wait_for()
    page.wait_for_timeout(2500)  # two streams have ended meanwhile; the third is open
    a, session = world["a"], world["session"]
    presence.joined(session, occupant="jid:a", participant=f"center-{a.id}", center_id=a.id,
                    at=clock.now(), source="jitsi")
    db.session.commit()
    known = time.monotonic()
    page.locator(f'#tile-{a.id}[data-state="in_room"]').wait_for(timeout=2000)
    assert time.monotonic() - known < 2
    assert page.locator("#live-connection").inner_text() == LIVE  # it never fell back to polling
    page.goto("about:blank")


def test_signed_out_elsewhere_the_board_turns_into_the_login_page(page, live_server, app_config, world):
    from app.auth.models import User

    app_config(LIVE_STREAM_RECHECK=0.3, LIVE_STREAM_HEARTBEAT=0.3, LIVE_BOARD_POLL_SECONDS=1)
    login(page, live_server, "coordinator")
    page.goto(f"{live_server.url}/live")
    page.locator("#live-connection").filter(has_text=LIVE).wait_for()
    user = db.session.scalar(sa.select(User).where(User.username == "coordinator"))
    user.end_sessions()  # what signing out on another device does
    db.session.commit()
    page.wait_for_url("**/auth/login**", timeout=8000)
