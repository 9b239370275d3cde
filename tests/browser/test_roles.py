"""Every role logs in through the real page, lands on its own home, and the pages are accessible."""

import pytest

from app.extensions import db
from centers.demo import seed as demo
from tests.browser.conftest import login

HOME_HEADINGS = {
    "admin": "안녕하세요, 플랫폼 운영자 님",
    "coordinator": "안녕하세요, 부천시 프로그램 코디네이터 님",
    "instructor": "안녕하세요, 강사 김미숙 님",
    "manager": "봉성2리 경로당",
    "county": "봉화군 스마트경로당",
}


@pytest.fixture
def demo_data(app):
    demo.seed()
    db.session.commit()


@pytest.mark.parametrize("username", list(HOME_HEADINGS))
def test_each_role_logs_in_to_its_home(live_server, page, axe, demo_data, username):
    login(page, live_server, username)
    assert page.url.endswith("/home")
    assert page.locator("h1").inner_text() == HOME_HEADINGS[username]
    assert page.locator(".role-badge").is_visible()
    axe.assert_accessible(page)


def test_wrong_password_stays_on_login_with_a_korean_message(live_server, page, demo_data):
    page.goto(f"{live_server.url}/auth/login")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", "wrong-password")
    page.click("main button[type=submit]")
    assert "/auth/login" in page.url
    assert page.locator(".flash--error").inner_text() == "아이디 또는 비밀번호가 맞지 않습니다."


def test_county_viewer_cannot_open_another_countys_center(live_server, page, demo_data):
    from centers.directory.models import Center, County

    other = db.session.query(Center).join(County).filter(County.name == "진도군").first()
    login(page, live_server, "county")
    response = page.goto(f"{live_server.url}/centers/{other.id}")
    assert response.status == 403
    assert "권한이 없습니다" in page.locator("h1").inner_text()


def test_language_switch_shows_english(live_server, page, demo_data):
    login(page, live_server, "coordinator")
    page.click("button:has-text('English')")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text().startswith("Hello")
    assert page.locator("button:has-text('Log out')").is_visible()
