"""The one-tap tablet in a real browser: pair with the keypad, see today's session, tap join,
and find the Jitsi IFrame created with the right room, token and options (a local stand-in
external_api.js records its constructor arguments). Plus axe-core and the size rules."""

import threading
import time
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import jwt
import pytest
import sqlalchemy as sa

from app import clock
from app.auth.models import Role
from app.extensions import db
from centers.attendance.models import Attendance
from tests.factories import CenterFactory, ProgramFactory, SessionFactory, UserFactory

STAND_IN = Path(__file__).parent / "stand_in" / "external_api.js"
SECRET = "browser-test-secret-long-enough-for-hs256"
START = clock.local_datetime(date(2026, 11, 24), SessionFactory.start_time)


@pytest.fixture
def external_api():
    """Serve the stand-in external_api.js from its own origin, as a Jitsi server would."""
    body = STAND_IN.read_bytes()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "application/javascript")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/external_api.js"
    server.shutdown()
    server.server_close()


@pytest.fixture
def world(app_config, external_api):
    app_config(
        JITSI_MODE="selfhosted",
        JITSI_DOMAIN="meet.example.org",
        JITSI_APP_ID="ieum",
        JITSI_APP_SECRET=SECRET,
        JITSI_EXTERNAL_API_URL=external_api,
    )
    clock.freeze(START - timedelta(minutes=5))  # 09:55 in Seoul: the button is open
    center = CenterFactory(name="봉성2리 경로당")
    session = SessionFactory(centers=[center], program=ProgramFactory(title="웃음치료"))
    later = SessionFactory(
        centers=[center],
        program=ProgramFactory(title="노래교실"),
        start_time=START.time().replace(hour=14),
    )
    coordinator = UserFactory(role=Role.COORDINATOR, username="coordinator")
    return {"center": center, "session": session, "later": later, "coordinator": coordinator}


def _make_code(page, live_server, login, center) -> str:
    login(page, live_server, "coordinator")
    page.goto(f"{live_server.url}/centers/{center.id}")
    page.get_by_label("기기 이름 (선택)").fill("거실 TV")
    page.get_by_role("button", name="태블릿 연결 코드 만들기").click()
    code = page.locator(".pairing__code").inner_text().replace(" ", "")
    assert len(code) == 6 and code.isdigit()
    return code


def _pair(tablet_page, live_server, code: str) -> None:
    tablet_page.goto(f"{live_server.url}/tablet/pair")
    for digit in code:
        tablet_page.locator(f'[data-digit="{digit}"]').tap()
    assert tablet_page.locator("#pair-code").input_value() == code
    with tablet_page.expect_navigation():
        tablet_page.get_by_role("button", name="연결하기").tap()
    assert tablet_page.url.endswith("/tablet")


def _wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.expire_all()
        db.session.rollback()
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("timed out waiting for the server to record it")


def _record(session, center):
    return db.session.scalar(
        sa.select(Attendance).where(
            Attendance.session_id == session.id, Attendance.center_id == center.id
        )
    )


def test_pair_see_today_tap_join_and_the_iframe_gets_room_token_and_options(
    page, tablet_page, live_server, login, axe, world
):
    center, session = world["center"], world["session"]
    code = _make_code(page, live_server, login, center)

    tablet_page.goto(f"{live_server.url}/tablet/pair")
    axe.assert_accessible(tablet_page)
    _pair(tablet_page, live_server, code)

    # Today at this center.
    hero = tablet_page.locator(".tablet-hero")
    assert "웃음치료" in hero.inner_text() and session.instructor.name in hero.inner_text()
    assert "오전 10:00" in hero.inner_text()
    assert tablet_page.locator('.tablet-item[data-state="open"]').count() == 1
    assert tablet_page.locator('.tablet-item[data-state="upcoming"]').count() == 1
    assert tablet_page.locator("#tablet-clock").inner_text().startswith("오전 9:5")
    axe.assert_accessible(tablet_page)

    join = tablet_page.get_by_role("button", name="입장하기")
    assert join.is_enabled()
    join.tap()
    tablet_page.wait_for_function("() => window.__jitsi && window.__jitsi.calls.length === 1")
    call = tablet_page.evaluate("() => window.__jitsi.calls[0]")
    options = call["options"]
    assert call["domain"] == "meet.example.org" and call["parentNodeId"] == "room-frame"
    assert options["roomName"] == session.room.name
    assert options["lang"] == "ko"
    assert options["userInfo"] == {"displayName": center.name}
    config = options["configOverwrite"]
    assert config["prejoinConfig"] == {"enabled": False} and config["prejoinPageEnabled"] is False
    assert config["disableDeepLinking"] is True and config["readOnlyName"] is True
    assert config["startWithAudioMuted"] is False and config["startWithVideoMuted"] is False
    claims = jwt.decode(
        options["jwt"],
        SECRET,
        algorithms=["HS256"],
        audience="jitsi",
        options={"verify_exp": False, "verify_nbf": False},
    )
    assert claims["room"] == session.room.name
    assert claims["context"]["user"] == {
        "id": f"center-{center.id}",
        "name": center.name,
        "email": "",
        "moderator": False,
        "affiliation": "member",
    }
    assert tablet_page.locator("#room-frame iframe").count() == 1
    assert tablet_page.locator("#room").is_visible()

    # The IFrame's joined event reached Ieum: the center has joined, nobody typed a headcount.
    record = _wait_for(lambda: _record(session, center))
    assert record.status is None and record.joined_at == START - timedelta(minutes=5)

    tablet_page.get_by_role("button", name="나가기").tap()
    assert tablet_page.locator("#room").is_hidden()
    assert tablet_page.evaluate("() => window.__jitsi.commands") == ["hangup"]
    assert _wait_for(lambda: _record(session, center).left_at) == START - timedelta(minutes=5)


def _sizes(page) -> dict:
    return page.evaluate("""() => {
        const button = document.getElementById('join-button').getBoundingClientRect();
        const targets = [...document.querySelectorAll('button, a.tablet-link')]
            .filter(el => el.offsetParent !== null)
            .map(el => el.getBoundingClientRect().height);
        return {
            button: button.height,
            buttonWidth: button.width,
            body: parseFloat(getComputedStyle(document.body).fontSize),
            smallestText: Math.min(...[...document.querySelectorAll(
                    'main p, main span, main li, main h2')]
                .filter(el => el.offsetParent !== null && el.textContent.trim())
                .map(el => parseFloat(getComputedStyle(el).fontSize))),
            smallestTarget: Math.min(...targets),
            overflow: document.scrollingElement.scrollWidth - window.innerWidth,
        };
    }""")


@pytest.mark.parametrize(
    "viewport",
    [
        {"width": 1280, "height": 800},  # a 10-inch tablet, landscape
        {"width": 800, "height": 1280},  # the same tablet, portrait
        {"width": 1920, "height": 1080},  # a TV
    ],
)
def test_big_button_and_big_type_in_every_orientation(tablet_page, live_server, world, viewport):
    manager = UserFactory(
        role=Role.CENTER_MANAGER, center_id=world["center"].id, username="manager"
    )
    tablet_page.set_viewport_size(viewport)
    tablet_page.goto(f"{live_server.url}/auth/login")
    tablet_page.locator('[name="username"]').fill(manager.username)
    tablet_page.locator('[name="password"]').fill("ieum1234")
    with tablet_page.expect_navigation():
        tablet_page.locator('form:has([name="password"]) [type="submit"]').first.click()
    tablet_page.goto(f"{live_server.url}/tablet")
    sizes = _sizes(tablet_page)
    assert sizes["button"] >= 64, sizes
    assert sizes["body"] >= 24 and sizes["smallestText"] >= 24, sizes
    assert sizes["smallestTarget"] >= 64, sizes
    assert sizes["overflow"] <= 0, sizes


def test_tablet_pages_are_accessible_when_nothing_is_open(
    tablet_page, live_server, axe, world, app_config
):
    app_config(JITSI_APP_SECRET=None)  # video not configured: a clear notice instead
    clock.freeze(START - timedelta(hours=2))
    UserFactory(role=Role.CENTER_MANAGER, center_id=world["center"].id, username="manager")
    from tests.browser.conftest import login

    login(tablet_page, live_server, "manager")
    tablet_page.goto(f"{live_server.url}/tablet")
    assert tablet_page.locator(".tablet-notice").is_visible()
    assert (
        "화상 연결이 아직 설정되지 않았습니다" in tablet_page.locator(".tablet-notice").inner_text()
    )
    assert tablet_page.get_by_role("button", name="입장하기").is_disabled()
    assert "오전 9:50부터 들어갈 수 있습니다." in tablet_page.locator("#join-hint").inner_text()
    axe.assert_accessible(tablet_page)


def test_instructor_joins_as_moderator_from_the_room_page(page, live_server, login, axe, world):
    session, center = world["session"], world["center"]
    UserFactory(role=Role.INSTRUCTOR, instructor_id=session.instructor_id, username="teacher")
    login(page, live_server, "teacher")
    page.goto(f"{live_server.url}/rooms")
    assert "0 / 1곳" in page.locator("table").first.inner_text()
    axe.assert_accessible(page)
    page.get_by_role("link", name="진행자로 입장").first.click()
    assert page.locator("#moderator-leave").is_hidden()
    axe.assert_accessible(page)
    page.get_by_role("button", name="진행자로 입장").click()
    page.wait_for_function("() => window.__jitsi && window.__jitsi.calls.length === 1")
    options = page.evaluate("() => window.__jitsi.calls[0].options")
    assert (
        options["roomName"] == session.room.name
        and options["userInfo"]["displayName"] == session.instructor.name
    )
    claims = jwt.decode(
        options["jwt"],
        SECRET,
        algorithms=["HS256"],
        audience="jitsi",
        options={"verify_exp": False, "verify_nbf": False},
    )
    assert claims["context"]["user"]["moderator"] is True
    assert claims["context"]["user"]["id"] == f"instructor-{session.instructor_id}"
    assert page.locator("#room-frame iframe").count() == 1
    page.get_by_role("button", name="회의실 나가기").click()
    assert page.locator("#room-frame").is_hidden() and page.locator("#moderator-join").is_visible()
    # The instructor's presence is recorded, but no center counts as in the room.
    assert center.name in page.locator("#presence-table").inner_text()


def test_leaving_after_class_goes_straight_to_the_attendance_form(
    page, tablet_page, live_server, login, world
):
    center, session = world["center"], world["session"]
    code = _make_code(page, live_server, login, center)
    clock.freeze(START + timedelta(minutes=2))  # class has begun; the tablet joins late
    _pair(tablet_page, live_server, code)
    tablet_page.get_by_role("button", name="입장하기").tap()
    tablet_page.wait_for_function("() => window.__jitsi && window.__jitsi.calls.length === 1")
    _wait_for(lambda: _record(session, center) and _record(session, center).joined_at)

    with tablet_page.expect_navigation():
        tablet_page.get_by_role("button", name="나가기").tap()
    assert tablet_page.url.endswith(f"/tablet/sessions/{session.id}/attendance")
    # The center joined, so the form proposes "attended"; nothing is saved until the manager taps.
    assert tablet_page.locator('input[name="status"][value="attended"]').is_checked()
    assert _record(session, center).status is None
