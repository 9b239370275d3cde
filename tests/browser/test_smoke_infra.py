"""The browser-test plumbing works end to end: live server, Chromium, Korean page, axe."""


def test_login_page_is_korean_and_accessible(live_server, page, axe):
    response = page.goto(f"{live_server.url}/auth/login")
    assert response is not None and response.ok, response and response.status
    assert page.locator("html").get_attribute("lang") == "ko"
    axe.assert_accessible(page)
