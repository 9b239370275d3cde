"""A session is held once start + duration <= now (the app's clock): until then its invitations
without a status are ``upcoming``, neither unreported nor in the rate — in the service, the API,
the dashboard, the center page, the CSV, the Excel file and the print page alike."""

import csv
import io
import re
from datetime import date, datetime, time, timedelta

import pytest
from openpyxl import load_workbook

from app import clock
from app.auth.models import Role
from centers.reports import services as reports
from tests.factories import AttendanceFactory, CenterFactory, CountyFactory, SessionFactory, UserFactory

TODAY = date(2026, 11, 24)  # a Tuesday
PERIOD = {"from": "2026-11-01", "to": "2026-11-30"}


def seoul(hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime.combine(TODAY, time(hour, minute, second), tzinfo=clock.SEOUL)


@pytest.fixture
def world():
    county = CountyFactory(name="봉화군")
    c1 = CenterFactory(county=county, name="봉성2리 경로당")
    c2 = CenterFactory(county=county, name="물야면 오록1리 경로당")
    yesterday = SessionFactory(date=TODAY - timedelta(days=1), centers=[c1, c2])
    AttendanceFactory(session_obj=yesterday, center=c1, status="attended", headcount=8)
    today = SessionFactory(date=TODAY, start_time=time(10, 0), duration_minutes=60, centers=[c1, c2])
    SessionFactory(date=TODAY + timedelta(days=1), centers=[c1])  # tomorrow: upcoming all day
    viewer = UserFactory(role=Role.COUNTY_VIEWER, username="county", county_id=county.id)
    return {"county": county, "c1": c1, "c2": c2, "today": today, "viewer": viewer}


def _totals(user):
    filters = reports.resolve(user, start=date(2026, 11, 1), end=date(2026, 11, 30))
    return reports.totals(user, filters)


# (moment, record c1 today?, expected figures)
CASES = [
    # 03:30, before the class: today's two and tomorrow's one are upcoming; yesterday's c2 is
    # the only unreported pair; the rate is 1 of 2 held invitations.
    (seoul(3, 30), False, {"invited": 5, "attended": 1, "upcoming": 3, "unreported": 1, "rate": 0.5}),
    # 10:30, during: c1 has reported (it counts), c2 is still upcoming.
    (seoul(10, 30), True, {"invited": 5, "attended": 2, "upcoming": 2, "unreported": 1, "rate": 0.6667}),
    # 10:59:59, the last second: still not ended.
    (seoul(10, 59, 59), True, {"invited": 5, "attended": 2, "upcoming": 2, "unreported": 1, "rate": 0.6667}),
    # 11:00 sharp: start + duration <= now, held; c2 without a status is unreported now.
    (seoul(11, 0), True, {"invited": 5, "attended": 2, "upcoming": 1, "unreported": 2, "rate": 0.5}),
    (seoul(11, 0), False, {"invited": 5, "attended": 1, "upcoming": 1, "unreported": 3, "rate": 0.25}),
]


def _arrange(world, moment, record_c1):
    clock.freeze(moment)
    if record_c1:
        AttendanceFactory(session_obj=world["today"], center=world["c1"], status="attended", headcount=6)


@pytest.mark.parametrize(("moment", "record_c1", "want"), CASES)
def test_service_and_api_before_during_and_after_a_class(app, client, make_token, world, moment, record_c1, want):
    _arrange(world, moment, record_c1)
    with app.test_request_context():
        totals = _totals(world["viewer"])
    got = {
        "invited": totals["invited"],
        "attended": totals["attended"],
        "upcoming": totals["upcoming"],
        "unreported": totals["unreported"],
        "rate": round(totals["participation_rate"], 4),
    }
    assert got == want
    body = client.get("/api/v1/reports/attendance", query_string=PERIOD, headers=make_token(world["viewer"])).json
    assert body["totals"]["upcoming"] == want["upcoming"]
    assert body["totals"]["unreported"] == want["unreported"]
    assert round(body["totals"]["participation_rate"], 4) == want["rate"]
    by_center = {row["key"]: row for row in body["rows"]}
    assert by_center[world["c2"].id]["upcoming"] == (1 if moment < seoul(11) else 0)


def test_a_class_across_midnight_ends_the_next_day(app, world):
    late = SessionFactory(
        date=TODAY - timedelta(days=1),
        start_time=time(23, 30),
        duration_minutes=60,
        centers=[world["c1"]],
    )
    assert late.ends_at == seoul(0, 30)
    clock.freeze(seoul(0, 20))
    with app.test_request_context():
        assert _totals(world["viewer"])["upcoming"] == 4  # today's two, tomorrow's, the late one
    clock.freeze(seoul(0, 30))
    with app.test_request_context():
        assert _totals(world["viewer"])["upcoming"] == 3
    assert reports.has_ended(late)


def _figure(html: str, name: str) -> str:
    match = re.search(rf'data-figure="{name}">([^<]*)<', html)
    assert match, name
    return match.group(1)


def test_pages_and_exports_agree_at_03_30(client, login_as, world):
    _arrange(world, seoul(3, 30), False)
    login_as(world["viewer"])
    dashboard = client.get("/reports/", query_string=PERIOD).get_data(as_text=True)
    assert _figure(dashboard, "upcoming") == "3"
    assert _figure(dashboard, "unreported") == "1"
    assert _figure(dashboard, "participation_rate") == "50.0%"
    # The dashboard's own "this month" stops at today and still counts today's 10:00 class as
    # upcoming at 03:30 (75 % is not 37.5 %: one attended of the held invitations).
    default = client.get("/reports/").get_data(as_text=True)
    assert _figure(default, "upcoming") == "2" and _figure(default, "unreported") == "1"

    center_page = client.get(f"/centers/{world['c2'].id}").get_data(as_text=True)
    assert _figure(center_page, "upcoming") == "1"  # the whole month by default
    assert _figure(center_page, "unreported") == "1"
    assert _figure(center_page, "participation_rate") == "0.0%"
    assert "status-tag--upcoming" in center_page

    text = client.get("/reports/attendance.csv", query_string=PERIOD).data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    total = dict(zip(header, rows[-1], strict=True))
    assert total["예정(아직 끝나지 않음)"] == "3" and total["미보고"] == "1"
    assert total["참여율(%)"] == "50.0"

    book = load_workbook(io.BytesIO(client.get("/reports/attendance.xlsx", query_string=PERIOD).data))
    summary = {row[0]: row[1] for row in book["요약"].iter_rows(values_only=True) if row[0]}
    assert summary["예정(아직 끝나지 않음)"] == 3 and summary["미보고"] == 1
    assert summary["참여율(%)"] == 50.0

    printed = client.get("/reports/print", query_string=PERIOD).get_data(as_text=True)
    assert _figure(printed, "upcoming") == "3" and _figure(printed, "unreported") == "1"
