"""ISO weeks (``2026-W48``): parsing, naming, their weekdays."""

import re
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l

from app.errors import Invalid
from app.params import check_day

WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")


def parse_week(value: str, field: str = "week") -> date:
    """The Monday of ISO week ``value``; ``Invalid(field)`` if it is not a real ISO week."""
    match = WEEK_RE.match((value or "").strip())
    if not match:
        raise Invalid(field, _l("주는 2026-W48 형식으로 입력하세요."))
    try:
        monday = date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
    except ValueError:
        raise Invalid(field, _l("없는 주입니다.")) from None
    return check_day(monday, field)


def week_of(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def weekdays(monday: date) -> list[date]:
    """Monday to Friday."""
    return [monday + timedelta(days=i) for i in range(5)]


def shift(week: str, weeks: int) -> str:
    return week_of(parse_week(week) + timedelta(weeks=weeks))
