"""WCAG reflow: the week grid and the session form fit 320 and 390 CSS px without scrolling
sideways."""

import pytest

from tests.browser.conftest import assert_accessible, login
from tests.centers.attendance.test_attendance_api import make_world


@pytest.mark.parametrize("width", [320, 390])
def test_week_grid_and_session_form_fit_a_phone(live_server, page, width):
    w = make_world()
    page.set_viewport_size({"width": width, "height": 800})
    login(page, live_server, w["coordinator"].username)
    for path in ("/weeks/2026-W48", f"/sessions/{w['session'].id}", "/sessions/new"):
        page.goto(f"{live_server.url}{path}")
        scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
        assert scroll_width <= width, (path, scroll_width)
        assert_accessible(page)
