"""The Content-Security-Policy is on, and the pages load under it without a violation, a console
error or a failed request; the users page (admins) works and is accessible."""

from app.auth.models import Role
from tests.browser.conftest import login
from tests.factories import CenterFactory, UserFactory

VIOLATIONS = """() => {
  window.__csp = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline'));
  });
}"""


def _watch(page):
    problems = []
    page.add_init_script(f"({VIOLATIONS})()")
    page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text} {m.location.get('url')}"))
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
    page.on("response", lambda r: r.status >= 400 and problems.append(f"{r.status}: {r.url}"))
    return problems


def test_pages_load_under_the_csp(live_server, page, axe):
    center = CenterFactory()
    UserFactory(username="root", role=Role.ADMIN)
    kim = UserFactory(username="kim")
    problems = _watch(page)
    response = page.goto(f"{live_server.url}/auth/login")
    csp = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert response.headers["x-frame-options"] == "DENY"
    login(page, live_server, "root")
    for path in ("/home", "/reports/", "/reports/print", f"/centers/{center.id}",
                 "/auth/users", f"/auth/users/{kim.id}"):
        problems.append(f"-- {path}")
        response = page.goto(f"{live_server.url}{path}")
        assert response.ok, (path, response.status)
        assert "content-security-policy" in response.headers
        assert page.evaluate("() => window.__csp") == [], path
    real = [p for p in problems if not p.startswith("-- ") and "/favicon.ico" not in p]
    assert real == [], "\n".join(problems)
    # axe's own loader tries an inline <script> first (refused by the CSP, as it should be).
    axe.assert_accessible(page)
    page.goto(f"{live_server.url}/auth/users/{kim.id}/deactivate")
    axe.assert_accessible(page)
    problems.clear()
    with page.expect_navigation():
        page.get_by_role("button", name="비활성화").click()
    assert "비활성화했습니다" in page.content()
    assert page.evaluate("() => window.__csp") == []
    assert [p for p in problems if "/favicon.ico" not in p] == [], "\n".join(problems)
