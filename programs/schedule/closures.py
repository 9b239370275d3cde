"""Closure days: everywhere, for a county or for one center. Flush, never commit."""

from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app import audit
from app.errors import Conflict, Invalid, NotFound
from app.extensions import db
from programs.schedule import calendar_rules as rules
from programs.schedule import scope as session_scope
from programs.schedule.models import Closure


def list_closures(start: date | None = None, end: date | None = None) -> list[Closure]:
    stmt = sa.select(Closure).order_by(Closure.date, Closure.id)
    if start:
        stmt = stmt.where(Closure.date >= start)
    if end:
        stmt = stmt.where(Closure.date <= end)
    return list(db.session.scalars(stmt))


def create_closure(
    user,
    *,
    date: date,
    reason: str,
    county_id: int | None = None,
    center_id: int | None = None,
    source: str = "api",
) -> Closure:
    """A closure day: everywhere (neither id), for a county, or for one center."""
    session_scope.require_scheduler(user)
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("reason", _l("사유를 입력하세요."))
    if county_id and center_id:
        raise Invalid("center_id", _l("군과 경로당 중 하나만 고르세요."))
    if county_id:
        t = rules.counties_table()
        if db.session.scalar(sa.select(t.c.id).where(t.c.id == county_id)) is None:
            raise Invalid("county_id", _l("해당 군이 없습니다."))
    if center_id and center_id not in rules.center_rows([center_id]):
        raise Invalid("center_id", _l("없는 경로당입니다."))
    duplicate = db.session.scalar(
        sa.select(Closure.id).where(
            Closure.date == date,
            Closure.county_id.is_(None) if not county_id else Closure.county_id == county_id,
            Closure.center_id.is_(None) if not center_id else Closure.center_id == center_id,
        )
    )
    if duplicate:
        raise Conflict(_l("같은 날 같은 범위의 휴관일이 이미 있습니다."), field="date")
    closure = Closure(
        date=date, reason=reason, county_id=county_id or None, center_id=center_id or None
    )
    db.session.add(closure)
    db.session.flush()
    audit.record(
        user,
        "closure.create",
        "closure",
        closure.id,
        source=source,
        after={
            "date": date.isoformat(),
            "reason": reason,
            "county_id": county_id,
            "center_id": center_id,
        },
    )
    return closure


def delete_closure(user, closure_id: int, source: str = "api") -> None:
    session_scope.require_scheduler(user)
    closure = db.session.get(Closure, closure_id)
    if closure is None:
        raise NotFound()
    audit.record(
        user,
        "closure.delete",
        "closure",
        closure.id,
        source=source,
        before={
            "date": closure.date.isoformat(),
            "reason": closure.reason,
            "county_id": closure.county_id,
            "center_id": closure.center_id,
        },
    )
    db.session.delete(closure)
    db.session.flush()
