"""The rollups are kept current by every write that changes a figure: each test makes one kind
of change and checks the rollups equal a rebuild from the base tables (so it fails when that
update is missing) and that the report from the rollups equals the live report."""

from datetime import date, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from app import clock
from app.auth.models import Role
from app.extensions import db
from centers.attendance import services as attendance
from centers.attendance.models import Attendance
from centers.attendance.records import ensure_record
from centers.reports import rollups
from centers.reports import services as reports
from centers.reports.models import AttendanceMemberRollup, AttendanceRollup, SessionCountyRollup
from programs.schedule import bulk, closures
from programs.schedule import services as schedule
from tests.factories import (
    CenterFactory,
    CountyFactory,
    MemberFactory,
    ProgramFactory,
    SessionFactory,
    UserFactory,
)

DAY = date(2026, 11, 24)  # a Tuesday
AFTER = datetime(2026, 11, 24, 15, 0, tzinfo=clock.SEOUL)
TABLES = (AttendanceRollup, AttendanceMemberRollup, SessionCountyRollup)


def rollup_rows() -> dict[str, list[tuple]]:
    db.session.flush()
    return {
        m.__tablename__: sorted(tuple(r) for r in db.session.execute(sa.select(m.__table__)))
        for m in TABLES
    }


def rebuilt_rows() -> dict[str, list[tuple]]:
    nested = db.session.begin_nested()
    rollups.rebuild(db.session.connection())
    rows = rollup_rows()
    nested.rollback()
    return rows


def assert_current(app, users) -> dict:
    kept = rollup_rows()
    assert kept == rebuilt_rows()
    with app.test_request_context():
        for user in users:
            filters = reports.resolve(user, start=date(2026, 11, 1), end=date(2026, 11, 30))
            for groupings in (["center"], ["program"], ["category"], ["week"], ["county"]):
                assert reports._compute_many(user, filters, groupings, live=False) == (
                    reports._compute_many(user, filters, groupings, live=True)
                )
    return kept


@pytest.fixture
def world(app):
    clock.freeze(AFTER)
    county = CountyFactory(name="봉화군")
    other = CountyFactory(name="부안군")
    c1, c2 = CenterFactory(county=county), CenterFactory(county=county)
    c3 = CenterFactory(county=other)
    m1, m2 = MemberFactory(center=c1), MemberFactory(center=c1)
    session = SessionFactory(date=DAY, centers=[c1, c2, c3])
    coordinator = UserFactory(role=Role.COORDINATOR.value)
    viewer = UserFactory(role=Role.COUNTY_VIEWER.value, county_id=county.id)
    return {
        "county": county,
        "other": other,
        "c1": c1,
        "c2": c2,
        "c3": c3,
        "m1": m1,
        "m2": m2,
        "session": session,
        "coordinator": coordinator,
        "viewer": viewer,
        "users": [coordinator, viewer],
    }


def _record(w, center="c1", status="attended", headcount=8, members=()):
    return attendance.record_attendance(
        w["coordinator"],
        w["session"].id,
        w[center].id,
        status=status,
        headcount=headcount,
        member_ids=[w[m].id for m in members],
    )


def test_a_published_session_is_in_the_rollups(app, world):
    rows = assert_current(app, world["users"])
    assert [r[4] for r in rows["attendance_rollups"]] == [1, 1, 1]  # invited, one per center
    assert len(rows["session_county_rollups"]) == 2  # two counties


def test_recording_attendance_with_members(app, world):
    before = rollup_rows()
    _record(world, members=("m1", "m2"))
    rows = assert_current(app, world["users"])
    assert rows != before
    assert len(rows["attendance_member_rollups"]) == 2


def test_a_correction(app, world):
    _record(world, members=("m1", "m2"))
    db.session.commit()
    _record(world, status="absent", headcount=0, members=())
    rows = assert_current(app, world["users"])
    assert rows["attendance_member_rollups"] == []


def test_recording_through_the_api(app, client, make_token, world):
    headers = make_token(world["coordinator"])
    url = f"/api/v1/sessions/{world['session'].id}/attendance/{world['c2'].id}"
    body = {"status": "technical_issue", "headcount": 0, "client_ref": "retry-1"}
    assert client.put(url, json=body, headers=headers).status_code == 200
    assert client.put(url, json=body, headers=headers).status_code == 200  # an offline replay
    db.session.expire_all()
    rows = assert_current(app, world["users"])
    assert sum(r[7] for r in rows["attendance_rollups"]) == 1  # technical_issue


def test_a_join_event_inserts_a_record(app, world):
    ensure_record(world["session"], world["c3"].id)
    record = db.session.scalars(sa.select(Attendance)).one()
    record.headcount = 4  # a record with no status still adds its headcount
    assert_current(app, world["users"])


def test_a_bulk_update_of_records(app, world):
    _record(world)
    db.session.execute(sa.update(Attendance).values(status="excused", headcount=0))
    rows = assert_current(app, world["users"])
    assert sum(r[8] for r in rows["attendance_rollups"]) == 1  # excused


def test_cancelling_a_session(app, world):
    _record(world)
    schedule.cancel_session(world["coordinator"], world["session"], "비", version=world["session"].version)
    rows = assert_current(app, world["users"])
    assert rows == {t.__tablename__: [] for t in TABLES}


def test_a_closure_uninvites_a_center(app, world):
    _record(world, center="c3")
    closure = closures.create_closure(
        world["coordinator"], date=DAY, reason="휴관", center_id=world["c3"].id
    )
    assert closure.affected[0]["action"] == "uninvited"
    rows = assert_current(app, world["users"])
    assert len(rows["session_county_rollups"]) == 1  # 부안군 no longer counts it


def test_a_closure_cancels_a_session(app, world):
    closure = closures.create_closure(world["coordinator"], date=DAY, reason="전체 휴관")
    assert closure.affected[0]["action"] == "cancelled"
    assert assert_current(app, world["users"])["attendance_rollups"] == []


def test_publishing_a_week(app, world):
    draft = SessionFactory(
        date=DAY + timedelta(days=1), status="draft", published_at=None, centers=[world["c1"]]
    )
    bulk.publish_week(world["coordinator"], "2026-W48")
    db.session.refresh(draft)
    assert draft.status == "published"
    rows = assert_current(app, world["users"])
    assert (world["c1"].id, DAY + timedelta(days=1)) in {(r[0], r[1]) for r in rows["attendance_rollups"]}


@pytest.mark.parametrize(
    "change",
    [
        {"center_ids": "c1"},  # invitations removed
        {"center_ids": "c1 c2 c3 new"},  # one added
        {"date": DAY + timedelta(days=1)},  # moved to another day
        {"program_id": "new"},  # another program (category)
        {"start": time(14, 0)},  # another end time
    ],
)
def test_editing_a_session(app, world, change):
    _record(world, members=("m1",))
    session = world["session"]
    if "center_ids" in change:
        names = change["center_ids"].split()
        if "new" in names:
            world["new"] = CenterFactory(county=world["other"])
        change = {"center_ids": [world[n].id for n in names]}
    if change.get("program_id") == "new":
        change = {"program_id": ProgramFactory(category="health").id}
    schedule.update_session(world["coordinator"], session, change, version=session.version)
    assert_current(app, world["users"])


def test_rescheduling_a_session(app, world):
    _record(world)
    session = world["session"]
    schedule.reschedule_session(
        world["coordinator"], session, date=DAY + timedelta(days=2), version=session.version
    )
    rows = assert_current(app, world["users"])
    assert {r[1] for r in rows["attendance_rollups"]} == {DAY + timedelta(days=2)}


def test_a_center_moving_county(app, world):
    world["c2"].county_id = world["other"].id
    rows = assert_current(app, world["users"])
    assert len(rows["session_county_rollups"]) == 2
    world["c1"].county_id = world["other"].id
    rows = assert_current(app, world["users"])
    assert {r[1] for r in rows["session_county_rollups"]} == {world["other"].id}


def test_time_travel_needs_no_update(app, world):
    """``upcoming`` is read against now: the same rows answer before and after the end."""
    clock.freeze(datetime(2026, 11, 24, 10, 30, tzinfo=clock.SEOUL))
    assert_current(app, world["users"])
    clock.freeze(datetime(2026, 11, 24, 11, 0, tzinfo=clock.SEOUL))
    assert_current(app, world["users"])


def test_rebuild_command_is_idempotent(app, world):
    _record(world, members=("m1",))
    db.session.commit()
    before = rollup_rows()
    db.session.execute(sa.delete(AttendanceRollup.__table__))
    runner = app.test_cli_runner()
    for _ in range(2):
        result = runner.invoke(args=["reports", "rebuild-rollups", "--from", "2026-11-01", "--to", "2026-11-30"])
        assert result.exit_code == 0, result.output
        assert "attendance_rollups 3" in result.output
    db.session.expire_all()
    assert rollup_rows() == before


def test_publishing_a_big_week_set_based(app, world, monkeypatch):
    """More than a few sessions: the pairs are recomputed in the database, not listed."""
    drafts = [
        SessionFactory(
            date=DAY + timedelta(days=i % 3),
            start_time=time(8 + i % 10, 0),
            status="draft",
            published_at=None,
            centers=[world["c1"], world["c3"]] if i % 2 else [world["c2"]],
        )
        for i in range(25)
    ]
    # the same center, day, program and end as the published session: the sums add up
    twin = SessionFactory(
        date=DAY, program=world["session"].program, status="draft", published_at=None,
        centers=[world["c1"]],
    )
    _record(world, members=("m1",))
    added = []
    monkeypatch.setattr(
        rollups, "add_sessions", lambda c, ids, real=rollups.add_sessions: added.append(ids) or real(c, ids)
    )
    bulk.publish_week(world["coordinator"], "2026-W48")
    assert sorted(added[0]) == sorted([d.id for d in drafts] + [twin.id])
    rows = assert_current(app, world["users"])
    assert len(rows["session_county_rollups"]) == 2 + 12 * 2 + 13 + 1
    assert sum(r[4] for r in rows["attendance_rollups"]) == 3 + 12 * 2 + 13 + 1
    assert max(r[4] for r in rows["attendance_rollups"]) == 2  # c1's two classes at 10:00
