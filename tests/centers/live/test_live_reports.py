"""Help requests counted per center and month, and disconnects, in the reports: the center's
page, the county dashboard's per-center rows and its CSV and Excel exports, the record's page."""

import csv
import io
from datetime import date, datetime, time

import pytest
from openpyxl import load_workbook

from app import clock
from app.auth.models import Role
from app.extensions import db
from centers.live.models import HelpRequest
from tests.factories import AttendanceFactory, CenterFactory, CountyFactory, SessionFactory, UserFactory

SEOUL = clock.SEOUL
NOV = {"from": "2026-11-01", "to": "2026-11-30"}


@pytest.fixture
def world():
    clock.freeze(datetime(2026, 12, 1, 12, 0, tzinfo=SEOUL))
    county = CountyFactory(name="봉화군")
    a, b = CenterFactory(county=county, name="가 경로당"), CenterFactory(county=county, name="나 경로당")
    s1 = SessionFactory(centers=[a, b])
    s2 = SessionFactory(centers=[a, b], date=date(2026, 11, 25))
    s3 = SessionFactory(centers=[a], date=date(2026, 10, 27))

    def ask(session, center, at):
        db.session.add(HelpRequest(session_id=session.id, center_id=center.id, requested_at=at, message=""))

    ask(s1, a, datetime(2026, 11, 24, 10, 5, tzinfo=SEOUL))
    ask(s2, a, datetime(2026, 11, 25, 10, 1, tzinfo=SEOUL))
    ask(s1, b, datetime(2026, 11, 24, 10, 7, tzinfo=SEOUL))
    ask(s3, a, datetime(2026, 10, 27, 10, 2, tzinfo=SEOUL))
    # 1 November, 00:30 in Seoul is still 31 October in UTC: it counts for November
    early = SessionFactory(centers=[a], date=date(2026, 11, 2), start_time=time(0, 30))
    ask(early, a, datetime(2026, 11, 2, 0, 20, tzinfo=SEOUL))
    record = AttendanceFactory(session_obj=s1, center=a, status="attended", headcount=8)
    record.iframe_disconnects, record.jitsi_disconnects = 3, 2
    db.session.commit()
    viewer = UserFactory(role=Role.COUNTY_VIEWER, county_id=county.id)
    return {"a": a, "b": b, "s1": s1, "viewer": viewer, "county": county}


def test_center_page_counts_help_per_month_and_shows_disconnects(login_as, world):
    client = login_as(world["viewer"])
    page = client.get(f"/centers/{world['a'].id}").get_data(as_text=True)
    table = page[page.index('id="center-help"'):]
    table = table[:table.index("</table>")]
    assert "2026년 10월" in table and "2026년 11월" in table and "2026년 12월" in table
    cells = table[table.index("<tbody>"):]
    # ... Jul, Aug, Sep, Oct 1, Nov 3, Dec 0, total 4
    assert "<td>0</td><td>0</td><td>0</td><td>1</td><td>3</td><td>0</td><td>4</td>" in cells.replace("\n", "")
    records = page[page.index('id="center-records"'):]
    assert '<td data-figure="disconnects">3</td>' in records  # the larger of the two sources


def test_record_page_shows_disconnects(login_as, world):
    client = login_as(world["viewer"])
    page = client.get(f"/attendance/sessions/{world['s1'].id}/centers/{world['a'].id}").get_data(as_text=True)
    assert "3번 끊겼다가 다시 들어옴" in page
    other = client.get(f"/attendance/sessions/{world['s1'].id}/centers/{world['b'].id}").get_data(as_text=True)
    assert '<dd data-figure="disconnects">없음</dd>' in other


def test_dashboard_rows_count_help_in_the_period(login_as, world):
    client = login_as(world["viewer"])
    page = client.get("/reports/", query_string={"county_id": world["county"].id, **NOV}).get_data(as_text=True)
    table = page[page.index('id="table-compare"'):]
    rows = table[:table.index("</tbody>")]
    a_row = rows[rows.index(f'data-key="{world["a"].id}"'):]
    a_row = a_row[:a_row.index("</tr>")]
    assert '<td data-figure="help_requests">3</td>' in a_row
    b_row = rows[rows.index(f'data-key="{world["b"].id}"'):]
    assert '<td data-figure="help_requests">1</td>' in b_row[:b_row.index("</tr>")]
    assert "<td>4</td>" in table[table.index("<tfoot>"):table.index("</tfoot>")]


def test_csv_and_excel_carry_help_per_center(login_as, world):
    client = login_as(world["viewer"])
    text = client.get("/reports/attendance.csv", query_string=NOV).data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][-1] == "도움 요청"
    by_name = {row[2]: row[-1] for row in rows[1:-1]}
    assert by_name == {"가 경로당": "3", "나 경로당": "1"}
    assert rows[-1][-1] == "4"
    october = client.get("/reports/attendance.csv", query_string={"from": "2026-10-01", "to": "2026-10-31"})
    rows = list(csv.reader(io.StringIO(october.data.decode("utf-8-sig"))))
    assert {row[2]: row[-1] for row in rows[1:-1]}.get("가 경로당") == "1"

    book = load_workbook(io.BytesIO(client.get("/reports/attendance.xlsx", query_string=NOV).data))
    sheet = book["경로당별"]
    values = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    header = next(r for r in values if r and "경로당" in r)
    column = header.index("도움 요청")
    found = {r[1]: r[column] for r in values if r and r[1] in ("가 경로당", "나 경로당")}
    assert found == {"가 경로당": 3, "나 경로당": 1}


def test_help_by_month_is_one_query(count_queries, world):
    from centers.live import services as live

    center_id = world["a"].id
    with count_queries() as statements:
        counts = live.help_by_month(center_id, date(2026, 10, 1), date(2026, 11, 30))
    assert counts == {date(2026, 10, 1): 1, date(2026, 11, 1): 3}
    assert len(statements) == 1
    assert live.help_counts_in_period([world["a"].id, world["b"].id], date(2026, 11, 1),
                                      date(2026, 11, 30)) == {world["a"].id: 3, world["b"].id: 1}


def test_print_report_counts_help_per_center(login_as, world):
    client = login_as(world["viewer"])
    page = client.get("/reports/print", query_string=NOV).get_data(as_text=True)
    assert page.count('data-figure="help_requests"') == 2
    a_row = page[page.index(f'data-key="{world["a"].id}"'):]
    assert '<td data-figure="help_requests">3</td>' in a_row[:a_row.index("</tr>")]
