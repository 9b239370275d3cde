"""The program catalog, instructors, closure days and calendar keys. Flush, never commit."""

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app import audit
from app.auth import policy
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.extensions import db
from programs import calendar_rules as rules
from programs.models import CATEGORIES, Closure, Instructor, Program, new_calendar_key

PROGRAM_FIELDS = ("title", "category", "description", "duration_minutes", "active")
INSTRUCTOR_FIELDS = ("name", "phone", "active")


def _snapshot(obj, fields_: tuple[str, ...]) -> dict[str, Any]:
    return {f: getattr(obj, f) for f in fields_}


# --- programs ------------------------------------------------------------------------------------


def list_programs(include_retired: bool = True) -> list[Program]:
    stmt = sa.select(Program).order_by(Program.active.desc(), Program.title)
    if not include_retired:
        stmt = stmt.where(Program.active.is_(True))
    return list(db.session.scalars(stmt))


def get_program(program_id: int) -> Program:
    program = db.session.get(Program, program_id)
    if program is None:
        raise NotFound()
    return program


def _check_program(data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    if "title" in data:
        data["title"] = (data["title"] or "").strip()
        if not data["title"]:
            raise Invalid("title", _l("제목을 입력하세요."))
    if "category" in data and data["category"] not in CATEGORIES:
        raise Invalid("category", _l("분류는 여가 또는 건강입니다."))
    if "duration_minutes" in data and not 10 <= (data["duration_minutes"] or 0) <= 240:
        raise Invalid("duration_minutes", _l("수업 길이는 10분에서 240분 사이여야 합니다."))
    if "description" in data:
        data["description"] = (data["description"] or "").strip()
    return data


def _title_taken(title: str, exclude_id: int | None = None) -> bool:
    stmt = sa.select(Program.id).where(sa.func.lower(Program.title) == title.lower())
    if exclude_id:
        stmt = stmt.where(Program.id != exclude_id)
    return db.session.scalar(stmt) is not None


def create_program(
    user,
    *,
    title: str,
    category: str,
    description: str = "",
    duration_minutes: int = 60,
    source: str = "api",
) -> Program:
    policy.require_scheduler(user)
    data = _check_program(
        {
            "title": title,
            "category": category,
            "description": description,
            "duration_minutes": duration_minutes,
        }
    )
    if _title_taken(data["title"]):
        raise Conflict(_l("같은 이름의 프로그램이 이미 있습니다."), field="title")
    program = Program(**data)
    db.session.add(program)
    db.session.flush()
    audit.record(
        user,
        "program.create",
        "program",
        program.id,
        after=_snapshot(program, PROGRAM_FIELDS),
        source=source,
    )
    return program


def update_program(user, program: Program, changes: dict[str, Any], source: str = "api") -> Program:
    """Edit a program; ``active=False`` retires it (kept for past sessions, not offered anew)."""
    policy.require_scheduler(user)
    changes = _check_program({k: v for k, v in changes.items() if k in PROGRAM_FIELDS})
    if "title" in changes and _title_taken(changes["title"], program.id):
        raise Conflict(_l("같은 이름의 프로그램이 이미 있습니다."), field="title")
    before = _snapshot(program, PROGRAM_FIELDS)
    for key, value in changes.items():
        setattr(program, key, value)
    db.session.flush()
    audit.record(
        user,
        "program.update",
        "program",
        program.id,
        before=before,
        after=_snapshot(program, PROGRAM_FIELDS),
        source=source,
    )
    return program


# --- instructors ----------------------------------------------------------------------------------


def list_instructors(include_retired: bool = True) -> list[Instructor]:
    stmt = sa.select(Instructor).order_by(Instructor.active.desc(), Instructor.name)
    if not include_retired:
        stmt = stmt.where(Instructor.active.is_(True))
    return list(db.session.scalars(stmt))


def get_instructor(user, instructor_id: int) -> Instructor:
    """Staff read every instructor; an instructor only themself."""
    instructor = db.session.get(Instructor, instructor_id)
    if instructor is None:
        raise NotFound()
    if not policy.can_manage_instructor_calendar(user, instructor_id):
        raise Forbidden()
    return instructor


def _check_instructor(data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    if "name" in data:
        data["name"] = (data["name"] or "").strip()
        if not data["name"]:
            raise Invalid("name", _l("이름을 입력하세요."))
    if "phone" in data:
        data["phone"] = (data["phone"] or "").strip() or None
    return data


def create_instructor(
    user, *, name: str, phone: str | None = None, source: str = "api"
) -> Instructor:
    policy.require_scheduler(user)
    data = _check_instructor({"name": name, "phone": phone})
    instructor = Instructor(**data)
    db.session.add(instructor)
    db.session.flush()
    audit.record(
        user,
        "instructor.create",
        "instructor",
        instructor.id,
        after=_snapshot(instructor, INSTRUCTOR_FIELDS),
        source=source,
    )
    return instructor


def update_instructor(
    user, instructor: Instructor, changes: dict[str, Any], source: str = "api"
) -> Instructor:
    """Edit an instructor; ``active=False`` retires them."""
    policy.require_scheduler(user)
    changes = _check_instructor({k: v for k, v in changes.items() if k in INSTRUCTOR_FIELDS})
    before = _snapshot(instructor, INSTRUCTOR_FIELDS)
    for key, value in changes.items():
        setattr(instructor, key, value)
    db.session.flush()
    audit.record(
        user,
        "instructor.update",
        "instructor",
        instructor.id,
        before=before,
        after=_snapshot(instructor, INSTRUCTOR_FIELDS),
        source=source,
    )
    return instructor


# --- calendar keys --------------------------------------------------------------------------------


def rotate_instructor_key(user, instructor: Instructor, source: str = "api") -> str:
    if not policy.can_manage_instructor_calendar(user, instructor.id):
        raise Forbidden()
    instructor.calendar_key = new_calendar_key()
    db.session.flush()
    audit.record(user, "instructor.calendar_key", "instructor", instructor.id, source=source)
    return instructor.calendar_key


def center_calendar_key(center_id: int) -> str | None:
    t = rules.centers_table()
    return db.session.scalar(sa.select(t.c.calendar_key).where(t.c.id == center_id))


def rotate_center_key(user, center, source: str = "api") -> str:
    """A new secret for the center's feed (the old link stops working). ``center`` comes from
    :func:`app.auth.policy.get_center`; the key is written through the Core table."""
    if not policy.can_manage_center_calendar(user, center):
        raise Forbidden()
    key = new_calendar_key()
    t = rules.centers_table()
    db.session.flush()
    db.session.execute(sa.update(t).where(t.c.id == center.id).values(calendar_key=key))
    db.session.expire(center, ["calendar_key"])
    audit.record(user, "center.calendar_key", "center", center.id, source=source)
    return key


# --- closures -------------------------------------------------------------------------------------


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
    """A closure day: everywhere (neither id), for a county, or for one center. Sessions
    already published that day are cancelled or lose the closed centers; ``closure.affected``
    lists them (:func:`programs.scheduling.apply_closure`)."""
    policy.require_scheduler(user)
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
    from programs import scheduling  # sessions stand on the catalog, not the other way round

    closure.affected = scheduling.apply_closure(user, closure, source=source)
    return closure


def delete_closure(user, closure_id: int, source: str = "api") -> None:
    policy.require_scheduler(user)
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
