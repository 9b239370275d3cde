"""The scheduling services: create, change, cancel, reschedule, repeat, conflicts."""

from datetime import date, time

import pytest
import sqlalchemy as sa

from app import audit
from app.auth.models import Role
from app.errors import Conflict, Forbidden, Invalid, RuleViolation, Stale
from app.extensions import db
from programs.rooms.models import VideoRoom
from programs.schedule import services as scheduling
from programs.schedule.models import Session
from tests.factories import (
    CenterFactory,
    ClosureFactory,
    CountyFactory,
    InstructorFactory,
    ProgramFactory,
    SessionFactory,
    UserFactory,
)

TUE = date(2026, 11, 24)


@pytest.fixture
def world():
    county = CountyFactory(name="봉화군")
    other = CountyFactory(name="부안군")
    return {
        "coordinator": UserFactory(role=Role.COORDINATOR),
        "program": ProgramFactory(title="웃음치료", duration_minutes=50),
        "instructor": InstructorFactory(name="김미숙"),
        "a": CenterFactory(county=county),
        "b": CenterFactory(county=county),
        "c": CenterFactory(county=other),
    }


def create(w, **kw):
    args = dict(
        program_id=w["program"].id,
        instructor_id=w["instructor"].id,
        date=TUE,
        start=time(10, 0),
        center_ids=[w["a"].id, w["b"].id],
    )
    args.update(kw)
    session = scheduling.create_session(w["coordinator"], **args)
    db.session.commit()
    return session


def test_create_makes_a_draft_with_its_room_and_program_length(world):
    session = create(world)
    assert session.status == "draft" and session.published_at is None
    assert session.duration_minutes == 50
    assert session.center_ids == sorted([world["a"].id, world["b"].id])
    assert session.room.name.startswith("ieum-") and len(session.room.name) == 31
    assert session.version == 1 and session.sequence == 0
    assert [e.action for e in audit.history("session", session.id)] == ["session.create"]


def test_default_centers_are_those_in_their_support_period(world):
    CenterFactory(county=CountyFactory(support=[(date(2025, 10, 1), date(2026, 9, 30))]))
    CenterFactory(active=False)
    session = create(world, center_ids=None)
    assert session.center_ids == sorted([world["a"].id, world["b"].id, world["c"].id])


def test_only_coordinators_schedule(world):
    viewer = UserFactory(role=Role.COUNTY_VIEWER, county_id=world["a"].county_id)
    with pytest.raises(Forbidden):
        scheduling.create_session(
            viewer,
            program_id=world["program"].id,
            instructor_id=world["instructor"].id,
            date=TUE,
            start=time(10),
            center_ids=[world["a"].id],
        )


@pytest.mark.parametrize(
    "day, code",
    [
        (date(2026, 11, 28), "weekend"),
        (date(2026, 9, 25), "holiday"),
        (date(2026, 6, 3), "holiday"),
        (date(2027, 2, 9), "holiday"),
        (date(2027, 10, 5), "outside_support_period"),
    ],
)
def test_create_refuses_dates_by_rule(world, day, code):
    with pytest.raises(RuleViolation) as info:
        create(world, date=day)
    assert info.value.code == code
    assert db.session.scalar(sa.select(sa.func.count(Session.id))) == 0


def test_create_refuses_closed_days(world):
    ClosureFactory(date=TUE, center_id=world["b"].id, reason="수리")
    with pytest.raises(RuleViolation) as info:
        create(world)
    assert info.value.code == "closed" and info.value.details["center_ids"] == [world["b"].id]
    create(world, center_ids=[world["a"].id])


@pytest.mark.parametrize(
    "kw, field",
    [
        ({"center_ids": []}, "center_ids"),
        ({"center_ids": [99999]}, "center_ids"),
        ({"program_id": 99999}, "program_id"),
        ({"instructor_id": 99999}, "instructor_id"),
        ({"duration_minutes": 5}, "duration_minutes"),
        ({"start": time(23, 30)}, "start"),
    ],
)
def test_create_refuses_bad_fields(world, kw, field):
    with pytest.raises(Invalid) as info:
        create(world, **kw)
    assert info.value.details["field"] == field


def test_retired_program_instructor_and_inactive_center_are_refused(world):
    world["program"].active = False
    db.session.commit()
    with pytest.raises(Invalid):
        create(world)
    world["program"].active, world["instructor"].active = True, False
    db.session.commit()
    with pytest.raises(Invalid):
        create(world)
    world["instructor"].active, world["a"].active = True, False
    db.session.commit()
    with pytest.raises(Invalid) as info:
        create(world)
    assert info.value.details["center_ids"] == [world["a"].id]


def test_instructor_conflict(world):
    first = create(world, center_ids=[world["a"].id])
    with pytest.raises(Conflict) as info:
        create(world, start=time(10, 30), center_ids=[world["c"].id])
    assert info.value.details["sessions"] == [first.id] and info.value.details["instructor"] is True
    create(world, start=time(10, 50), center_ids=[world["c"].id])  # 10:00 + 50 min ends at 10:50


def test_center_conflict_with_another_instructor(world):
    first = create(world)
    other = InstructorFactory()
    with pytest.raises(Conflict) as info:
        create(
            world,
            instructor_id=other.id,
            start=time(10, 15),
            center_ids=[world["b"].id, world["c"].id],
        )
    assert info.value.details["sessions"] == [first.id]
    assert info.value.details["center_ids"] == [world["b"].id]
    create(world, instructor_id=other.id, start=time(10, 15), center_ids=[world["c"].id])


def test_cancelled_sessions_do_not_conflict(world):
    first = create(world)
    scheduling.cancel_session(world["coordinator"], first, "강사 사정")
    db.session.commit()
    create(world)


def test_update_checks_version_and_rules(world):
    session = create(world)
    coordinator = world["coordinator"]
    scheduling.update_session(coordinator, session, {"start": time(14, 0)}, version=1)
    db.session.commit()
    assert session.version == 2 and session.start_time == time(14, 0)
    with pytest.raises(Stale):
        scheduling.update_session(coordinator, session, {"start": time(15, 0)}, version=1)
    db.session.rollback()
    with pytest.raises(RuleViolation) as info:
        scheduling.update_session(coordinator, session, {"date": date(2026, 9, 24)}, version=2)
    assert info.value.code == "holiday" and info.value.details["holiday"] == "추석 전날"
    db.session.rollback()
    scheduling.update_session(coordinator, session, {"center_ids": [world["c"].id]}, version=2)
    db.session.commit()
    assert session.center_ids == [world["c"].id] and session.version == 3
    assert session.sequence == 0  # a draft has no calendar history yet


def test_concurrent_edit_of_the_same_row_is_stale(world):
    session = create(world)
    db.session.execute(
        sa.update(Session.__table__).where(Session.id == session.id).values(version=5)
    )
    with pytest.raises(Stale):
        scheduling.update_session(world["coordinator"], session, {"start": time(11, 0)}, version=1)


def test_changes_after_publishing_are_audited_and_raise_sequence(world):
    session = SessionFactory(
        program=world["program"], instructor=world["instructor"], centers=[world["a"]]
    )
    scheduling.update_session(
        world["coordinator"], session, {"start": time(13, 0)}, version=session.version
    )
    db.session.commit()
    assert session.sequence == 1
    entry = audit.history("session", session.id)[-1]
    assert entry.action == "session.update"
    assert entry.before["start"] == "10:00" and entry.after["start"] == "13:00"
    scheduling.cancel_session(world["coordinator"], session, "폭설")
    db.session.commit()
    assert (session.status, session.sequence, session.cancel_reason) == ("cancelled", 2, "폭설")
    assert session.published_at is not None
    with pytest.raises(Invalid):
        scheduling.cancel_session(world["coordinator"], session, "again")


def test_an_update_that_changes_nothing_keeps_the_version(world):
    session = create(world)
    scheduling.update_session(world["coordinator"], session, {"start": time(10, 0)}, version=1)
    db.session.commit()
    assert session.version == 1


def test_reschedule_makes_a_linked_makeup_and_cancels_the_original(world):
    original = SessionFactory(
        program=world["program"], instructor=world["instructor"], centers=[world["a"], world["b"]]
    )
    makeup = scheduling.reschedule_session(
        world["coordinator"],
        original,
        date=date(2026, 11, 26),
        start=time(14, 0),
        reason="강사 병가",
    )
    db.session.commit()
    assert makeup.rescheduled_from_id == original.id
    assert makeup.status == "published" and makeup.published_at is not None
    assert makeup.center_ids == original.center_ids and makeup.room.name != original.room.name
    assert (
        original.status == "cancelled"
        and original.cancel_reason == "강사 병가"
        and original.sequence == 1
    )


def test_reschedule_into_a_holiday_is_refused_and_changes_nothing(world):
    original = create(world)
    with pytest.raises(RuleViolation):
        scheduling.reschedule_session(world["coordinator"], original, date=date(2026, 12, 25))
    db.session.rollback()
    assert original.status == "draft"


def test_reschedule_to_a_later_hour_the_same_day(world):
    original = create(world)
    makeup = scheduling.reschedule_session(
        world["coordinator"], original, date=TUE, start=time(10, 30)
    )
    assert makeup.start_time == time(10, 30) and original.status == "cancelled"


def test_repeat_skips_and_explains(world):
    ClosureFactory(date=date(2026, 9, 30), county_id=world["a"].county_id, reason="농번기")
    result = scheduling.repeat_sessions(
        world["coordinator"],
        program_id=world["program"].id,
        instructor_id=world["instructor"].id,
        start=time(10, 0),
        weekdays=["MO", "WE", "FR"],
        from_=date(2026, 9, 21),
        until=date(2026, 10, 9),
        center_ids=[world["a"].id],
    )
    db.session.commit()
    created = db.session.scalars(sa.select(Session).where(Session.id.in_(result["created"]))).all()
    assert sorted(s.date for s in created) == [
        date(2026, 9, 21),
        date(2026, 9, 23),
        date(2026, 9, 28),
        date(2026, 10, 2),
        date(2026, 10, 7),
    ]
    assert [(s["date"], s["reason"]) for s in result["skipped"]] == [
        ("2026-09-25", "holiday"),
        ("2026-09-30", "closed"),
        ("2026-10-05", "holiday"),
        ("2026-10-09", "holiday"),
    ]
    assert result["skipped"][0]["details"]["holiday"] == "추석"
    assert all(s.status == "draft" and s.room is not None for s in created)


def test_repeat_validates_its_pattern(world):
    base = dict(
        program_id=world["program"].id, instructor_id=world["instructor"].id, start=time(10)
    )
    with pytest.raises(Invalid) as info:
        scheduling.repeat_sessions(
            world["coordinator"], weekdays=["XX"], from_=TUE, until=TUE, **base
        )
    assert info.value.details["field"] == "weekdays"
    with pytest.raises(Invalid) as info:
        scheduling.repeat_sessions(
            world["coordinator"], weekdays=["MO"], from_=TUE, until=date(2026, 11, 1), **base
        )
    assert info.value.details["field"] == "until"
    result = scheduling.repeat_sessions(
        world["coordinator"],
        weekdays=["SA", "TU"],
        from_=TUE,
        until=date(2026, 11, 28),
        center_ids=[world["a"].id],
        **base,
    )
    assert len(result["created"]) == 1 and result["skipped"][0]["reason"] == "weekend"


def test_repeat_reports_conflicts(world):
    clash = create(world, date=date(2026, 11, 25))
    result = scheduling.repeat_sessions(
        world["coordinator"],
        program_id=world["program"].id,
        instructor_id=world["instructor"].id,
        start=time(10, 0),
        weekdays=["TU", "WE"],
        from_=TUE,
        until=date(2026, 11, 25),
        center_ids=[world["c"].id],
    )
    assert len(result["created"]) == 1
    assert result["skipped"] == [
        {
            "date": "2026-11-25",
            "reason": "conflict",
            "message": result["skipped"][0]["message"],
            "details": {"sessions": [clash.id], "instructor": True, "center_ids": []},
        }
    ]


def test_every_session_has_a_unique_room(world):
    create(world)
    create(world, start=time(14, 0))
    names = db.session.scalars(sa.select(VideoRoom.name)).all()
    assert len(names) == len(set(names)) == 2
