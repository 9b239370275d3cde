"""``GET /api/v1/reports/attendance``: API.md's figures, grouping, defaults, scope and errors."""

from datetime import UTC, datetime

import pytest

from app import clock
from app.auth.models import Role
from tests.centers.reports import report_data
from tests.centers.reports.report_data import (
    EXPECTED_A,
    EXPECTED_ALL,
    EXPECTED_BY_CATEGORY,
    EXPECTED_BY_CENTER,
    EXPECTED_BY_WEEK,
    figures,
)
from tests.factories import UserFactory

URL = "/api/v1/reports/attendance"


@pytest.fixture
def data():
    return report_data.build()


def _get(client, headers, **params):
    return client.get(URL, query_string=params, headers=headers)


def test_report_by_center_for_a_county(client, make_token, data):
    headers = make_token(UserFactory(role=Role.COORDINATOR))
    response = _get(
        client, headers, county_id=data.county_a.id, **{"from": "2026-11-01", "to": "2026-11-30"}
    )
    assert response.status_code == 200, response.json
    body = response.json
    assert body["from"] == "2026-11-01" and body["to"] == "2026-11-30"
    assert figures(body["totals"]) == EXPECTED_A
    rows = {row["key"]: row for row in body["rows"]}
    assert figures(rows[data.c1.id]) == EXPECTED_BY_CENTER["c1"]
    assert figures(rows[data.c2.id]) == EXPECTED_BY_CENTER["c2"]
    assert figures(rows[data.c3.id]) == EXPECTED_BY_CENTER["c3"]
    assert rows[data.c1.id]["label"] == "봉성2리 경로당"


@pytest.mark.parametrize(
    "group_by, expected",
    [
        ("category", EXPECTED_BY_CATEGORY),
        ("week", EXPECTED_BY_WEEK),
    ],
)
def test_report_groupings(client, make_token, data, group_by, expected):
    headers = make_token(UserFactory(role=Role.COORDINATOR))
    body = _get(
        client,
        headers,
        county_id=data.county_a.id,
        group_by=group_by,
        **{"from": "2026-11-01", "to": "2026-11-30"},
    ).json
    assert {row["key"]: figures(row) for row in body["rows"]} == expected
    assert figures(body["totals"]) == EXPECTED_A


def test_report_by_program_and_category_labels_in_english(client, make_token, data):
    headers = {**make_token(UserFactory(role=Role.COORDINATOR)), "Accept-Language": "en"}
    body = _get(
        client,
        headers,
        county_id=data.county_a.id,
        group_by="program",
        **{"from": "2026-11-01", "to": "2026-11-30"},
    ).json
    rows = {row["key"]: row for row in body["rows"]}
    assert figures(rows[data.leisure.id]) == EXPECTED_BY_CATEGORY["leisure"]
    assert rows[data.health.id]["category"] == "health"
    categories = _get(
        client,
        headers,
        county_id=data.county_a.id,
        group_by="category",
        **{"from": "2026-11-01", "to": "2026-11-30"},
    ).json["rows"]
    assert {row["key"]: row["label"] for row in categories} == {
        "leisure": "Leisure",
        "health": "Health",
    }


def test_default_period_is_this_month_and_all_counties(client, make_token, data):
    clock.freeze(datetime(2026, 11, 20, 3, 0, tzinfo=UTC))
    body = _get(client, make_token(UserFactory(role=Role.COORDINATOR))).json
    assert (body["from"], body["to"]) == ("2026-11-01", "2026-11-30")
    assert figures(body["totals"]) == EXPECTED_ALL
    assert {row["key"] for row in body["rows"]} == {data.c1.id, data.c2.id, data.c3.id, data.c4.id}


def test_county_viewer_scope(client, make_token, data):
    headers = make_token(UserFactory(role=Role.COUNTY_VIEWER, county_id=data.county_a.id))
    period = {"from": "2026-11-01", "to": "2026-11-30"}
    own = _get(client, headers, **period)
    assert own.status_code == 200 and figures(own.json["totals"]) == EXPECTED_A
    assert data.c4.id not in {row["key"] for row in own.json["rows"]}
    other = _get(client, headers, county_id=data.county_b.id, **period)
    assert other.status_code == 403 and other.json["error"]["code"] == "forbidden"
    other_center = _get(client, headers, center_id=data.c4.id, **period)
    assert other_center.status_code == 403
    missing = _get(client, headers, county_id=99999, **period)
    assert missing.status_code == 404 and missing.json["error"]["code"] == "not_found"
    assert _get(client, headers, center_id=99999).status_code == 404


def test_roles_without_reports_and_without_login(client, make_token, data):
    instructor = UserFactory(role=Role.INSTRUCTOR, instructor_id=data.sessions["s1"].instructor_id)
    assert _get(client, make_token(instructor)).status_code == 403
    assert client.get(URL).status_code == 401


@pytest.mark.parametrize(
    "params, field",
    [
        ({"group_by": "month"}, "group_by"),
        ({"from": "2026-11-30", "to": "2026-11-01"}, "to"),
        ({"from": "not-a-date"}, "from"),
        ({"county_id": "x"}, "county_id"),
        ({"category": "sports"}, "category"),
    ],
)
def test_bad_arguments_are_422(client, make_token, data, params, field):
    response = _get(client, make_token(UserFactory(role=Role.COORDINATOR)), **params)
    assert response.status_code == 422
    assert response.json["error"]["code"] == "invalid"
    assert response.json["error"]["details"]["field"] == field


def test_report_is_in_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").json
    operation = spec["paths"]["/api/v1/reports/attendance"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"county_id", "from", "to", "group_by"} <= names
