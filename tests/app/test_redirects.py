"""One safe-redirect function for ``next`` and ``Referer``: only a path on this site."""

import pytest

from app.security import safe_redirect_target
from tests.conftest import csrf_token
from tests.factories import UserFactory

REFUSED = [
    "//evil.example", "/.//evil.example", "/a/..//evil.example", "/\\evil.example", "\\\\evil.example",
    "http://localhost//evil.example", "https://evil.example/x", "javascript:alert(1)", "data:text/html,x",
    "/%2F%2Fevil.example", "/%5Cevil.example", "/x\r\nLocation: //evil", "/x%0d%0aSet-Cookie:a=b",
    "/a/../b", "/./home", "evil.example", "", "http://user@localhost/home", "ftp://localhost/home",
]
ACCEPTED = {
    "/counties": "/counties",
    "/centers/1/timetable?week=2026-W48": "/centers/1/timetable?week=2026-W48",
    "http://localhost/reports/": "/reports/",
    "/": "/",
}


@pytest.mark.parametrize("target", REFUSED)
def test_refused_targets(app, target):
    with app.test_request_context("/", base_url="http://localhost"):
        assert safe_redirect_target(target) is None


@pytest.mark.parametrize("target,expected", ACCEPTED.items())
def test_accepted_targets(app, target, expected):
    with app.test_request_context("/", base_url="http://localhost"):
        assert safe_redirect_target(target) == expected


@pytest.mark.parametrize("target", ["/.//evil.example", "/a/..//evil.example", "http://localhost//evil.example"])
def test_login_never_redirects_off_site(client, target):
    UserFactory(username="kim")
    token = csrf_token(client)
    response = client.post(
        "/auth/login", data={"username": "kim", "password": "ieum-demo-1234", "csrf_token": token, "next": target}
    )
    assert response.status_code == 302 and response.location == "/home"


def test_failed_csrf_check_does_not_follow_a_foreign_referer(client, login_as):
    login_as(UserFactory(username="kim"))
    # A refused Referer: back to this site's own path, never the other site.
    response = client.post("/auth/logout", data={}, headers={"Referer": "https://evil.example/x"})
    assert response.status_code == 302 and response.location == "/auth/logout"
    response = client.post("/auth/logout", data={}, headers={"Referer": "http://localhost/.//evil.example"})
    assert response.location == "/auth/logout"
    response = client.post("/auth/logout", data={}, headers={"Referer": "http://localhost/counties"})
    assert response.location == "/counties"


@pytest.mark.parametrize(
    "path,referer,expected",
    [("/counties", "//evil.example", "/counties"), ("/.//evil.example", "//evil.example", "/home"),
     ("/counties", "http://localhost/centers", "/centers")],
)
def test_an_error_on_a_slashed_path_does_not_redirect_off_site(app, path, referer, expected):
    """A form error redirects back to the page; a path like ``//evil`` is not a page."""
    from app.errors import Invalid, handle_app_error

    with app.test_request_context(path, base_url="http://localhost", headers={"Referer": referer}):
        response = handle_app_error(Invalid("x"))
    assert response.status_code == 302 and response.location == expected
