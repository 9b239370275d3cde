"""The calendar rules of a session, once, set-based: the single path (create, update,
reschedule, repeat) asks them about one candidate, the bulk paths (copy and publish a week)
about many.

A :class:`Candidate` is a session that may not be in the database yet: its date, start,
length, instructor and centers. Its centers are either listed (``center_ids``) or, for a
stored session, read in one statement per rule from its invitations (:class:`Stored`), so that a
national week (about 340,000 invitations) is never loaded row by row.

:func:`first_violations` runs the rules in the order the caller gives and answers, per
candidate key, the first one it breaks as the error API.md names (a
:class:`~app.errors.RuleViolation` or a :class:`~app.errors.Conflict`); a candidate that
breaks a rule is not asked the later ones. The rules:

- ``DAY``: a weekend, a Korean public holiday, or a closure everywhere;
- ``HOURS``: outside the operating hours (``SESSION_HOURS``);
- ``CLOSED``: a closure of an invited center or of its county;
- ``SUPPORT``: an invited center whose county's support period does not cover the date;
- ``CONFLICT``: the same instructor or a shared center at an overlapping time, with a session
  already stored or with an earlier candidate (by start time) of the same batch.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, time
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.errors import AppError, Conflict, RuleViolation
from app.extensions import db
from programs.schedule import calendar_rules as rules
from programs.schedule.models import Session, SessionCenter
from programs.schedule.overlap import minutes, overlaps

DAY, HOURS, CLOSED, SUPPORT, CONFLICT = "day", "hours", "closed", "support", "conflict"
CALENDAR = (DAY, CLOSED, SUPPORT)


@dataclass(frozen=True)
class Candidate:
    key: int
    date: date
    start: time = time(0)
    duration_minutes: int = 0
    instructor_id: int = 0
    # Listed centers; None: the invitations of the stored session ``key`` (see Stored).
    center_ids: tuple[int, ...] | None = None
    # Stored sessions this one may overlap (itself when it moves).
    exclude_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Clash:
    """A session a candidate would overlap: a stored one, or a candidate of the same batch."""

    id: int
    instructor_id: int
    center_ids: frozenset[int] = frozenset()
    in_batch: bool = False


def conflict(clashes: Sequence[Clash], instructor_id: int) -> Conflict:
    """409 ``conflict``: ``sessions`` (stored), ``instructor`` (whether one of them is the same
    instructor's), ``center_ids`` (the shared centers), and ``copied_from`` (the candidates of
    the same batch) when there are any."""
    details: dict[str, Any] = {
        "sessions": [c.id for c in clashes if not c.in_batch],
        "instructor": any(c.instructor_id == instructor_id for c in clashes if not c.in_batch),
        "center_ids": sorted({cid for c in clashes if not c.in_batch for cid in c.center_ids}),
    }
    batch = [c.id for c in clashes if c.in_batch]
    if batch:
        details["copied_from"] = batch
    return Conflict(_l("같은 시간에 강사나 경로당이 이미 다른 수업에 있습니다."), **details)


# --- where the candidates' centers come from ----------------------------------------------------


class Listed:
    """Candidates that list their centers (``Candidate.center_ids``)."""

    def __init__(self, rows: dict[int, rules.CenterRow] | None = None) -> None:
        self._rows = rows

    def rows(self, candidates: Sequence[Candidate]) -> dict[int, rules.CenterRow]:
        wanted = {cid for c in candidates for cid in c.center_ids or ()}
        if self._rows is None or not wanted <= set(self._rows):
            self._rows = {**(self._rows or {}), **rules.center_rows(wanted)}
        return self._rows

    def listed(self, candidate: Candidate) -> list[int]:
        return list(candidate.center_ids or ())

    def center_rows(self, ids: Iterable[int]) -> dict[int, rules.CenterRow]:
        ids = list(ids)
        known = self._rows or {}
        if not set(ids) <= set(known):
            known = rules.center_rows(ids)
        return {cid: known[cid] for cid in ids if cid in known}

    def invited(self, day: date, candidates: Sequence[Candidate]) -> dict[int, list[int]]:
        del day
        return {c.key: list(c.center_ids or ()) for c in candidates}

    def matching(self, day, candidates, center_ids, county_ids) -> dict[int, list[int]]:
        rows = self.rows(candidates)
        found: dict[int, list[int]] = {}
        for cand, ids in self.invited(day, candidates).items():
            hit = [
                cid
                for cid in ids
                if cid in rows and (cid in center_ids or rows[cid].county_id in county_ids)
            ]
            if hit:
                found[cand] = hit
        return found

    def outside_support(self, day, candidates, covered: set[int]) -> dict[int, list[int]]:
        """The listed centers of each candidate whose county is not in ``covered``."""
        rows = self.rows(candidates)
        found: dict[int, list[int]] = {}
        for cand, ids in self.invited(day, candidates).items():
            hit = [cid for cid in ids if cid in rows and rows[cid].county_id not in covered]
            if hit:
                found[cand] = hit
        return found

    def shared_within(self, day, candidates) -> dict[int, dict[int, set[int]]]:
        del day
        shared: dict[int, dict[int, set[int]]] = defaultdict(dict)
        for a in candidates:
            for b in candidates:
                common = set(a.center_ids or ()) & set(b.center_ids or ())
                if a.key != b.key and common:
                    shared[a.key][b.key] = common
        return shared

    def shared_with_stored(self, day, candidates) -> dict[int, dict[int, set[int]]]:
        ids = {cid for c in candidates for cid in c.center_ids or ()}
        if not ids:
            return {}
        sc, s = SessionCenter.__table__, Session.__table__
        stmt = (
            sa.select(sc.c.session_id, sc.c.center_id)
            .join(s, s.c.id == sc.c.session_id)
            .where(s.c.date == day, s.c.status != "cancelled")
        )
        if len(ids) <= rules.MAX_IN_IDS:
            stmt = stmt.where(sc.c.center_id.in_(sorted(ids)))
        by_center: dict[int, set[int]] = defaultdict(set)
        for row in db.session.execute(stmt):
            if row.center_id in ids:
                by_center[row.center_id].add(row.session_id)
        shared: dict[int, dict[int, set[int]]] = defaultdict(dict)
        for cand in candidates:
            for cid in cand.center_ids or ():
                for sid in by_center.get(cid, ()):
                    shared[cand.key].setdefault(sid, set()).add(cid)
        return shared


class Stored:
    """Candidates made from stored sessions (``Candidate.key`` is the session's id): their
    active centers' invitations are read set-based. ``sessions_of(day)`` is the condition
    selecting the stored sessions whose copies fall on ``day``; ``sharing`` the pairs of those
    sessions that invite a common center ``{key: {other key: centers}}``, when known."""

    def __init__(
        self,
        sessions_of: Callable[[date], Any],
        sharing: dict[int, dict[int, set[int]]] | None = None,
    ) -> None:
        self.sessions_of = sessions_of
        self.sharing = sharing or {}

    def listed(self, candidate: Candidate) -> list[int]:
        del candidate
        return []

    def _invitations_where(self, day: date, condition) -> list[tuple[int, int]]:
        s, sc, c = Session.__table__, SessionCenter.__table__, rules.centers_table()
        stmt = (
            sa.select(sc.c.session_id, sc.c.center_id)
            .select_from(sc.join(s, s.c.id == sc.c.session_id).join(c, c.c.id == sc.c.center_id))
            .where(self.sessions_of(day), c.c.active.is_(True), condition)
        )
        return [(r.session_id, r.center_id) for r in db.session.execute(stmt)]

    def matching(self, day, candidates, center_ids, county_ids) -> dict[int, list[int]]:
        c = rules.centers_table()
        conditions = []
        if center_ids:
            conditions.append(c.c.id.in_(sorted(center_ids)))
        if county_ids:
            conditions.append(c.c.county_id.in_(sorted(county_ids)))
        if not conditions:
            return {}
        keys = {cand.key for cand in candidates}
        found: dict[int, list[int]] = defaultdict(list)
        for session_id, center_id in self._invitations_where(day, sa.or_(*conditions)):
            if session_id in keys:
                found[session_id].append(center_id)
        return found

    def outside_support(self, day, candidates, covered: set[int]) -> dict[int, list[int]]:
        """The active invited centers of each candidate whose county is not in ``covered``
        (usually none: then no invitation is read)."""
        county_t = rules.counties_table()
        uncovered = set(db.session.scalars(sa.select(county_t.c.id))) - covered
        return self.matching(day, candidates, set(), uncovered) if uncovered else {}

    def shared_within(self, day, candidates) -> dict[int, dict[int, set[int]]]:
        del day
        return self.sharing

    def shared_with_stored(self, day, candidates) -> dict[int, dict[int, set[int]]]:
        """Stored sessions of ``day`` inviting a center a candidate's stored session invites
        (none to look for when the day has no session yet)."""
        s, sc = Session.__table__, SessionCenter.__table__
        day_has_sessions = db.session.scalar(
            sa.select(s.c.id).where(s.c.date == day, s.c.status != "cancelled").limit(1)
        )
        if day_has_sessions is None:
            return {}
        a, b, sb = sc.alias("a"), sc.alias("b"), s.alias("sb")
        rows = db.session.execute(
            sa.select(a.c.session_id, b.c.session_id.label("other_id"), a.c.center_id)
            .select_from(
                a.join(b, a.c.center_id == b.c.center_id).join(sb, sb.c.id == b.c.session_id)
            )
            .where(
                a.c.session_id.in_(sa.select(s.c.id).where(self.sessions_of(day))),
                sb.c.date == day,
                sb.c.status != "cancelled",
            )
        ).all()
        keys = {cand.key for cand in candidates}
        shared: dict[int, dict[int, set[int]]] = defaultdict(dict)
        for row in rows:
            if row.session_id in keys:
                shared[row.session_id].setdefault(row.other_id, set()).add(row.center_id)
        return shared

    def center_rows(self, ids: Iterable[int]) -> dict[int, rules.CenterRow]:
        return rules.center_rows(ids)


# --- the rules ------------------------------------------------------------------------------------


def _by_day(candidates: Iterable[Candidate]) -> dict[date, list[Candidate]]:
    days: dict[date, list[Candidate]] = defaultdict(list)
    for cand in candidates:
        days[cand.date].append(cand)
    return dict(sorted(days.items()))


def _day_rule(candidates, centers) -> dict[int, AppError]:
    found: dict[int, AppError] = {}
    for day, group in _by_day(candidates).items():
        if rules.is_weekend(day):
            for cand in group:
                found[cand.key] = RuleViolation(
                    "weekend", _("주말에는 수업을 잡을 수 없습니다."), date=day.isoformat()
                )
            continue
        name = rules.holiday_name(day)
        if name:
            for cand in group:
                found[cand.key] = RuleViolation(
                    "holiday",
                    _("공휴일(%(name)s)에는 수업을 잡을 수 없습니다.", name=name),
                    date=day.isoformat(),
                    holiday=name,
                )
            continue
        closure = rules.everywhere_closure(day)
        if closure is not None:
            for cand in group:
                found[cand.key] = rules._closed(day, closure, sorted(centers.listed(cand)))
    return found


def _hours_rule(candidates, centers) -> dict[int, AppError]:
    del centers
    found: dict[int, AppError] = {}
    for cand in candidates:
        violation = rules.hours_violation(cand.start, cand.duration_minutes)
        if violation is not None:
            found[cand.key] = violation
    return found


def _closed_rule(candidates, centers) -> dict[int, AppError]:
    found: dict[int, AppError] = {}
    for day, group in _by_day(candidates).items():
        closures = [x for x in rules.closures_between(day, day) if x.county_id or x.center_id]
        if not closures:
            continue
        center_ids = {x.center_id for x in closures if x.center_id}
        county_ids = {x.county_id for x in closures if x.county_id}
        hits = centers.matching(day, group, center_ids, county_ids)
        for cand in group:
            if cand.key not in hits:
                continue
            rows = centers.center_rows(hits[cand.key]).values()
            closure = next(x for x in closures if rules.closure_applies(x, rows))
            found[cand.key] = rules._closed(day, closure, rules.closed_centers(closure, rows))
    return found


def _support_rule(candidates, centers) -> dict[int, AppError]:
    found: dict[int, AppError] = {}
    for day, group in _by_day(candidates).items():
        outside = centers.outside_support(day, group, rules.covered_county_ids(day))
        for cand in group:
            if cand.key in outside:
                found[cand.key] = RuleViolation(
                    "outside_support_period",
                    _("지원 기간이 아닌 경로당이 있습니다."),
                    date=day.isoformat(),
                    center_ids=sorted(outside[cand.key]),
                )
    return found


def clashes(candidates, centers) -> dict[int, list[Clash]]:
    """Greedy, in start-time order: what each candidate overlaps among the day's stored sessions
    and the earlier candidates kept; a clashing candidate is not kept."""
    found: dict[int, list[Clash]] = {}
    s = Session.__table__
    for day, group in _by_day(candidates).items():
        with_stored = centers.shared_with_stored(day, group)
        within = centers.shared_within(day, group)
        instructors = {c.instructor_id for c in group}
        shared_ids = {sid for per in with_stored.values() for sid in per}
        stmt = sa.select(s.c.id, s.c.instructor_id, s.c.start_time, s.c.duration_minutes).where(
            s.c.date == day, s.c.status != "cancelled"
        )
        if len(instructors) + len(shared_ids) <= rules.MAX_IN_IDS:
            condition = s.c.instructor_id.in_(sorted(instructors))
            if shared_ids:
                condition = sa.or_(condition, s.c.id.in_(sorted(shared_ids)))
            stmt = stmt.where(condition)
        stored = db.session.execute(stmt.order_by(s.c.start_time, s.c.id)).all()
        placed = [
            (r.id, r.instructor_id, minutes(r.start_time), r.duration_minutes, False)
            for r in stored
        ]
        for cand in sorted(group, key=lambda x: (x.start, x.key)):
            start = minutes(cand.start)
            mine = with_stored.get(cand.key, {})
            mates = within.get(cand.key, {})
            hit = []
            for pid, instructor_id, pstart, plen, in_batch in placed:
                if not in_batch and pid in cand.exclude_ids:
                    continue
                common = (mates if in_batch else mine).get(pid)
                if (instructor_id == cand.instructor_id or common) and overlaps(
                    start, cand.duration_minutes, pstart, plen
                ):
                    hit.append(Clash(pid, instructor_id, frozenset(common or ()), in_batch))
            if hit:
                found[cand.key] = hit
                continue
            placed.append((cand.key, cand.instructor_id, start, cand.duration_minutes, True))
    return found


def _conflict_rule(candidates, centers) -> dict[int, AppError]:
    by_key = {c.key: c for c in candidates}
    return {
        key: conflict(hit, by_key[key].instructor_id)
        for key, hit in clashes(candidates, centers).items()
    }


RULES = {
    DAY: _day_rule,
    HOURS: _hours_rule,
    CLOSED: _closed_rule,
    SUPPORT: _support_rule,
    CONFLICT: _conflict_rule,
}


def first_violations(
    candidates: Sequence[Candidate], order: Sequence[str] = CALENDAR, centers=None
) -> dict[int, AppError]:
    """The first rule of ``order`` each candidate breaks, by candidate key."""
    centers = centers if centers is not None else Listed()
    found: dict[int, AppError] = {}
    remaining = list(candidates)
    for name in order:
        if not remaining:
            break
        found.update(RULES[name](remaining, centers))
        remaining = [c for c in remaining if c.key not in found]
    return found


def check(candidate: Candidate, order: Sequence[str] = CALENDAR, centers=None) -> None:
    """Raise the first rule of ``order`` one candidate breaks (the single path)."""
    violation = first_violations([candidate], order, centers).get(candidate.key)
    if violation is not None:
        raise violation
