"""The report service: every figure of API.md's report on known data, scope, periods, extras."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from app import clock
from app.auth.models import Role
from app.errors import Forbidden, Invalid, NotFound
from centers.reports import center_report
from centers.reports import services as reports
from tests.centers.reports import report_data
from tests.centers.reports.report_data import (
    EXPECTED_A,
    EXPECTED_ALL,
    EXPECTED_BY_CATEGORY,
    EXPECTED_BY_CENTER,
    EXPECTED_BY_WEEK,
    NOV,
    figures,
)
from tests.factories import AttendanceFactory, CenterFactory, SessionFactory, UserFactory


@pytest.fixture(autouse=True)
def _request(app):
    """Domain errors and labels are translated: services run inside a request, as in the app."""
    with app.test_request_context():
        yield


@pytest.fixture
def data():
    return report_data.build()


def _filters(user, **kw):
    kw.setdefault("start", NOV[0])
    kw.setdefault("end", NOV[1])
    return reports.resolve(user, **kw)


def test_county_totals_and_rows_by_center(data):
    coordinator = UserFactory(role=Role.COORDINATOR)
    report = reports.attendance_report(
        coordinator, _filters(coordinator, county_id=data.county_a.id), "center"
    )
    assert report["from"] == NOV[0] and report["to"] == NOV[1]
    assert figures(report["totals"]) == EXPECTED_A
    by_label = {row["label"]: figures(row) for row in report["rows"]}
    assert by_label == {
        data.c1.name: EXPECTED_BY_CENTER["c1"],
        data.c2.name: EXPECTED_BY_CENTER["c2"],
        data.c3.name: EXPECTED_BY_CENTER["c3"],
    }
    keys = {row["key"] for row in report["rows"]}
    assert keys == {data.c1.id, data.c2.id, data.c3.id}
    assert all(row["county"] == "봉화군" for row in report["rows"])
    assert report["totals"]["average_headcount"] == 8.8  # 35 / 4 attended records


def test_rows_by_category_week_and_program(data):
    coordinator = UserFactory(role=Role.COORDINATOR)
    filters = _filters(coordinator, county_id=data.county_a.id)
    by_category = {
        row["key"]: figures(row) for row in reports.grouped(coordinator, filters, "category")
    }
    assert by_category == EXPECTED_BY_CATEGORY
    weeks = reports.grouped(coordinator, filters, "week")
    assert [row["key"] for row in weeks] == ["2026-W45", "2026-W46"]
    assert {row["key"]: figures(row) for row in weeks} == EXPECTED_BY_WEEK
    assert weeks[0]["week_start"] == date(2026, 11, 2)
    programs = {
        row["label"]: figures(row) for row in reports.grouped(coordinator, filters, "program")
    }
    assert programs["웃음치료"] == EXPECTED_BY_CATEGORY["leisure"]
    assert programs["실버체조"] == EXPECTED_BY_CATEGORY["health"]


def test_all_counties_and_category_filter(data):
    coordinator = UserFactory(role=Role.COORDINATOR)
    filters = _filters(coordinator)
    assert figures(reports.totals(coordinator, filters)) == EXPECTED_ALL
    by_county = {row["label"]: row for row in reports.grouped(coordinator, filters, "county")}
    assert by_county["봉화군"]["invited"] == 9 and by_county["부안군"]["invited"] == 1
    health = _filters(coordinator, county_id=data.county_a.id, category="health")
    assert figures(reports.totals(coordinator, health)) == EXPECTED_BY_CATEGORY["health"]


def test_one_center(data):
    coordinator = UserFactory(role=Role.COORDINATOR)
    filters = _filters(coordinator, center_id=data.c2.id)
    assert filters.county.id == data.county_a.id
    assert figures(reports.totals(coordinator, filters)) == EXPECTED_BY_CENTER["c2"]


def test_county_viewer_sees_own_county_only(data):
    viewer = UserFactory(role=Role.COUNTY_VIEWER, county_id=data.county_a.id)
    filters = reports.resolve(viewer, start=NOV[0], end=NOV[1])
    assert filters.county.id == data.county_a.id
    assert figures(reports.totals(viewer, filters)) == EXPECTED_A
    with pytest.raises(Forbidden):
        reports.resolve(viewer, county_id=data.county_b.id)
    with pytest.raises(Forbidden):
        reports.resolve(viewer, center_id=data.c4.id)
    with pytest.raises(NotFound):
        reports.resolve(viewer, county_id=99999)
    with pytest.raises(NotFound):
        reports.resolve(viewer, center_id=99999)


def test_center_manager_sees_own_center_and_instructor_none(data):
    manager = UserFactory(
        role=Role.CENTER_MANAGER, center_id=data.c1.id, county_id=data.county_a.id
    )
    filters = reports.resolve(manager, start=NOV[0], end=NOV[1])
    assert figures(reports.totals(manager, filters)) == EXPECTED_BY_CENTER["c1"]
    with pytest.raises(Forbidden):
        reports.resolve(manager, center_id=data.c2.id)
    instructor = UserFactory(role=Role.INSTRUCTOR, instructor_id=data.sessions["s1"].instructor_id)
    with pytest.raises(Forbidden):
        reports.resolve(instructor)


def test_period_defaults_and_validation(data):
    coordinator = UserFactory(role=Role.COORDINATOR)
    clock.freeze(datetime(2026, 11, 20, 3, 0, tzinfo=UTC))
    filters = reports.resolve(coordinator)
    assert (filters.start, filters.end) == NOV
    clock.freeze(datetime(2026, 11, 30, 16, 0, tzinfo=UTC))  # 12-01 01:00 in Seoul
    assert reports.resolve(coordinator).start == date(2026, 12, 1)
    assert reports.resolve(coordinator, start=date(2026, 2, 10)).end == date(2026, 2, 28)
    with pytest.raises(Invalid) as err:
        reports.resolve(coordinator, start=date(2026, 11, 30), end=date(2026, 11, 1))
    assert err.value.details["field"] == "to"
    with pytest.raises(Invalid):
        reports.resolve(coordinator, county_id=data.county_a.id, center_id=data.c4.id)
    with pytest.raises(Invalid):
        reports.resolve(coordinator, category="sports")


def test_period_bounds_are_inclusive(data):
    coordinator = UserFactory(role=Role.COORDINATOR)
    one_day = _filters(
        coordinator, county_id=data.county_a.id, start=date(2026, 11, 3), end=date(2026, 11, 3)
    )
    totals = reports.totals(coordinator, one_day)
    assert (totals["sessions"], totals["invited"], totals["attended"]) == (1, 3, 1)
    december = _filters(
        coordinator, county_id=data.county_a.id, start=date(2026, 12, 1), end=date(2026, 12, 31)
    )
    assert reports.totals(coordinator, december)["headcount"] == 9


def test_empty_period_has_zero_figures(data):
    coordinator = UserFactory(role=Role.COORDINATOR)
    filters = _filters(coordinator, start=date(2026, 1, 1), end=date(2026, 1, 31))
    totals = reports.totals(coordinator, filters)
    assert (
        totals["invited"] == 0
        and totals["participation_rate"] == 0.0
        and totals["average_headcount"] == 0.0
    )
    assert reports.grouped(coordinator, filters, "center") == []


def test_quick_periods():
    assert reports.month_range(date(2026, 2, 14)) == (date(2026, 2, 1), date(2026, 2, 28))
    assert reports.quarter_range(date(2026, 11, 24)) == (date(2026, 10, 1), date(2026, 12, 31))
    assert reports.quarter_range(date(2026, 1, 1)) == (date(2026, 1, 1), date(2026, 3, 31))
    assert reports.iso_week(date(2026, 11, 24)) == "2026-W48"


def _weekdays(start: date, n: int) -> list[date]:
    days, day = [], start
    while len(days) < n:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def test_silent_centers():
    quiet = CenterFactory(name="조용한 경로당")
    county = quiet.county
    joined_late = CenterFactory(county=county, name="늦게 접속한 경로당")
    failing = CenterFactory(county=county, name="접속 장애 경로당")
    fine = CenterFactory(county=county, name="잘 나오는 경로당")
    days = _weekdays(date(2026, 11, 2), 7)  # 11-02 .. 11-10
    for index, day in enumerate(days):
        session = SessionFactory(date=day, centers=[quiet, joined_late, failing, fine])
        if index == 0:
            AttendanceFactory(session_obj=session, center=quiet, status="attended")
        if index == 6:
            AttendanceFactory(
                session_obj=session,
                center=joined_late,
                status=None,
                headcount=None,
                joined_at=clock.local_datetime(day, time(9, 58)),
            )
        AttendanceFactory(
            session_obj=session, center=failing, status="technical_issue", headcount=0
        )
        AttendanceFactory(session_obj=session, center=fine, status="attended")
    coordinator = UserFactory(role=Role.COORDINATOR)
    clock.freeze(datetime(2026, 11, 20, 3, 0, tzinfo=UTC))
    filters = reports.resolve(coordinator, county_id=county.id)
    silent = {row["center"]: row for row in reports.silent_centers(coordinator, filters)}
    assert set(silent) == {"조용한 경로당", "접속 장애 경로당"}
    assert silent["조용한 경로당"]["days"] == 6
    assert silent["조용한 경로당"]["last_joined"] == date(2026, 11, 2)
    assert silent["조용한 경로당"]["first_missed"] == date(2026, 11, 3)
    assert silent["접속 장애 경로당"]["days"] == 7 and silent["접속 장애 경로당"]["beyond_lookback"]
    # As of 11-06 the quiet center missed only 4 scheduled days; the late one had not joined yet.
    early = reports.resolve(
        coordinator, county_id=county.id, start=date(2026, 11, 1), end=date(2026, 11, 6)
    )
    assert {row["center"]: row["days"] for row in reports.silent_centers(coordinator, early)} == {
        "접속 장애 경로당": 5,
        "늦게 접속한 경로당": 5,
    }
    viewer = UserFactory(role=Role.COUNTY_VIEWER, county_id=CenterFactory().county_id)
    assert reports.silent_centers(viewer, reports.resolve(viewer)) == []


def test_member_attendance_over_time(data):
    coordinator = UserFactory(role=Role.COORDINATOR)
    result = center_report.member_attendance(
        coordinator, data.c1, months=2, until=date(2026, 12, 15)
    )
    assert result["months"] == [date(2026, 11, 1), date(2026, 12, 1)]
    assert result["held"] == [
        3,
        1,
    ]  # c1 attended 3 published sessions in November (s3 cancelled), 1 in December
    counts = {row["member"].name: row["counts"] for row in result["members"]}
    assert counts == {"김순자": [2, 1], "이영자": [2, 0], "박정순": [1, 0]}
    instructor = UserFactory(role=Role.INSTRUCTOR, instructor_id=data.sessions["s1"].instructor_id)
    assert center_report.member_attendance(instructor, data.c1) is None


def test_center_records(data):
    coordinator = UserFactory(role=Role.COORDINATOR)
    rows = center_report.center_records(coordinator, data.c1, until=date(2026, 11, 30))
    dates = [s.date for s, _, _ in rows]
    assert dates == [
        date(2026, 11, 9),
        date(2026, 11, 5),
        date(2026, 11, 4),
        date(2026, 11, 3),
    ]  # no draft
    by_date = {s.date: (rec.status if rec else None, n) for s, rec, n in rows}
    assert by_date[date(2026, 11, 3)] == ("attended", 2)
    assert rows[1][0].status == "cancelled"
