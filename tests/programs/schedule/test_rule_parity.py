"""The single path (create a session) and the bulk paths (copy a week, publish a week) ask the
same calendar rules (programs.schedule.rulebook) and give the same answer for the same situation:
the same error code, message and details."""

from datetime import date, time, timedelta

import pytest

from app.auth.models import Role
from app.errors import AppError
from app.extensions import db
from programs.schedule import bulk, rulebook
from programs.schedule import services as scheduling
from programs.schedule.weeks import week_of
from tests.factories import (
    CenterFactory,
    ClosureFactory,
    CountyFactory,
    InstructorFactory,
    ProgramFactory,
    SessionFactory,
    UserFactory,
)

WED = date(2026, 12, 2)  # 2026-W49, no holiday


@pytest.fixture
def w():
    county = CountyFactory(name="봉화군")
    ended = CountyFactory(name="부안군", support=[(date(2025, 10, 1), date(2026, 11, 30))])
    return {
        "coordinator": UserFactory(role=Role.COORDINATOR),
        "program": ProgramFactory(duration_minutes=60),
        "instructor": InstructorFactory(),
        "other_instructor": InstructorFactory(),
        "county": county,
        "a": CenterFactory(county=county),
        "b": CenterFactory(county=county),
        "ended": CenterFactory(county=ended),
    }


def _weekend(w):
    return {"date": date(2026, 12, 5)}


def _holiday(w):
    return {"date": date(2026, 12, 25)}  # 성탄절, a Friday


def _closed_everywhere(w):
    ClosureFactory(date=WED, reason="임시공휴일")
    return {}


def _closed_county(w):
    ClosureFactory(date=WED, reason="군 행사", county_id=w["county"].id)
    return {}


def _closed_center(w):
    ClosureFactory(date=WED, reason="보수 공사", center_id=w["b"].id)
    return {}


def _outside_support(w):
    return {"centers": ["a", "ended"]}


def _outside_hours(w):
    return {"start": time(6, 30)}


def _instructor_overlap(w):
    SessionFactory(
        program=w["program"], instructor=w["instructor"], date=WED, start_time=time(9, 30)
    )
    return {}


def _center_overlap(w):
    SessionFactory(
        program=w["program"],
        instructor=w["other_instructor"],
        date=WED,
        start_time=time(10, 30),
        centers=[w["b"]],
    )
    return {}


def _inactive_center(w):
    return {"centers": ["a"], "deactivate": "a"}


CASES = {
    "weekend": (_weekend, "weekend", True),
    "holiday": (_holiday, "holiday", True),
    "closed everywhere": (_closed_everywhere, "closed", True),
    "closed county": (_closed_county, "closed", True),
    "closed center": (_closed_center, "closed", True),
    "outside support period": (_outside_support, "outside_support_period", True),
    "outside hours": (_outside_hours, "outside_hours", True),
    # Publishing leaves overlaps to the lock and the exclusion constraint; inactive centers'
    # invitations are simply not counted there.
    "instructor overlap": (_instructor_overlap, "conflict", False),
    "center overlap": (_center_overlap, "conflict", False),
    "inactive center": (_inactive_center, "invalid", False),
}


def _situation(w, setup):
    s = {"date": WED, "start": time(10, 0), "centers": ["a", "b"], **setup(w)}
    s["center_ids"] = sorted(w[name].id for name in s["centers"])
    return s


def _stored(w, s, day, status):
    session = SessionFactory(
        program=w["program"],
        instructor=w["instructor"],
        date=day,
        start_time=s["start"],
        status=status,
        published_at=None,
        centers=[w[name] for name in s["centers"]],
    )
    if s.get("deactivate"):
        w[s["deactivate"]].active = False
    db.session.commit()
    return session


def _single(w, s):
    if s.get("deactivate"):
        w[s["deactivate"]].active = False
        db.session.commit()
    with pytest.raises(AppError) as info:
        scheduling.create_session(
            w["coordinator"],
            program_id=w["program"].id,
            instructor_id=w["instructor"].id,
            date=s["date"],
            start=s["start"],
            center_ids=s["center_ids"],
        )
    db.session.rollback()
    return info.value.code, str(info.value.message), info.value.details


def _copied(w, s):
    source = _stored(w, s, s["date"] - timedelta(days=7), "draft")
    result = bulk.copy_week(w["coordinator"], week_of(source.date), week_of(s["date"]))
    assert result["created"] == []
    [skip] = result["skipped"]
    assert skip["session_id"] == source.id and skip["date"] == s["date"].isoformat()
    return skip["reason"], skip["message"], skip["details"]


def _published(w, s):
    draft = _stored(w, s, s["date"], "draft")
    result = bulk.publish_week(w["coordinator"], week_of(s["date"]))
    assert result["published"] == 0
    [skip] = result["skipped"]
    assert skip["session_id"] == draft.id
    return skip["reason"], skip["message"], skip["details"]


def _comparable(code, message, details, case):
    if code == "invalid":  # the single path names the inactive centers, the copy has none left
        return code, details["field"]
    if case == "closed everywhere":
        # A closure everywhere closes every invited center; the bulk paths do not list them.
        details = {k: v for k, v in details.items() if k != "center_ids"}
    return code, message, details


@pytest.mark.parametrize("case", list(CASES))
def test_create_and_copy_give_the_same_answer(w, case):
    setup, code, _ = CASES[case]
    s = _situation(w, setup)
    single = _single(w, s)
    copied = _copied(w, s)
    assert single[0] == code
    assert _comparable(*single, case) == _comparable(*copied, case)


@pytest.mark.parametrize("case", [name for name, (_, _, publish) in CASES.items() if publish])
def test_create_and_publish_give_the_same_answer(w, case):
    setup, code, _ = CASES[case]
    s = _situation(w, setup)
    single = _single(w, s)
    published = _published(w, s)
    assert single[0] == code
    assert _comparable(*single, case) == _comparable(*published, case)


def test_the_details_name_the_rule(w):
    ClosureFactory(date=WED, reason="보수 공사", center_id=w["b"].id)
    code, _, details = _single(w, _situation(w, lambda w: {}))
    assert code == "closed" and details["center_ids"] == [w["b"].id]
    SessionFactory(program=w["program"], instructor=w["instructor"], date=WED + timedelta(1))
    code, _, details = _single(w, {**_situation(w, lambda w: {}), "date": WED + timedelta(1)})
    assert code == "conflict" and details["instructor"] is True and details["center_ids"] == []


def test_candidates_of_one_batch_clash_with_each_other(w):
    """Two new sessions of one batch, neither stored: the later one clashes with the earlier."""
    first = rulebook.Candidate(1, WED, time(10), 60, w["instructor"].id, (w["a"].id,))
    second = rulebook.Candidate(2, WED, time(10, 30), 60, w["other_instructor"].id, (w["a"].id,))
    apart = rulebook.Candidate(3, WED, time(11), 60, w["instructor"].id, (w["b"].id,))
    found = rulebook.first_violations([second, apart, first], (rulebook.CONFLICT,))
    assert list(found) == [2]
    assert found[2].code == "conflict"
    assert found[2].details == {
        "sessions": [],
        "instructor": False,
        "center_ids": [],
        "copied_from": [1],
    }


def test_copies_clash_with_each_other_and_with_stored_sessions(w):
    source_day = WED - timedelta(days=7)
    early = SessionFactory(
        program=w["program"], instructor=w["instructor"], date=source_day, centers=[w["a"]]
    )
    late = SessionFactory(
        program=w["program"],
        instructor=w["other_instructor"],
        date=source_day,
        start_time=time(10, 30),
        centers=[w["a"]],
    )
    result = bulk.copy_week(w["coordinator"], week_of(source_day), week_of(WED))
    [skip] = result["skipped"]
    assert skip["session_id"] == late.id and skip["reason"] == "conflict"
    assert skip["details"]["copied_from"] == [early.id] and skip["details"]["sessions"] == []
    [copy] = result["created"]
    db.session.commit()
    # Copied again: both now clash with the copy stored on the target day.
    again = bulk.copy_week(w["coordinator"], week_of(source_day), week_of(WED))
    assert again["created"] == []
    assert [(x["session_id"], x["reason"]) for x in again["skipped"]] == [
        (early.id, "conflict"),
        (late.id, "conflict"),
    ]
    assert [x["details"]["sessions"] for x in again["skipped"]] == [[copy], [copy]]
    assert again["skipped"][0]["details"]["instructor"] is True
    assert again["skipped"][1]["details"]["center_ids"] == [w["a"].id]
