"""Random histories (seeded): sessions made, published, moved, re-programmed, cancelled;
invitations added and removed; records made, corrected and deleted with member lists; the clock
moved across the classes' ends. After every few steps the report from the rollups equals the
live report for the whole country and a county, a month, a year and a week, every grouping
(with and without totals, and the dashboard's four at once), and the rollups equal a rebuild."""

import random
from datetime import date, datetime, time, timedelta

import pytest

from app import clock
from app.auth.models import Role
from app.extensions import db
from centers.attendance.models import Attendance, AttendanceMember
from centers.reports import services as reports
from programs.schedule.models import SessionCenter
from tests.centers.reports.test_rollups import rebuilt_rows, rollup_rows
from tests.factories import (
    CenterFactory,
    CountyFactory,
    MemberFactory,
    ProgramFactory,
    SessionFactory,
    UserFactory,
)

DAYS = [date(2026, 11, 2) + timedelta(days=i) for i in range(30)]
PERIODS = [
    (date(2026, 11, 1), date(2026, 11, 30)),
    (date(2026, 1, 1), date(2026, 12, 31)),
    (date(2026, 11, 9), date(2026, 11, 15)),
]
GROUPINGS = [[], ["center"], ["program"], ["category"], ["week"], ["county"],
             ["center", "week", "category", "program"], ["county", "week", "category", "program"]]
STATUSES = ["attended", "absent", "technical_issue", "excused", None]


def _compare(app, users, centers) -> None:
    assert rollup_rows() == rebuilt_rows()
    with app.test_request_context():
        for user, county, center in users:
            for start, end in PERIODS:
                filters = reports.resolve(
                    user, start=start, end=end, county_id=county, center_id=center
                )
                for groupings in GROUPINGS:
                    for totals in (True, False) if groupings == ["week"] else (True,):
                        live = reports._compute_many(
                            user, filters, groupings, want_totals=totals, live=True
                        )
                        rolled = reports._compute_many(
                            user, filters, groupings, want_totals=totals, live=False
                        )
                        assert rolled == live, (user.role, county, center, start, groupings)


@pytest.mark.parametrize("seed", range(3))
def test_rollup_report_equals_live_report(app, seed):
    rng = random.Random(seed)
    clock.freeze(datetime(2026, 11, 10, 9, 0, tzinfo=clock.SEOUL))
    counties = [CountyFactory(), CountyFactory()]
    centers = [CenterFactory(county=counties[i % 2]) for i in range(5)]
    members = {c.id: [MemberFactory(center=c) for _ in range(3)] for c in centers}
    programs = [ProgramFactory(category="leisure"), ProgramFactory(category="health")]
    coordinator = UserFactory(role=Role.COORDINATOR.value)
    viewer = UserFactory(role=Role.COUNTY_VIEWER.value, county_id=counties[0].id)
    manager = UserFactory(role=Role.CENTER_MANAGER.value, center_id=centers[1].id)
    users = [
        (coordinator, None, None),
        (coordinator, counties[1].id, None),
        (coordinator, None, centers[2].id),
        (viewer, None, None),
        (manager, None, None),
    ]
    sessions = []
    for step in range(40):
        action = rng.choice(
            ["create", "create", "record", "record", "record", "edit", "invite", "status", "clock", "delete"]
        )
        if action == "create" or not sessions:
            sessions.append(
                SessionFactory(
                    date=rng.choice(DAYS),
                    start_time=time(rng.choice([9, 10, 14, 23]), rng.choice([0, 30])),
                    duration_minutes=rng.choice([60, 90, 120]),
                    program=rng.choice(programs),
                    status=rng.choice(["published", "published", "draft"]),
                    centers=rng.sample(centers, rng.randint(1, 4)),
                )
            )
        elif action == "record":
            session = rng.choice(sessions)
            invited = session.center_ids or [centers[0].id]
            center_id = rng.choice(invited + [centers[4].id])  # now and then uninvited
            record = db.session.query(Attendance).filter_by(
                session_id=session.id, center_id=center_id
            ).one_or_none()
            if record is None:
                record = Attendance(
                    session_id=session.id, center_id=center_id, session_date=session.date
                )
                db.session.add(record)
            record.status = rng.choice(STATUSES)
            record.headcount = rng.choice([None, 0, 3, 12])
            chosen = rng.sample(members[center_id], rng.randint(0, 3))
            record.members = [AttendanceMember(member_id=m.id) for m in chosen]
        elif action == "edit":
            session = rng.choice(sessions)
            field = rng.choice(["date", "program", "time"])
            if field == "date":
                session.date = rng.choice(DAYS)
            elif field == "program":
                session.program = rng.choice(programs)
            else:
                session.start_time = time(rng.choice([8, 11, 22]), 0)
        elif action == "invite":
            session = rng.choice(sessions)
            if session.invitations and rng.random() < 0.5:
                session.invitations.remove(rng.choice(session.invitations))
            else:
                missing = [c for c in centers if c.id not in session.center_ids]
                if missing:
                    session.invitations.append(SessionCenter(center_id=rng.choice(missing).id))
        elif action == "status":
            session = rng.choice(sessions)
            session.status = rng.choice(["published", "cancelled", "draft"])
        elif action == "clock":
            day = rng.choice(DAYS)
            clock.freeze(datetime.combine(day, time(rng.randint(0, 23), rng.choice([0, 29, 59])),
                                          tzinfo=clock.SEOUL))
        elif action == "delete":
            record = db.session.query(Attendance).first()
            if record is not None:
                db.session.delete(record)
        db.session.commit()
        if step % 10 == 9:
            _compare(app, users, centers)
    _compare(app, users, centers)
