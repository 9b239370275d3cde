"""Bounded queries: the busiest pages run a number of SQL statements that does not grow with the
rows they show. Each page is measured on a world of 5 and of 25 rows (sessions, centers,
members, follow-ups, attendance records) and the two counts must be equal.

Run with ``-s`` to see the counts (``page: 5 rows -> N statements, 25 rows -> N``).
"""

import re
from datetime import date, datetime, time, timedelta

import pytest

from app import audit, clock
from app.auth.models import Role
from app.extensions import db
from centers.care.models import FollowUp
from tests.factories import (
    AttendanceFactory,
    CenterFactory,
    CountyFactory,
    InstructorFactory,
    MemberFactory,
    ProgramFactory,
    SessionFactory,
    user_for,
)

MONDAY = date(2026, 11, 30)  # ISO week 2026-W49, no public holiday
WEEK = "2026-W49"
NOW = datetime(2026, 11, 30, 8, 0, tzinfo=clock.SEOUL)  # before the first class of the week
SLOTS = (time(9, 0), time(10, 30), time(12, 0), time(13, 30), time(15, 0))
SIZES = (5, 25)


def _populate(rows: int) -> dict:
    """``rows`` of everything a page lists: sessions of one instructor, all inviting the
    manager's center (and one other center each, never overlapping), centers and members of
    one county, an attendance record per session and an open follow-up per member."""
    county = CountyFactory()
    centers = [CenterFactory(county=county) for _ in range(rows)]
    members = [MemberFactory(center=centers[i % rows]) for i in range(rows)]
    instructor = InstructorFactory()
    sessions = []
    for i in range(rows):
        day, slot = divmod(i, len(SLOTS))
        session = SessionFactory(
            program=ProgramFactory(),
            instructor=instructor,
            date=MONDAY + timedelta(days=day % 5),
            start_time=SLOTS[slot],
            centers=[centers[0]] + ([centers[i]] if i else []),
        )
        AttendanceFactory(session_obj=session, center=centers[0], headcount=3 + i % 5)
        sessions.append(session)
    for member in members:
        item = FollowUp(
            kind="absence_streak",
            county_id=county.id,
            center_id=member.center_id,
            member_id=member.id,
            status="in_progress",
            reason="연속 결석",
            note="",
        )
        db.session.add(item)
        db.session.flush()
        # two entries: the worklist then shows the follow-up's history
        audit.record(None, "follow_up.open", "follow_up", item.id, after={"status": "open", "note": ""})
        audit.record(None, "follow_up.update", "follow_up", item.id, after={"status": "in_progress", "note": "전화함"})
    db.session.commit()
    return {
        Role.ADMIN: user_for(Role.ADMIN.value),
        Role.COORDINATOR: user_for(Role.COORDINATOR.value),
        Role.INSTRUCTOR: user_for(Role.INSTRUCTOR.value, instructor_id=instructor.id),
        Role.CENTER_MANAGER: user_for(Role.CENTER_MANAGER.value, center_id=centers[0].id),
        Role.COUNTY_VIEWER: user_for(Role.COUNTY_VIEWER.value, county_id=county.id),
    }


AFTER_THE_WEEK = datetime(2026, 12, 4, 18, 0, tzinfo=clock.SEOUL)  # every class has started
ATTENDANCE = "/attendance?from=2026-11-30&to=2026-12-04"
# What a page lists once per row: its sessions (by program title) or its centers (by name).
SESSIONS = re.compile(r"프로그램 \d+")
CENTERS = re.compile(r"시험\d+리 경로당")

# (name, role, path, what it lists, the moment it is seen at)
PAGES = [
    ("week page", Role.COORDINATOR, f"/weeks/{WEEK}", SESSIONS, NOW),
    ("rooms", Role.INSTRUCTOR, "/rooms", SESSIONS, NOW),
    ("rooms (coordinator)", Role.COORDINATOR, "/rooms", SESSIONS, NOW),
    ("care worklist", Role.COUNTY_VIEWER, "/care/", CENTERS, NOW),
    ("care worklist (coordinator)", Role.COORDINATOR, "/care/", CENTERS, NOW),
    ("centers", Role.COORDINATOR, "/centers", CENTERS, NOW),
    ("centers (county viewer)", Role.COUNTY_VIEWER, "/centers", CENTERS, NOW),
    ("attendance overview", Role.COORDINATOR, ATTENDANCE, SESSIONS, AFTER_THE_WEEK),
    ("attendance overview (county viewer)", Role.COUNTY_VIEWER, ATTENDANCE, SESSIONS, AFTER_THE_WEEK),
    ("attendance overview (center manager)", Role.CENTER_MANAGER, ATTENDANCE, SESSIONS, AFTER_THE_WEEK),
    ("home (admin)", Role.ADMIN, "/home", SESSIONS, NOW),
    ("home (coordinator)", Role.COORDINATOR, "/home", SESSIONS, NOW),
    ("home (instructor)", Role.INSTRUCTOR, "/home", SESSIONS, NOW),
    ("home (center manager)", Role.CENTER_MANAGER, "/home", SESSIONS, NOW),
    ("home (county viewer)", Role.COUNTY_VIEWER, "/home", CENTERS, NOW),
]


def _measure(app, login_as, count_queries, rows: int) -> dict[str, int]:
    """The statement count of every page on a world of ``rows`` rows (rolled back after)."""
    from tests.conftest import rolled_back

    counts = {}
    with rolled_back(app):
        clock.freeze(NOW)
        users = _populate(rows)
        for name, role, path, listed, moment in PAGES:
            clock.freeze(moment)
            client = app.test_client()
            login_as(users[role], client=client)
            with count_queries() as counted:
                response = client.get(path)
            assert response.status_code == 200, (name, response.status_code)
            shown = set(listed.findall(response.get_data(as_text=True)))
            assert len(shown) == rows, (name, rows, sorted(shown))
            if path == "/care/":
                assert response.get_data(as_text=True).count("전화함") == rows, name
            counts[name] = len(counted)
    return counts


@pytest.fixture(scope="module")
def measured(session_app, request):
    """{rows: {page: statements}} for 5 and 25 rows."""
    from tests.conftest import count_statements, login

    def login_as(user, client):
        response = login(client, user.username)
        assert response.status_code == 302

    results = {}
    with session_app.app_context():
        for rows in SIZES:
            results[rows] = _measure(session_app, login_as, lambda: count_statements(db.engine), rows)
        clock.freeze(None)
    for name, *_ in PAGES:
        print(f"{name}: {SIZES[0]} rows -> {results[SIZES[0]][name]} statements, {SIZES[1]} rows -> "
              f"{results[SIZES[1]][name]}")
    return results


@pytest.mark.parametrize("name", [p[0] for p in PAGES])
def test_statements_do_not_grow_with_rows(measured, name):
    small, large = (measured[rows][name] for rows in SIZES)
    assert small == large, f"{name}: {small} statements for {SIZES[0]} rows, {large} for {SIZES[1]}"
