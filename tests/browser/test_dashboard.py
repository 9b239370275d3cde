"""The county dashboard in Chromium: a county viewer changes the period, the charts render
(canvas and Chart.js instance), both exports download, and axe finds no WCAG 2 A/AA problem."""

import csv
import io
from datetime import UTC, datetime

from openpyxl import load_workbook

from app import clock
from app.auth.models import Role
from tests.browser.conftest import assert_accessible, login
from tests.centers.reports import report_data
from tests.factories import UserFactory

CHARTS = ("chart-weekly", "chart-compare", "chart-category")


def _chart_state(page) -> dict:
    return page.evaluate(
        """(ids) => Object.fromEntries(ids.map((id) => {
               const canvas = document.getElementById(id);
               const chart = canvas && window.Chart ? Chart.getChart(canvas) : null;
               return [id, {canvas: !!canvas, chart: !!chart, width: canvas ? canvas.width : 0,
                            points: chart ? chart.data.datasets[0].data.length : -1}];
           }))""",
        list(CHARTS),
    )


def test_county_viewer_dashboard(live_server, page, tmp_path):
    clock.freeze(datetime(2026, 12, 2, 3, 0, tzinfo=UTC))  # December: the scenario is last month
    data = report_data.build()
    viewer = UserFactory(role=Role.COUNTY_VIEWER, county_id=data.county_a.id)
    login(page, live_server, viewer.username)
    page.goto(f"{live_server.url}/reports/")
    assert page.locator("h1").inner_text() == "봉화군 스마트경로당 화상 프로그램 참여 현황"
    assert page.locator('[data-figure="invited"]').inner_text() == "1"  # December: only s7

    # Change the period: the quick pick, then the date fields.
    with page.expect_navigation():
        page.get_by_role("link", name="지난 달").click()
    assert page.locator('[data-figure="invited"]').inner_text() == "9"
    assert page.locator('[data-figure="participation_rate"]').inner_text() == "57.1%"
    page.locator("#from").fill("2026-11-09")
    page.locator("#to").fill("2026-11-13")
    with page.expect_navigation():
        page.get_by_role("button", name="보기").click()
    assert "from=2026-11-09" in page.url
    assert page.locator('[data-figure="invited"]').inner_text() == "4"
    assert page.locator('[data-figure="headcount"]').inner_text() == "13"

    state = _chart_state(page)
    for chart_id in CHARTS:
        assert state[chart_id]["canvas"] and state[chart_id]["chart"], state
        assert state[chart_id]["width"] > 0
    assert state["chart-weekly"]["points"] == 1 and state["chart-compare"]["points"] == 3
    # Every chart is also a table.
    assert page.locator("#table-weekly tbody tr").count() == 1
    assert page.locator("#table-compare tbody tr").count() == 3
    assert_accessible(page)

    with page.expect_download() as csv_download:
        page.locator("#export-csv").click()
    csv_path = tmp_path / "report.csv"
    csv_download.value.save_as(csv_path)
    assert csv_download.value.suggested_filename.endswith(".csv")
    rows = list(csv.reader(io.StringIO(csv_path.read_bytes().decode("utf-8-sig"))))
    assert rows[-1][1] == "합계" and rows[-1][4] == "4" and rows[-1][10] == "13"

    with page.expect_download() as xlsx_download:
        page.locator("#export-xlsx").click()
    xlsx_path = tmp_path / "report.xlsx"
    xlsx_download.value.save_as(xlsx_path)
    book = load_workbook(xlsx_path)
    assert book.sheetnames == ["요약", "경로당별", "수업별"]
    summary = {row[0]: row[1] for row in book["요약"].iter_rows(values_only=True) if row[0]}
    assert summary["초대(경로당×수업)"] == 4 and summary["연인원"] == 13


def test_coordinator_dashboard_and_print_page_are_accessible(live_server, page):
    clock.freeze(datetime(2026, 11, 20, 3, 0, tzinfo=UTC))
    report_data.build()
    coordinator = UserFactory(role=Role.COORDINATOR)
    login(page, live_server, coordinator.username)
    page.goto(f"{live_server.url}/reports/")
    assert page.locator('[data-figure="invited"]').inner_text() == "10"
    assert all(v["chart"] for v in _chart_state(page).values())
    assert_accessible(page)
    page.goto(f"{live_server.url}/reports/print?from=2026-11-01&to=2026-11-30")
    assert page.locator('[data-figure="headcount"]').inner_text() == "42"
    assert_accessible(page)


def test_care_worklist(live_server, page):
    from datetime import date, timedelta

    from app.extensions import db
    from centers.care import services as care
    from tests.factories import CenterFactory, SessionFactory

    center = CenterFactory(name="조용한 경로당")
    day = date(2026, 11, 2)
    for offset in range(7):
        if (day + timedelta(days=offset)).weekday() < 5:
            SessionFactory(date=day + timedelta(days=offset), centers=[center])
    with live_server_request():
        care.scan(date(2026, 11, 9))
        db.session.commit()
    viewer = UserFactory(role=Role.COUNTY_VIEWER, county_id=center.county_id)
    login(page, live_server, viewer.username)
    page.goto(f"{live_server.url}/care/")
    item = page.locator("article.follow-up")
    assert item.count() == 1 and "조용한 경로당" in item.inner_text()
    assert_accessible(page)
    item.get_by_label("상태").select_option("in_progress")
    item.get_by_label("메모").fill("이장님께 전화로 확인 요청")
    with page.expect_navigation():
        item.get_by_role("button", name="저장").click()
    assert "확인 기록을 저장했습니다." in page.locator(".flashes").inner_text()
    assert page.locator("article.follow-up").get_by_label("상태").input_value() == "in_progress"
    assert_accessible(page)


def live_server_request():
    from flask import current_app

    return current_app.test_request_context()
