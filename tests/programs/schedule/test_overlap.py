"""Property tests (Hypothesis) of the overlap rule, and of the conflict query against it."""

from datetime import date, time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.extensions import db
from programs.schedule.models import Session, SessionCenter
from programs.schedule.overlap import minutes, overlaps, sessions_overlap
from programs.schedule.services import find_conflicts
from tests.factories import CenterFactory, InstructorFactory, ProgramFactory

starts = st.integers(min_value=0, max_value=24 * 60 - 1)
lengths = st.integers(min_value=1, max_value=240)


def minute_set(start, length):
    return set(range(start, start + length))


@given(starts, lengths, starts, lengths)
def test_overlap_is_sharing_a_minute(a, la, b, lb):
    assert overlaps(a, la, b, lb) == bool(minute_set(a, la) & minute_set(b, lb))


@given(starts, lengths, starts, lengths)
def test_overlap_is_symmetric(a, la, b, lb):
    assert overlaps(a, la, b, lb) == overlaps(b, lb, a, la)


@given(starts, lengths, starts, lengths, st.integers(min_value=-600, max_value=600))
def test_overlap_does_not_depend_on_the_clock(a, la, b, lb, shift):
    assert overlaps(a, la, b, lb) == overlaps(a + shift, la, b + shift, lb)


@given(starts, lengths)
def test_a_session_overlaps_itself_but_not_the_next_one(a, la):
    assert overlaps(a, la, a, la)
    assert not overlaps(a, la, a + la, 60)
    assert not overlaps(a + la, 60, a, la)


@given(starts, lengths, starts, lengths, st.integers(min_value=0, max_value=120))
def test_a_longer_session_overlaps_at_least_as_much(a, la, b, lb, extra):
    if overlaps(a, la, b, lb):
        assert overlaps(a, la + extra, b, lb)


class Slot:
    def __init__(self, day, start, length):
        self.date, self.start_time, self.duration_minutes = day, start, length


@given(st.times(), lengths, st.times(), lengths)
def test_sessions_on_different_days_never_overlap(t1, l1, t2, l2):
    t1, t2 = t1.replace(second=0, microsecond=0), t2.replace(second=0, microsecond=0)
    assert not sessions_overlap(Slot(date(2026, 11, 24), t1, l1), Slot(date(2026, 11, 25), t2, l2))
    same_day = sessions_overlap(Slot(date(2026, 11, 24), t1, l1), Slot(date(2026, 11, 24), t2, l2))
    assert same_day == overlaps(minutes(t1), l1, minutes(t2), l2)


def test_examples():
    ten = minutes(time(10, 0))
    assert overlaps(ten, 60, minutes(time(10, 30)), 60)
    assert not overlaps(ten, 60, minutes(time(11, 0)), 60)
    assert overlaps(ten, 120, minutes(time(10, 30)), 10)
    assert not overlaps(ten, 0, ten, 60)


# --- the conflict query agrees with the rule (Hypothesis over real rows) -------------------------

DAY = date(2026, 11, 24)
slots = st.tuples(
    st.integers(min_value=6 * 60, max_value=20 * 60).map(lambda m: m - m % 5),  # start, minutes
    st.sampled_from([10, 30, 45, 60, 90, 120]),  # length
    st.integers(min_value=0, max_value=1),  # instructor
    st.sets(st.integers(min_value=0, max_value=2), min_size=1),  # centers
    st.booleans(),  # cancelled
)


@pytest.fixture
def fixed_rows():
    return (
        ProgramFactory(),
        [InstructorFactory(), InstructorFactory()],
        [CenterFactory() for _ in range(3)],
    )


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(existing=st.lists(slots, max_size=6), probe=slots)
def test_find_conflicts_matches_the_rule(fixed_rows, existing, probe):
    program, instructors, centers = fixed_rows
    try:
        rows = []
        for start, length, who, where, cancelled in existing:
            s = Session(
                program_id=program.id,
                instructor_id=instructors[who].id,
                date=DAY,
                start_time=time(start // 60, start % 60),
                duration_minutes=length,
                status="cancelled" if cancelled else "draft",
            )
            s.invitations = [SessionCenter(center_id=centers[i].id) for i in sorted(where)]
            db.session.add(s)
            rows.append((s, start, length, who, where, cancelled))
        db.session.flush()
        start, length, who, where, _ = probe
        found = {
            s.id
            for s in find_conflicts(
                DAY,
                time(start // 60, start % 60),
                length,
                instructors[who].id,
                [centers[i].id for i in where],
            )
        }
        expected = {
            s.id
            for s, s_start, s_len, s_who, s_where, cancelled in rows
            if not cancelled
            and (s_who == who or s_where & where)
            and overlaps(start, length, s_start, s_len)
        }
        assert found == expected
    finally:
        db.session.rollback()
