"""Property tests of the overlap rule (Hypothesis)."""

from datetime import date, time

from hypothesis import given
from hypothesis import strategies as st

from programs.overlap import minutes, overlaps, sessions_overlap

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
