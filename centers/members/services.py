"""A center's roster: the seniors registered there. Personal data, shown only within scope.

The center's manager (and staff) keep it: add, edit, mark as moved or deceased. Someone with
attendance is never deleted (their history stays in the reports); a member entered by
mistake and never marked present can be deleted. Every change is audited. Flush, never commit.
"""

from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import InstrumentedAttribute

from app import audit
from app.database import paged
from app.errors import Conflict, Invalid, NotFound
from app.extensions import db
from centers.directory import scope as center_scope
from centers.directory.models import Center
from centers.members import scope as member_scope
from centers.members.models import MEMBER_STATUSES, Member, birth_year_error

FIELDS = ("name", "birth_year", "phone", "status", "note")
ENTITY = "member"


def snapshot(member: Member) -> dict[str, Any]:
    return {key: getattr(member, key) for key in FIELDS}


def list_members(
    user, center: Center, status: str | None = None, *, limit: int | None = None, offset: int = 0
) -> list[Member]:
    member_scope.require_member_reader(user, center)
    stmt = sa.select(Member).where(Member.center_id == center.id)
    if status:
        stmt = stmt.where(Member.status == status)
    # Active first, then moved and deceased; by name within each.
    order = sa.case({"active": 0, "moved": 1, "deceased": 2}, value=Member.status, else_=3)
    return list(db.session.scalars(paged(stmt.order_by(order, Member.name, Member.id), limit, offset)))


def get_member(user, center_id: int, member_id: int) -> tuple[Center, Member]:
    """The center (404/403) and one of its members (404), for a user who may read the roster."""
    center = center_scope.get_center(user, center_id)
    member_scope.require_member_reader(user, center)
    member = db.session.get(Member, member_id)
    if member is None or member.center_id != center.id:
        raise NotFound()
    return center, member


def _clean(changes: dict[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for key, value in changes.items():
        if key not in FIELDS:
            continue
        if isinstance(value, str):
            value = value.strip()
        if key == "name":
            if not value:
                raise Invalid("name", _l("이름을 입력하세요."))
            if len(value) > 50:
                raise Invalid("name", _l("이름은 50자 이하여야 합니다."))
        elif key == "birth_year":
            if value in ("", None):
                value = None
            elif isinstance(value, bool) or not isinstance(value, int):
                raise Invalid("birth_year", _l("출생 연도가 올바르지 않습니다."))
            elif (problem := birth_year_error(value)) is not None:
                raise Invalid("birth_year", problem)
        elif key == "phone":
            value = value or None
            if value and len(value) > 30:
                raise Invalid("phone", _l("전화번호가 너무 깁니다."))
        elif key == "status":
            if value not in MEMBER_STATUSES:
                raise Invalid(
                    "status", _l("상태를 목록에서 고르세요."), allowed=list(MEMBER_STATUSES)
                )
        elif key == "note":
            value = value or ""
            if len(value) > 200:
                raise Invalid("note", _l("메모는 200자 이하여야 합니다."))
        clean[key] = value
    return clean


def create_member(user, center: Center, *, source: str = "api", **fields: Any) -> Member:
    member_scope.require_member_manager(user, center)
    if "name" not in fields:
        raise Invalid("name", _l("이름을 입력하세요."))
    data = _clean({"status": "active", **fields})
    member = Member(center_id=center.id, **data)
    db.session.add(member)
    db.session.flush()
    audit.record(user, "member.create", ENTITY, member.id, after=snapshot(member), source=source)
    return member


def update_member(
    user, center: Center, member: Member, changes: dict[str, Any], source: str = "api"
) -> Member:
    """Edit a member, or mark them moved or deceased (``status``)."""
    member_scope.require_member_manager(user, center)
    data = _clean(changes)
    before = snapshot(member)
    for key, value in data.items():
        setattr(member, key, value)
    after = snapshot(member)
    if after != before:
        db.session.flush()
        action = "member.status" if before["status"] != after["status"] else "member.update"
        audit.record(user, action, ENTITY, member.id, before=before, after=after, source=source)
    return member


# Columns of other features that refer to a member (attendance marks, care follow-ups): they
# register here, so a member they name is kept forever and this package never imports them.
_REFERENCES: list[InstrumentedAttribute] = []


def keep_members_named_in(member_id_column: InstrumentedAttribute) -> None:
    if not any(c is member_id_column for c in _REFERENCES):
        _REFERENCES.append(member_id_column)


def has_attendance(member: Member) -> bool:
    """Marked present at least once (or named in a care follow-up): keep them forever."""
    named = [sa.exists(sa.select(c).where(c == member.id)) for c in _REFERENCES]
    return bool(named) and bool(db.session.scalar(sa.select(sa.or_(*named))))


def delete_member(user, center: Center, member: Member, source: str = "api") -> None:
    """Only for someone never marked present; otherwise mark them moved or deceased."""
    member_scope.require_member_manager(user, center)
    if has_attendance(member):
        raise Conflict(
            _l("출석 기록이 있는 어르신은 삭제할 수 없습니다. 이사 또는 별세로 표시하세요."),
            field="status",
        )
    audit.record(user, "member.delete", ENTITY, member.id, before=snapshot(member), source=source)
    db.session.delete(member)
    db.session.flush()


def ids_with_attendance(center: Center) -> set[int]:
    """The center's members that another feature names (one query, for roster lists)."""
    if not _REFERENCES:
        return set()
    selects = [
        sa.select(c.label("member_id")).join(Member, Member.id == c).where(Member.center_id == center.id)
        for c in _REFERENCES
    ]
    stmt = selects[0].distinct() if len(selects) == 1 else sa.union(*selects)
    return set(db.session.scalars(stmt))
