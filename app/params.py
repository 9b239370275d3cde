"""Query-string values for pages and the calendar the app works in, by the API's rules.

Ids are 1 to :data:`app.api.MAX_ID` (the INTEGER columns' range), digits only: anything else is
``Invalid(name)`` (a page shows it as a form error; the API answers 422). Dates, weeks and periods
stay within :data:`FIRST_DAY` … :data:`LAST_DAY`, so the arithmetic around them (the week
before, a month's end, the next day of a loop) never leaves Python's calendar (year 1 to 9999).
"""

from datetime import date

from flask import request
from flask_babel import lazy_gettext as _l

from app.errors import Invalid

# Wide enough for any real schedule, report or support period; far enough from year 1 and 9999
# that a week or a year either side still exists.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2999, 12, 31)
OUT_OF_RANGE = _l("1900-01-01부터 2999-12-31 사이의 날짜만 쓸 수 있습니다.")


def parse_id(value: str | None, name: str) -> int | None:
    """``value`` as an id (None when empty); ``Invalid(name)`` when it is not one."""
    from app.api import MAX_ID

    text = (value or "").strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_ID:
        raise Invalid(name)
    return int(text)


def id_arg(name: str) -> int | None:
    """The id in ``?name=`` of the current request, or None when it is absent or empty."""
    return parse_id(request.args.get(name), name)


def check_day(day: date, name: str) -> date:
    """``day`` itself if it lies in the app's calendar, else ``Invalid(name)``."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise Invalid(name, OUT_OF_RANGE)
    return day


def in_calendar(form, field) -> None:
    """WTForms validator: a date field's value lies in the app's calendar."""
    from wtforms.validators import ValidationError

    if field.data is not None and not FIRST_DAY <= field.data <= LAST_DAY:
        raise ValidationError(str(OUT_OF_RANGE))
