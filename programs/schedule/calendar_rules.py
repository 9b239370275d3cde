"""The calendar rules a session date must pass: weekdays only, no Korean public holiday, no
closure, inside the support period of every invited center's county.

Korean holidays come from the ``holidays`` package (lunar ones such as Seollal and Chuseok,
election days and substitute holidays included). Centers, counties and support periods belong to
:mod:`centers`; this module reads them through the Core tables so that ``programs`` never
imports ``centers``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta
from functools import lru_cache

import holidays
import sqlalchemy as sa
from flask import has_request_context
from flask_babel import get_locale
from flask_babel import gettext as _

from app.errors import RuleViolation
from app.extensions import db
from programs.schedule.models import Closure

WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# Above this many ids a query reads the whole (small-column) table instead of a long IN list:
# SQLite allows at most 32,766 bound parameters and a national session invites far more.
MAX_IN_IDS = 500


# --- Core tables of the centers package ------------------------------------------------------


def centers_table() -> sa.Table:
    return db.metadata.tables["centers"]


def counties_table() -> sa.Table:
    return db.metadata.tables["counties"]


def support_periods_table() -> sa.Table:
    return db.metadata.tables["support_periods"]


@dataclass(frozen=True)
class CenterRow:
    id: int
    county_id: int
    name: str
    active: bool


def center_rows(center_ids: Iterable[int] | None = None) -> dict[int, CenterRow]:
    """Centers by id (all of them when ``center_ids`` is None)."""
    t = centers_table()
    stmt = sa.select(t.c.id, t.c.county_id, t.c.name, t.c.active)
    wanted = None if center_ids is None else set(center_ids)
    if wanted is not None and len(wanted) <= MAX_IN_IDS:
        if not wanted:
            return {}
        stmt = stmt.where(t.c.id.in_(sorted(wanted)))
    rows = {
        r.id: CenterRow(r.id, r.county_id, r.name, bool(r.active)) for r in db.session.execute(stmt)
    }
    if wanted is not None and len(wanted) > MAX_IN_IDS:
        rows = {cid: row for cid, row in rows.items() if cid in wanted}
    return rows


def covered_county_ids(day: date) -> set[int]:
    """Counties with a support period that covers ``day``."""
    p = support_periods_table()
    stmt = sa.select(p.c.county_id).where(p.c.start <= day, p.c.end >= day).distinct()
    return set(db.session.scalars(stmt))


def default_center_ids(day: date) -> list[int]:
    """Every active center whose county's support period covers ``day``."""
    t, p = centers_table(), support_periods_table()
    covered = sa.select(p.c.county_id).where(p.c.start <= day, p.c.end >= day)
    stmt = (
        sa.select(t.c.id).where(t.c.active.is_(True), t.c.county_id.in_(covered)).order_by(t.c.id)
    )
    return list(db.session.scalars(stmt))


# --- weekends and holidays ---------------------------------------------------------------------


def is_weekend(day: date) -> bool:
    return day.weekday() >= 5


def _language() -> str:
    if has_request_context():
        locale = get_locale()
        if locale is not None and locale.language == "en":
            return "en_US"
    return "ko"


@lru_cache(maxsize=64)
def _holidays_of(year: int, language: str) -> dict[date, str]:
    return dict(holidays.country_holidays("KR", years=year, language=language).items())


def holiday_name(day: date, language: str | None = None) -> str | None:
    """The Korean public holiday on ``day`` (in the page's language), or None."""
    return _holidays_of(day.year, language or _language()).get(day)


def holidays_between(start: date, end: date, language: str | None = None) -> dict[date, str]:
    lang = language or _language()
    found: dict[date, str] = {}
    for year in range(start.year, end.year + 1):
        found.update({d: n for d, n in _holidays_of(year, lang).items() if start <= d <= end})
    return found


# --- closures ------------------------------------------------------------------------------------


def closures_between(start: date, end: date) -> list[Closure]:
    stmt = (
        sa.select(Closure)
        .where(Closure.date.between(start, end))
        .order_by(
            Closure.date, Closure.county_id.is_not(None), Closure.center_id.is_not(None), Closure.id
        )
    )
    return list(db.session.scalars(stmt))


def closure_applies(closure: Closure, centers: Iterable[CenterRow]) -> bool:
    """An everywhere closure applies to all; a county's to its centers; a center's to itself."""
    if closure.county_id is None and closure.center_id is None:
        return True
    for center in centers:
        if closure.center_id is not None and closure.center_id == center.id:
            return True
        if closure.county_id is not None and closure.county_id == center.county_id:
            return True
    return False


def closed_centers(closure: Closure, centers: Iterable[CenterRow]) -> list[int]:
    return sorted(
        c.id
        for c in centers
        if (closure.county_id is None and closure.center_id is None)
        or closure.center_id == c.id
        or closure.county_id == c.county_id
    )


def everywhere_closure(day: date) -> Closure | None:
    return next(
        (c for c in closures_between(day, day) if c.county_id is None and c.center_id is None), None
    )


# --- operating hours ---------------------------------------------------------------------------

DEFAULT_SESSION_HOURS = "07:00-21:00"


def session_hours() -> tuple[time, time]:
    """``SESSION_HOURS`` (``HH:MM-HH:MM``, default 07:00–21:00): when classes may run."""
    from flask import current_app

    value = str(current_app.config.get("SESSION_HOURS") or DEFAULT_SESSION_HOURS)
    opens, _, closes = value.replace("–", "-").partition("-")
    return time.fromisoformat(opens.strip()), time.fromisoformat(closes.strip())


def hours_violation(start: time, duration_minutes: int) -> RuleViolation | None:
    """A session must start and end inside the operating hours: 422 ``outside_hours``."""
    opens, closes = session_hours()
    begin = start.hour * 60 + start.minute
    end = begin + duration_minutes
    if begin >= opens.hour * 60 + opens.minute and end <= closes.hour * 60 + closes.minute:
        return None
    return RuleViolation(
        "outside_hours",
        _(
            "수업은 %(opens)s부터 %(closes)s 사이에 시작하고 끝나야 합니다.",
            opens=opens.strftime("%H:%M"),
            closes=closes.strftime("%H:%M"),
        ),
        field="start",
        opens=opens.strftime("%H:%M"),
        closes=closes.strftime("%H:%M"),
        start=start.strftime("%H:%M"),
        end=f"{end // 60 % 24:02d}:{end % 60:02d}",
    )


def check_hours(start: time, duration_minutes: int) -> None:
    violation = hours_violation(start, duration_minutes)
    if violation is not None:
        raise violation


# --- the check ---------------------------------------------------------------------------------


def date_rule_violation(day: date) -> RuleViolation | None:
    """The rule a date breaks whatever the centers: weekend, holiday, or a closure everywhere."""
    from programs.schedule import rulebook

    return rulebook.first_violations([rulebook.Candidate(0, day)], (rulebook.DAY,)).get(0)


def _closed(day: date, closure: Closure, center_ids: Sequence[int]) -> RuleViolation:
    return RuleViolation(
        "closed",
        _("휴관일(%(reason)s)에는 수업을 잡을 수 없습니다.", reason=closure.reason),
        date=day.isoformat(),
        closure_id=closure.id,
        reason=closure.reason,
        county_id=closure.county_id,
        center_id=closure.center_id,
        center_ids=list(center_ids),
    )


def check_day(
    day: date, center_ids: Sequence[int], centers: dict[int, CenterRow] | None = None
) -> None:
    """Raise the first rule ``day`` breaks for a session inviting ``center_ids``.

    Order: ``weekend``, ``holiday`` (``details.holiday`` names it), ``closed`` (a closure
    everywhere, of an invited center's county, or of an invited center), and
    ``outside_support_period`` (``details.center_ids``: the invited centers whose county's
    support period does not cover the day).
    """
    from programs.schedule import rulebook

    rulebook.check(
        rulebook.Candidate(0, day, center_ids=tuple(center_ids)),
        rulebook.CALENDAR,
        rulebook.Listed(centers),
    )


# --- days of a week ------------------------------------------------------------------------------


@dataclass
class DayInfo:
    date: date
    holiday: str | None
    closures: list[Closure]

    @property
    def closed(self) -> bool:
        """Closed everywhere (a temporary public holiday)."""
        return any(c.county_id is None and c.center_id is None for c in self.closures)


def days_info(start: date, end: date) -> list[DayInfo]:
    names = holidays_between(start, end)
    by_day: dict[date, list[Closure]] = {}
    for closure in closures_between(start, end):
        by_day.setdefault(closure.date, []).append(closure)
    days = []
    day = start
    while day <= end:
        days.append(DayInfo(day, names.get(day), by_day.get(day, [])))
        day += timedelta(days=1)
    return days
