"""The application's clock: every "now" and "today" comes from here, never from the database.

Tests move time with :func:`freeze`; the product always works in Asia/Seoul wall time.
"""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

SEOUL = ZoneInfo("Asia/Seoul")

_frozen: datetime | None = None


def now() -> datetime:
    """The current instant, timezone-aware UTC."""
    return _frozen if _frozen is not None else datetime.now(UTC)


def now_local() -> datetime:
    return now().astimezone(SEOUL)


def today() -> date:
    """Today's date in Seoul."""
    return now_local().date()


def freeze(moment: datetime | None) -> None:
    """Fix the clock at ``moment`` (aware), or release it with ``None``. For tests and demos."""
    global _frozen
    if moment is not None and moment.tzinfo is None:
        raise ValueError("freeze() needs an aware datetime")
    _frozen = moment.astimezone(UTC) if moment is not None else None


def local_datetime(day: date, at: time) -> datetime:
    """A Seoul wall-clock date and time as an aware datetime."""
    return datetime.combine(day, at, tzinfo=SEOUL)
