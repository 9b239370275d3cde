"""Browser-test plumbing: a live server, Debian's Chromium through Playwright, login, axe.

Every test under tests/browser/ is marked ``browser`` (deselect with ``-m "not browser"``).

Fixtures
    live_server   (defined in tests/conftest.py, so non-browser tests can use it too) the
                  test's ``app`` served on 127.0.0.1 in a thread; ``live_server.url`` is the
                  base URL without a trailing slash.
    browser       one Chromium per session, /usr/bin/chromium (Playwright cannot download its
                  own here). Missing Chromium: the test fails when CI or REQUIRE_BROWSER is set,
                  and is skipped otherwise.
    page          a fresh context and page per test: ko-KR, Asia/Seoul, 1280x800.
    tablet_page   the same on a landscape 10-inch tablet (1280x800 CSS px, touch, mobile).
    login         the ``login`` function below, for tests that prefer a fixture.
    axe           an object with ``.check(page, context=None)`` and
                  ``.assert_accessible(page, context=None)``, the functions below.

Plain functions (``from tests.browser.conftest import login, axe_check, assert_accessible``)
    login(page, live_server, username, password="ieum-demo-1234")
        Opens /auth/login, fills ``name=username`` and ``name=password``, submits, waits for
        the next page, and fails if the browser is still on the login page.
    axe_check(page, context=None) -> list[dict]
        Runs axe-core (node_modules/axe-core, installed by ``make test``) on the page, or on
        ``context`` (a CSS selector or an axe context object), against WCAG 2.0/2.1 A and AA.
        Returns axe's violations.
    assert_accessible(page, context=None)
        Fails with a readable list of violations: rule, impact, help, the first three targets
        with their HTML.

Page health
    Every page the ``page`` and ``tablet_page`` fixtures open (and any other page of their
    context) is watched: a response with status >= 400 for an asset (script, stylesheet, image,
    font, fetch/XHR), a request that fails, or a console error fails the test. A test that
    provokes such a thing on purpose (offline mode, a page it expects to be refused) marks it:
    ``@pytest.mark.page_errors_expected`` (everything allowed) or calls
    ``page_health.allow(pattern)`` with a regular expression matched against each problem.

When a browser test fails, a screenshot of each of its pages goes to test-artifacts/browser/.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from urllib.parse import urlparse

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_JS = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
ARTIFACTS = REPO_ROOT / "test-artifacts" / "browser"
DEFAULT_TIMEOUT_MS = 10_000
DEMO_PASSWORD = "ieum-demo-1234"


def _browser_required() -> bool:
    return any(
        os.environ.get(name, "").strip() not in ("", "0", "false")
        for name in ("CI", "REQUIRE_BROWSER")
    )


# --- marking and failure reports -------------------------------------------------------------


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "page_errors_expected: failed requests and console errors do not fail the test"
    )


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"_report_{report.when}", report)
    return report


def _failed(request) -> bool:
    return any(
        getattr(getattr(request.node, f"_report_{when}", None), "failed", False)
        for when in ("setup", "call")
    )


def _screenshot(request, page, suffix: str = "") -> None:
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid) + suffix
    try:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    except Exception:  # a crashed page must not hide the test's own failure
        pass


# --- browser ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    """One headless Debian Chromium for the whole session."""
    if not CHROMIUM.exists():
        reason = f"Chromium not found at {CHROMIUM} (apt-get install chromium fonts-nanum)"
        if _browser_required():
            pytest.fail(f"{reason}; browser tests are required (CI / REQUIRE_BROWSER is set)")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    except Exception:
        playwright.stop()
        raise
    try:
        yield browser
    finally:
        browser.close()
        playwright.stop()


# Resource types whose failure means a broken page (a document answering 403 or 404 can be
# what a test expects; the assets it loads never should fail).
ASSET_TYPES = {"script", "stylesheet", "image", "font", "fetch", "xhr", "media", "manifest"}


class PageHealth:
    """Collects failed assets, failed requests and console errors of a browser context."""

    def __init__(self):
        self.problems: list[str] = []
        self._answered: set[str] = set()
        self._allowed: list[re.Pattern] = []

    def allow(self, pattern: str) -> None:
        self._allowed.append(re.compile(pattern))

    def watch(self, page) -> None:
        page.on("response", self._on_response)
        page.on("requestfailed", self._on_request_failed)
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))

    def _on_response(self, response) -> None:
        self._answered.add(response.url)
        if response.status >= 400 and response.request.resource_type in ASSET_TYPES:
            self.problems.append(
                f"{response.status} {response.request.resource_type} {response.url}"
            )

    def _on_request_failed(self, request) -> None:
        if request.url.startswith(("data:", "blob:")):
            return
        if request.failure == "net::ERR_ABORTED" and request.url in self._answered:
            return  # a download, or a response already judged above
        self.problems.append(f"request failed ({request.failure}) {request.url}")

    def _on_console(self, message) -> None:
        # "Failed to load resource" repeats a response seen above; a document answering 4xx
        # (a refused login, a 403 page) can be what the test expects, its assets never.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            location = message.location or {}
            self.problems.append(f"console error: {message.text} ({location.get('url', '')})")

    def unexpected(self) -> list[str]:
        return [p for p in self.problems if not any(a.search(p) for a in self._allowed)]


@pytest.fixture
def page_health():
    """The problems seen by this test's pages; ``page_health.allow(regex)`` to accept some."""
    return PageHealth()


def _open_page(browser, health: PageHealth | None = None, **context_options):
    context = browser.new_context(locale="ko-KR", timezone_id="Asia/Seoul", **context_options)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    if health is not None:
        context.on("page", health.watch)
    page = context.new_page()
    return context, page


def _check_health(request, health: PageHealth) -> None:
    if _failed(request) or request.node.get_closest_marker("page_errors_expected"):
        return
    problems = health.unexpected()
    if problems:
        pytest.fail(
            f"{len(problems)} failed asset(s), request(s) or console error(s):\n"
            + "\n".join(f"- {p}" for p in problems[:20]),
            pytrace=False,
        )


@pytest.fixture
def page(request, browser, page_health):
    """A new context and page per test: Korean, Seoul time, a 1280x800 desktop window."""
    context, page = _open_page(browser, page_health, viewport={"width": 1280, "height": 800})
    yield page
    if _failed(request):
        _screenshot(request, page)
    context.close()
    _check_health(request, page_health)


@pytest.fixture
def tablet_page(request, browser, page_health):
    """A center's tablet: a landscape 10-inch Android tablet (1280x800 CSS px at 1.5x), touch."""
    context, page = _open_page(
        browser,
        page_health,
        viewport={"width": 1280, "height": 800},
        device_scale_factor=1.5,
        is_mobile=True,
        has_touch=True,
    )
    yield page
    if _failed(request):
        _screenshot(request, page, "-tablet")
    context.close()
    _check_health(request, page_health)


# --- login -----------------------------------------------------------------------------------


def login(page, live_server, username: str, password: str = DEMO_PASSWORD):
    """Log in through the real login form and wait for the page it leads to."""
    page.goto(f"{live_server.url}/auth/login")
    page.locator('[name="username"]').fill(username)
    page.locator('[name="password"]').fill(password)
    with page.expect_navigation():
        page.locator('form:has([name="password"]) [type="submit"]').first.click()
    if urlparse(page.url).path.rstrip("/").endswith("/auth/login"):
        alerts = page.locator('[role="alert"], .flash, .error, .errors').all_inner_texts()
        raise AssertionError(
            f"login as {username!r} failed: still on {page.url}"
            + (f" ({' / '.join(a.strip() for a in alerts if a.strip())})" if alerts else "")
        )
    return page


@pytest.fixture(name="login")
def _login_fixture():
    """The ``login`` function, as a fixture: ``login(page, live_server, "coordinator")``."""
    return login


# --- accessibility ---------------------------------------------------------------------------


def _inject_axe(page) -> None:
    if page.evaluate("() => typeof window.axe") == "object":
        return
    if not AXE_JS.exists():
        raise AssertionError(f"{AXE_JS} is missing: run `make test` (or `npm ci`) first")
    # Evaluated through the DevTools protocol, which the app's Content-Security-Policy does not
    # govern: an injected <script> would be refused and log a console error.
    page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;undefined")
    if page.evaluate("() => typeof window.axe") != "object":
        raise AssertionError("axe-core could not be loaded into the page")


def axe_check(page, context=None) -> list[dict]:
    """Run axe-core (WCAG 2.0/2.1 A and AA) on the page or on ``context``; return violations."""
    _inject_axe(page)
    result = page.evaluate(
        """([context, tags]) => axe.run(context ?? document,
               {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})""",
        [context, AXE_TAGS],
    )
    return result["violations"]


def format_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v.get('impact') or 'n/a'}): {v['help']}  [{v['helpUrl']}]")
        for node in v["nodes"][:3]:
            target = " ".join(
                json.dumps(t, ensure_ascii=False) if not isinstance(t, str) else t
                for t in node["target"]
            )
            lines.append(f"    at {target}")
            lines.append(f"       {node['html'][:200]}")
        if len(v["nodes"]) > 3:
            lines.append(f"    … and {len(v['nodes']) - 3} more")
    return "\n".join(lines)


def assert_accessible(page, context=None) -> None:
    """Fail with a readable list if axe finds WCAG 2.0/2.1 A/AA violations."""
    violations = axe_check(page, context)
    if violations:
        pytest.fail(
            f"{len(violations)} accessibility violation(s) on {page.url}:\n"
            + format_violations(violations),
            pytrace=False,
        )


class _Axe:
    check = staticmethod(axe_check)
    assert_accessible = staticmethod(assert_accessible)


@pytest.fixture
def axe():
    """``axe.check(page)`` → violations; ``axe.assert_accessible(page)``."""
    return _Axe()
