"""The county dashboard, the center page's figures, the exports (CSV, Excel read back with
openpyxl) and the printable report: the same numbers as the API, and scope everywhere."""

import csv
import io
import re
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook

from app import clock
from app.auth.models import Role
from tests.centers.reports import report_data
from tests.centers.reports.report_data import (
    EXPECTED_A,
    EXPECTED_ALL,
    EXPECTED_BY_CATEGORY,
    EXPECTED_BY_CENTER,
)
from tests.factories import UserFactory

NOV = {"from": "2026-11-01", "to": "2026-11-30"}
MEMBER_NAMES = ("김순자", "이영자", "박정순", "최옥순")
CSV_FIGURES = [
    "sessions",
    "invited",
    "attended",
    "absent",
    "technical_issue",
    "excused",
    "upcoming",
    "unreported",
    "headcount",
    "members",
    "participation_rate",
]


@pytest.fixture
def data():
    return report_data.build()


@pytest.fixture
def viewer(data):
    return UserFactory(role=Role.COUNTY_VIEWER, county_id=data.county_a.id)


def _figures_on_page(html: str) -> dict:
    found = dict(re.findall(r'data-figure="(\w+)">([^<]+)<', html))
    return {k: v.strip() for k, v in found.items()}


def _expected_on_page(expected: dict) -> dict:
    out = {k: f"{v:,}" for k, v in expected.items() if k != "participation_rate"}
    out["participation_rate"] = f"{expected['participation_rate'] * 100:.1f}%"
    return out


def test_dashboard_shows_every_figure_for_the_county_viewer(client, login_as, data, viewer):
    login_as(viewer)
    response = client.get("/reports/", query_string=NOV)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    figures = _figures_on_page(html)
    assert {k: figures[k] for k in EXPECTED_A} == _expected_on_page(EXPECTED_A)
    assert figures["average_headcount"] == "8.8"
    assert "봉화군 스마트경로당 화상 프로그램 참여 현황" in html
    for center in (data.c1, data.c2, data.c3):
        assert center.name in html
    assert data.c4.name not in html and "부안군" not in html
    assert (
        'id="chart-weekly"' in html
        and 'id="chart-compare"' in html
        and 'id="chart-category"' in html
    )
    assert "vendor/chartjs/chart.umd.min.js" in html and "cdn" not in html.lower()
    # The per-center table has the county's rows with the API's numbers.
    assert re.search(r"봉성2리 경로당</a></th>\s*<td>3</td><td>3</td><td>3</td>", html)


def test_dashboard_defaults_to_this_month_and_filters(client, login_as, data, viewer):
    clock.freeze(datetime(2026, 11, 20, 3, 0, tzinfo=UTC))
    login_as(viewer)
    html = client.get("/reports/").get_data(as_text=True)
    # This month up to today: sessions still to come are not counted as unreported yet.
    assert 'value="2026-11-01"' in html and 'value="2026-11-20"' in html
    assert _figures_on_page(html)["invited"] == "9"
    health = client.get("/reports/", query_string={**NOV, "category": "health"}).get_data(
        as_text=True
    )
    assert _figures_on_page(health)["invited"] == str(EXPECTED_BY_CATEGORY["health"]["invited"])
    one = client.get("/reports/", query_string={**NOV, "center_id": data.c2.id}).get_data(
        as_text=True
    )
    assert _figures_on_page(one)["headcount"] == str(EXPECTED_BY_CENTER["c2"]["headcount"])
    quarter = client.get("/reports/").get_data(as_text=True)
    assert "from=2026-10-01&amp;to=2026-11-20" in quarter  # quick pick: this quarter, to date
    assert "from=2025-10-01&amp;to=2026-11-20" in quarter  # quick pick: the support year, to date
    assert "from=2026-10-01&amp;to=2026-10-31" in quarter  # quick pick: last month, whole


def test_coordinator_sees_all_counties_or_one(client, login_as, data):
    login_as(UserFactory(role=Role.COORDINATOR))
    html = client.get("/reports/", query_string=NOV).get_data(as_text=True)
    assert {
        k: v for k, v in _figures_on_page(html).items() if k in EXPECTED_ALL
    } == _expected_on_page(EXPECTED_ALL)
    assert "군별 비교" in html and "부안군" in html
    one = client.get("/reports/", query_string={**NOV, "county_id": data.county_b.id}).get_data(
        as_text=True
    )
    assert _figures_on_page(one)["headcount"] == "7"


@pytest.mark.parametrize(
    "path", ["/reports/", "/reports/attendance.csv", "/reports/attendance.xlsx", "/reports/print"]
)
def test_scope_on_every_page_and_export(client, login_as, data, viewer, path):
    login_as(viewer)
    assert client.get(path, query_string={"county_id": data.county_b.id}).status_code == 403
    assert client.get(path, query_string={"center_id": data.c4.id}).status_code == 403
    assert client.get(path, query_string={"county_id": 99999}).status_code == 404
    assert client.get(path, query_string={"center_id": 99999}).status_code == 404
    assert client.get(path, query_string={"county_id": data.county_a.id, **NOV}).status_code == 200


def test_instructor_and_anonymous_get_no_reports(client, login_as, data):
    assert client.get("/reports/").status_code == 302  # to the login page
    login_as(UserFactory(role=Role.INSTRUCTOR, instructor_id=data.sessions["s1"].instructor_id))
    assert client.get("/reports/").status_code == 403
    assert client.get("/reports/attendance.csv").status_code == 403


def test_bad_dates_are_refused_politely(client, login_as, viewer):
    login_as(viewer)
    response = client.get("/reports/", query_string={"from": "2026-13-01"})
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "YYYY-MM-DD" in page


def test_csv_export(client, login_as, data, viewer):
    login_as(viewer)
    response = client.get("/reports/attendance.csv", query_string=NOV)
    assert response.status_code == 200
    assert response.mimetype == "text/csv" and response.mimetype_params["charset"] == "utf-8"
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    raw = response.data
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:3] == ["번호", "군", "경로당"] and rows[0][-2:] == ["참여율(%)", "도움 요청"]
    by_name = {row[2]: row for row in rows[1:]}
    for key, center in (("c1", data.c1), ("c2", data.c2), ("c3", data.c3)):
        expected = EXPECTED_BY_CENTER[key]
        assert by_name[center.name][-1] == "0"  # no help requests in this world
        assert by_name[center.name][3:-1] == [
            str(expected[k]) if k != "participation_rate" else f"{expected[k] * 100:.1f}"
            for k in CSV_FIGURES
        ]
    total = rows[-1]
    assert total[1] == "합계"
    assert total[3:-1] == [
        str(EXPECTED_A[k]) if k != "participation_rate" else "57.1" for k in CSV_FIGURES
    ]
    assert total[-1] == "0"
    assert data.c4.name not in raw.decode("utf-8-sig")
    assert not any(name in raw.decode("utf-8-sig") for name in MEMBER_NAMES)


def test_csv_by_category_and_week(client, login_as, data, viewer):
    login_as(viewer)
    text = client.get(
        "/reports/attendance.csv", query_string={**NOV, "group_by": "category"}
    ).data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert [r[0] for r in rows[1:-1]] == ["1", "2"]  # row numbers, not internal keys
    assert "health" not in text and "leisure" not in text
    by_label = {r[1]: r for r in rows[1:-1]}
    assert by_label["건강"][2:5] == ["3", "5", "3"]
    week = client.get(
        "/reports/attendance.csv", query_string={**NOV, "group_by": "week"}
    ).data.decode("utf-8-sig")
    assert "2026-W45" in week and "2026-W46" in week
    assert (
        client.get("/reports/attendance.csv", query_string={"group_by": "year"}).status_code == 302
    )


def _sheet_rows(sheet):
    return [[c for c in row] for row in sheet.iter_rows(values_only=True)]


def test_excel_export_for_the_county_viewer(client, login_as, data, viewer):
    clock.freeze(datetime(2026, 12, 2, 3, 0, tzinfo=UTC))
    login_as(viewer)
    response = client.get("/reports/attendance.xlsx", query_string=NOV)
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["요약", "경로당별", "수업별"]  # no member sheet for a county viewer
    summary = book["요약"]
    assert summary["A1"].value == "봉화군 스마트경로당 화상 프로그램 참여 현황"
    assert summary["A2"].value == "기간: 2026년 11월 1일 (일) ~ 2026년 11월 30일 (월)"
    values = {row[0]: row[1] for row in _sheet_rows(summary) if row[0] and row[1] is not None}
    assert values["수업 수"] == 5 and values["초대(경로당×수업)"] == 9 and values["참여"] == 4
    assert values["불참"] == 1 and values["접속 장애"] == 1 and values["사유 불참"] == 1
    assert values["미보고"] == 2 and values["연인원"] == 35 and values["참여 어르신(실인원)"] == 4
    assert values["참여율(%)"] == 57.1 and values["평균 참여 인원(참여 1회당)"] == 8.8

    centers = _sheet_rows(book["경로당별"])
    header = next(i for i, row in enumerate(centers) if row[0] == "군")
    body = {row[1]: row for row in centers[header + 1 :] if row[1]}
    assert list(body[data.c1.name][2:13]) == [3, 3, 3, 0, 0, 0, 0, 0, 30, 3, 100.0]
    assert list(body["합계"][2:13]) == [5, 9, 4, 1, 1, 1, 0, 2, 35, 4, 57.1]
    assert data.c4.name not in body

    sessions = _sheet_rows(book["수업별"])
    header = next(i for i, row in enumerate(sessions) if row[0] == "날짜")
    listed = [row for row in sessions[header + 1 :] if row[0] and row[2] != "합계"]
    assert [row[0].date().isoformat() for row in listed] == [
        "2026-11-03",
        "2026-11-04",
        "2026-11-09",
        "2026-11-10",
        "2026-11-13",
    ]  # no cancelled, no draft
    s4 = listed[2]
    assert (
        s4[2] == "실버체조" and s4[3] == "건강" and list(s4[5:7]) == [2, 1]
    )  # only county A's centers
    total = next(row for row in sessions if row[2] == "합계")
    assert list(total[5:15]) == [9, 4, 1, 1, 1, 0, 2, 35, 4, 57.1]
    everything = " ".join(
        str(v) for ws in book for row in ws.iter_rows(values_only=True) for v in row if v
    )
    assert not any(name in everything for name in MEMBER_NAMES)


def test_excel_member_sheet_for_coordinators_and_when_policy_allows(
    client, login_as, app_config, data, viewer
):
    login_as(UserFactory(role=Role.COORDINATOR))
    book = load_workbook(
        io.BytesIO(
            client.get(
                "/reports/attendance.xlsx", query_string={**NOV, "county_id": data.county_a.id}
            ).data
        )
    )
    assert book.sheetnames[-1] == "어르신별"
    rows = {row[1]: row for row in _sheet_rows(book["어르신별"]) if row[1] in MEMBER_NAMES}
    assert {name: row[3] for name, row in rows.items()} == {
        "김순자": 2,
        "이영자": 2,
        "박정순": 1,
        "최옥순": 1,
    }
    app_config(REPORT_EXPORT_MEMBER_NAMES_TO_COUNTY=True)
    client.post("/auth/logout", data={"csrf_token": _csrf(client)})
    login_as(viewer)
    book = load_workbook(io.BytesIO(client.get("/reports/attendance.xlsx", query_string=NOV).data))
    assert "어르신별" in book.sheetnames


def _csrf(client):
    from tests.conftest import csrf_token

    return csrf_token(client, "/home")


def test_print_page(client, login_as, data, viewer):
    login_as(viewer)
    response = client.get("/reports/print", query_string=NOV)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "size: A4" in client.get("/reports/static/reports.css").get_data(as_text=True)
    assert "봉화군 스마트경로당 화상 프로그램 참여 현황" in html and "2026년 11월 1일" in html
    assert {
        k: v for k, v in _figures_on_page(html).items() if k in EXPECTED_A
    } == _expected_on_page(EXPECTED_A)
    assert data.c3.name in html and data.c4.name not in html
    assert not any(name in html for name in MEMBER_NAMES)


def test_center_page_figures_records_and_members(client, login_as, data, viewer):
    clock.freeze(datetime(2026, 11, 20, 3, 0, tzinfo=UTC))
    login_as(viewer)
    html = client.get(f"/centers/{data.c1.id}", query_string=NOV).get_data(as_text=True)
    figures = _figures_on_page(html)
    assert {k: figures[k] for k in EXPECTED_A} == _expected_on_page(EXPECTED_BY_CENTER["c1"])
    assert 'id="center-records"' in html and "실버체조" in html
    assert 'id="member-attendance"' in html and "김순자" in html
    assert client.get(f"/centers/{data.c4.id}").status_code == 403


def test_center_page_for_an_instructor_has_no_figures(client, login_as, data):
    instructor = UserFactory(role=Role.INSTRUCTOR, instructor_id=data.sessions["s1"].instructor_id)
    login_as(instructor)
    response = client.get(f"/centers/{data.c1.id}")
    assert response.status_code == 200
    assert "data-figure" not in response.get_data(as_text=True)


def test_center_manager_sees_own_center_report(client, login_as, data):
    login_as(
        UserFactory(role=Role.CENTER_MANAGER, center_id=data.c2.id, county_id=data.county_a.id)
    )
    html = client.get(f"/centers/{data.c2.id}", query_string=NOV).get_data(as_text=True)
    assert _figures_on_page(html)["headcount"] == "5"
    assert (
        client.get("/reports/attendance.csv", query_string={"center_id": data.c1.id}).status_code
        == 403
    )


def test_print_page_with_a_reversed_or_unreadable_period_shows_the_error(client, login_as, data, viewer):
    login_as(viewer)
    reversed_ = client.get("/reports/print?from=2026-11-20&to=2026-11-01")
    assert reversed_.status_code == 422
    html = reversed_.get_data(as_text=True)
    assert "기간의 끝이 시작보다 빠릅니다." in html and "1. 요약" not in html
    unreadable = client.get("/reports/print?from=xx")
    assert unreadable.status_code == 422
    assert "날짜는 YYYY-MM-DD 형식으로 입력하세요." in unreadable.get_data(as_text=True)
