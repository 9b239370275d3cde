"""Counties and centers: reads scoped by the user, writes by coordinators. Flush, never commit."""

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from app import audit
from app.auth import policy
from app.database import paged
from app.errors import Conflict, Invalid
from app.extensions import db
from centers.directory import scope as center_scope
from centers.directory.models import CAPACITY, PHONE_MAX_LENGTH, Center, County, SupportPeriod

CENTER_FIELDS = ("name", "address", "capacity", "contact_phone", "active")


def list_counties(user, *, limit: int | None = None, offset: int = 0) -> list[County]:
    stmt = sa.select(County).options(selectinload(County.support_periods)).order_by(County.province, County.name)
    return list(db.session.scalars(paged(center_scope.scope_counties(stmt, user), limit, offset)))


def create_county(
    user,
    *,
    name: str,
    province: str,
    support_start: date | None = None,
    support_end: date | None = None,
    source: str = "api",
) -> County:
    policy.require_staff(user)
    name, province = name.strip(), province.strip()
    if not name:
        raise Invalid("name")
    if not province:
        raise Invalid("province")
    if (support_start is None) != (support_end is None):
        raise Invalid(
            "support_end" if support_end is None else "support_start",
            _l("지원 기간은 시작일과 종료일을 함께 입력하세요."),
        )
    if support_start and support_end and support_start > support_end:
        raise Invalid("support_end", _l("지원 종료일이 시작일보다 빠릅니다."))
    exists = db.session.scalar(sa.select(County.id).where(County.name == name, County.province == province))
    if exists:
        raise Conflict(_l("같은 시·도에 같은 이름의 군이 이미 있습니다."), field="name")
    county = County(name=name, province=province)
    if support_start and support_end:
        county.support_periods.append(SupportPeriod(start=support_start, end=support_end))
    db.session.add(county)
    db.session.flush()
    audit.record(user, "county.create", "county", county.id, after={"name": name, "province": province}, source=source)
    return county


def add_support_period(
    user, county: County, start: date, end: date, note: str = "", source: str = "page"
) -> SupportPeriod:
    policy.require_staff(user)
    if start > end:
        raise Invalid("end", _l("지원 종료일이 시작일보다 빠릅니다."))
    for period in county.support_periods:
        if period.start <= end and start <= period.end:
            raise Conflict(_l("기존 지원 기간과 겹칩니다."), field="start")
    period = SupportPeriod(county=county, start=start, end=end, note=note)
    db.session.add(period)
    db.session.flush()
    audit.record(
        user,
        "county.support_period",
        "county",
        county.id,
        after={"start": start.isoformat(), "end": end.isoformat()},
        source=source,
    )
    return period


def list_centers(
    user,
    county_id: int | None = None,
    include_inactive: bool = True,
    *,
    limit: int | None = None,
    offset: int = 0,
) -> list[Center]:
    stmt = sa.select(Center).join(County).order_by(County.name, Center.name)
    if county_id is not None:
        center_scope.get_county(user, county_id)
        stmt = stmt.where(Center.county_id == county_id)
    if not include_inactive:
        stmt = stmt.where(Center.active.is_(True))
    return list(db.session.scalars(paged(center_scope.scope_centers(stmt, user), limit, offset)))


def clean_phone(value: str | None) -> str | None:
    """A phone number as the members' roster takes it: trimmed, empty is none, at most 30."""
    value = (value or "").strip() or None
    if value and len(value) > PHONE_MAX_LENGTH:
        raise Invalid("contact_phone", _l("전화번호가 너무 깁니다."))
    return value


def _check_center_fields(data: dict[str, Any]) -> None:
    if "name" in data and not (data["name"] or "").strip():
        raise Invalid("name")
    capacity = data.get("capacity")
    if capacity is not None and capacity not in CAPACITY:
        raise Invalid("capacity", _l("정원은 1에서 500 사이여야 합니다."))


def create_center(
    user,
    *,
    county_id: int,
    name: str,
    address: str = "",
    capacity: int | None = None,
    contact_phone: str | None = None,
    source: str = "api",
) -> Center:
    policy.require_staff(user)
    if db.session.get(County, county_id) is None:
        raise Invalid("county_id", _l("해당 군이 없습니다."))
    _check_center_fields({"name": name, "capacity": capacity})
    name = name.strip()
    if db.session.scalar(sa.select(Center.id).where(Center.county_id == county_id, Center.name == name)):
        raise Conflict(_l("같은 군에 같은 이름의 경로당이 이미 있습니다."), field="name")
    center = Center(
        county_id=county_id,
        name=name,
        address=address.strip(),
        capacity=capacity,
        contact_phone=clean_phone(contact_phone),
    )
    db.session.add(center)
    db.session.flush()
    audit.record(user, "center.create", "center", center.id, after=center_snapshot(center), source=source)
    return center


def update_center(user, center: Center, changes: dict[str, Any], source: str = "api") -> Center:
    policy.require_staff(user)
    _check_center_fields(changes)
    before = center_snapshot(center)
    if "name" in changes:
        name = changes["name"].strip()
        clash = db.session.scalar(
            sa.select(Center.id).where(
                Center.county_id == center.county_id, Center.name == name, Center.id != center.id
            )
        )
        if clash:
            raise Conflict(_l("같은 군에 같은 이름의 경로당이 이미 있습니다."), field="name")
        changes = {**changes, "name": name}
    if "contact_phone" in changes:
        changes = {**changes, "contact_phone": clean_phone(changes["contact_phone"])}
    for key in CENTER_FIELDS:
        if key in changes:
            setattr(center, key, changes[key])
    db.session.flush()
    audit.record(
        user, "center.update", "center", center.id, before=before, after=center_snapshot(center), source=source
    )
    return center


def center_snapshot(center: Center) -> dict[str, Any]:
    return {k: getattr(center, k) for k in CENTER_FIELDS}
