"""When two sessions overlap: half-open intervals of minutes on the same day."""

from datetime import time


def minutes(at: time) -> int:
    return at.hour * 60 + at.minute


def overlaps(a_start: int, a_minutes: int, b_start: int, b_minutes: int) -> bool:
    """Whether [a_start, a_start + a_minutes) and [b_start, b_start + b_minutes) intersect.

    A session ending at 11:00 does not overlap one starting at 11:00; an empty interval
    overlaps nothing.
    """
    if a_minutes <= 0 or b_minutes <= 0:
        return False
    return a_start < b_start + b_minutes and b_start < a_start + a_minutes


def sessions_overlap(a, b) -> bool:
    """Two sessions (anything with ``date``, ``start_time``, ``duration_minutes``)."""
    return a.date == b.date and overlaps(
        minutes(a.start_time), a.duration_minutes, minutes(b.start_time), b.duration_minutes
    )
