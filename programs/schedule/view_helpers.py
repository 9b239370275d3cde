"""Helpers of the schedule pages: the center picker's data, form choices, showing a service's
refusal on its form."""

from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from app.errors import AppError, Invalid
from app.extensions import db
from centers.directory import scope as center_scope
from programs.catalog import services as catalog
from programs.schedule import calendar_rules as rules
from programs.schedule.models import Session


def county_groups(user=None) -> list[dict]:
    """Counties with their active centers (for the center picker and the closures form),
    read through the Core tables; limited to the user's scope when given."""
    counties, centers = rules.counties_table(), rules.centers_table()
    visible = center_scope.visible_center_id_set(user) if user is not None else None
    groups: dict[int, dict] = {}
    for row in db.session.execute(
        sa.select(counties.c.id, counties.c.name, counties.c.province).order_by(
            counties.c.province, counties.c.name
        )
    ):
        groups[row.id] = {"id": row.id, "name": row.name, "province": row.province, "centers": []}
    for row in db.session.execute(
        sa.select(centers.c.id, centers.c.county_id, centers.c.name)
        .where(centers.c.active.is_(True))
        .order_by(centers.c.name)
    ):
        if visible is None or row.id in visible:
            groups[row.county_id]["centers"].append({"id": row.id, "name": row.name})
    return [g for g in groups.values() if g["centers"] or visible is None]


def chosen_centers(form) -> list[int] | None:
    """Centers picked one by one plus every active center of the counties picked whole;
    None when nothing was picked."""
    ids = set(form.center_ids.data or [])
    county_ids = set(form.county_ids.data or [])
    if county_ids:
        t = rules.centers_table()
        ids |= set(
            db.session.scalars(
                sa.select(t.c.id).where(t.c.county_id.in_(sorted(county_ids)), t.c.active.is_(True))
            )
        )
    return sorted(ids) if ids else None


def fill_choices(form) -> None:
    programs = catalog.list_programs(include_retired=False)
    instructors = catalog.list_instructors(include_retired=False)
    current_program = getattr(form, "_current_program", None)
    current_instructor = getattr(form, "_current_instructor", None)
    if current_program is not None and current_program not in programs:
        programs.append(current_program)
    if current_instructor is not None and current_instructor not in instructors:
        instructors.append(current_instructor)
    form.program_id.choices = [
        SelectChoice(p.id, _("%(title)s (%(n)s분)", title=p.title, n=p.duration_minutes))
        for p in programs
    ]
    form.instructor_id.choices = [SelectChoice(i.id, i.name) for i in instructors]


def show_error(form, exc: AppError):
    """Put a service's refusal on its field, or return it to show above the form."""
    field = exc.details.get("field") if isinstance(exc, Invalid) else None
    if field and hasattr(form, field):
        getattr(form, field).errors = list(getattr(form, field).errors or []) + [str(exc.message)]
        return None
    return exc


def clashes_of(problem: AppError | None) -> list[Session]:
    """The sessions a ``conflict`` names, to link them from the form."""
    if problem is None or problem.code != "conflict" or not problem.details.get("sessions"):
        return []
    ids = problem.details["sessions"]
    return list(
        db.session.scalars(
            sa.select(Session).where(Session.id.in_(ids)).order_by(Session.start_time)
        )
    )


def status_for(exc: AppError | None) -> int:
    return exc.status if exc is not None else 422


def next_weekday(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day
