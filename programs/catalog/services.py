"""The program catalog and instructors. Flush, never commit."""

from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app import audit
from app.database import paged
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.extensions import db
from programs.catalog.models import CATEGORIES, DURATION_MINUTES, Instructor, Program
from programs.feeds import scope as feed_scope
from programs.schedule import scope as session_scope

PROGRAM_FIELDS = ("title", "category", "description", "duration_minutes", "active")

INSTRUCTOR_FIELDS = ("name", "phone", "active")


def _snapshot(obj, fields_: tuple[str, ...]) -> dict[str, Any]:
    return {f: getattr(obj, f) for f in fields_}


def list_programs(
    include_retired: bool = True, *, limit: int | None = None, offset: int = 0
) -> list[Program]:
    stmt = sa.select(Program).order_by(Program.active.desc(), Program.title, Program.id)
    if not include_retired:
        stmt = stmt.where(Program.active.is_(True))
    return list(db.session.scalars(paged(stmt, limit, offset)))


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
    if "duration_minutes" in data and (data["duration_minutes"] or 0) not in DURATION_MINUTES:
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
    session_scope.require_scheduler(user)
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
    session_scope.require_scheduler(user)
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


def list_instructors(
    include_retired: bool = True, *, limit: int | None = None, offset: int = 0
) -> list[Instructor]:
    stmt = sa.select(Instructor).order_by(Instructor.active.desc(), Instructor.name, Instructor.id)
    if not include_retired:
        stmt = stmt.where(Instructor.active.is_(True))
    return list(db.session.scalars(paged(stmt, limit, offset)))


def get_instructor(user, instructor_id: int) -> Instructor:
    """Staff read every instructor; an instructor only themself."""
    instructor = db.session.get(Instructor, instructor_id)
    if instructor is None:
        raise NotFound()
    if not feed_scope.can_manage_instructor_calendar(user, instructor_id):
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
    session_scope.require_scheduler(user)
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
    session_scope.require_scheduler(user)
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
