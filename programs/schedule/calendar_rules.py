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
from datetime import date, timedelta
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


# --- the check ---------------------------------------------------------------------------------


def date_rule_violation(day: date) -> RuleViolation | None:
    """The rule a date breaks whatever the centers: weekend, holiday, or a closure everywhere."""
    if is_weekend(day):
        return RuleViolation(
            "weekend", _("주말에는 수업을 잡을 수 없습니다."), date=day.isoformat()
        )
    name = holiday_name(day)
    if name:
        return RuleViolation(
            "holiday",
            _("공휴일(%(name)s)에는 수업을 잡을 수 없습니다.", name=name),
            date=day.isoformat(),
            holiday=name,
        )
    closure = everywhere_closure(day)
    if closure is not None:
        return _closed(day, closure, [])
    return None


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
    if is_weekend(day) or holiday_name(day):
        raise date_rule_violation(day)
    rows = centers if centers is not None else center_rows(center_ids)
    invited = [rows[cid] for cid in center_ids if cid in rows]
    for closure in closures_between(day, day):
        if closure_applies(closure, invited):
            raise _closed(day, closure, closed_centers(closure, invited))
    covered = covered_county_ids(day)
    outside = sorted(c.id for c in invited if c.county_id not in covered)
    if outside:
        raise RuleViolation(
            "outside_support_period",
            _("지원 기간이 아닌 경로당이 있습니다."),
            date=day.isoformat(),
            center_ids=outside,
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
