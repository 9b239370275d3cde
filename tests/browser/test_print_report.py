"""The printed report fits A4 (portrait, 15 mm margins: 180 mm = 680 CSS px) in Korean and
English, with no scroll region inside it, and passes axe."""

import pytest

from app.auth.models import Role
from tests.browser.conftest import assert_accessible, login
from tests.centers.reports import report_data
from tests.factories import UserFactory

A4_CONTENT_PX = 680  # 180 mm at 96 px per inch


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_the_print_report_fits_a4(live_server, page, lang):
    data = report_data.build()
    viewer = UserFactory(role=Role.COUNTY_VIEWER, county_id=data.county_a.id)
    login(page, live_server, viewer.username)
    if lang == "en":
        token = page.locator('meta[name="csrf-token"]').get_attribute("content")
        page.request.post(f"{live_server.url}/lang/en", form={"csrf_token": token})
    page.set_viewport_size({"width": A4_CONTENT_PX, "height": 1000})
    page.emulate_media(media="print")
    page.goto(f"{live_server.url}/reports/print?from=2026-11-01&to=2026-11-30")
    assert page.locator("html").get_attribute("lang") == lang
    widths = page.evaluate(
        """() => [document.documentElement.scrollWidth,
                  ...[...document.querySelectorAll('main *')]
                     .filter(el => el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== 'visible')
                     .map(el => el.tagName + '.' + el.className)]"""
    )
    assert widths[0] <= A4_CONTENT_PX, widths
    assert widths[1:] == [], widths  # no region that would need scrolling
    assert_accessible(page)
