"""Pages: the program catalog and instructors."""


from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.extensions import db
from app.forms import SimpleForm
from app.pages import save
from programs.catalog import services as catalog
from programs.catalog.forms import InstructorForm, ProgramForm
from programs.feeds import ical
from programs.schedule import scope as session_scope
from programs.schedule.view_helpers import show_error

bp = Blueprint("catalog", __name__, template_folder="templates")


@bp.route("/programs", methods=["GET", "POST"])
@login_required
def program_list():
    session_scope.require_scheduler(current_user)
    form = ProgramForm()
    problem, status = None, 200
    if request.method == "POST":
        if form.validate_on_submit():
            saved = save(
                lambda: catalog.create_program(
                    current_user,
                    title=form.title.data,
                    category=form.category.data,
                    description=form.description.data or "",
                    duration_minutes=form.duration_minutes.data,
                    source="page",
                )
            )
            if saved.ok:
                program = saved.result
                flash(_("프로그램 ‘%(title)s’을(를) 추가했습니다.", title=program.title), "success")
                return redirect(url_for("catalog.program_list"))
            problem = show_error(form, saved.error)
        status = 422
    return render_template(
        "catalog/program_list.html",
        programs=catalog.list_programs(),
        form=form,
        problem=problem,
        toggle_form=SimpleForm(),
    ), status


@bp.route("/programs/<int:program_id>", methods=["GET", "POST"])
@login_required
def program_edit(program_id: int):
    session_scope.require_scheduler(current_user)
    program = catalog.get_program(program_id)
    form = ProgramForm(obj=program)
    problem, status = None, 200
    if request.method == "POST":
        if form.validate_on_submit():
            saved = save(
                lambda: catalog.update_program(
                    current_user,
                    program,
                    {
                        "title": form.title.data,
                        "category": form.category.data,
                        "description": form.description.data or "",
                        "duration_minutes": form.duration_minutes.data,
                    },
                    source="page",
                )
            )
            if saved.ok:
                flash(_("프로그램을 고쳤습니다."), "success")
                return redirect(url_for("catalog.program_list"))
            problem = show_error(form, saved.error)
        status = 422
    return render_template(
        "catalog/program_edit.html",
        program=program,
        form=form,
        problem=problem,
        toggle_form=SimpleForm(),
    ), status


@bp.post("/programs/<int:program_id>/active")
@login_required
def program_toggle(program_id: int):
    """Retire a program, or offer it again."""
    session_scope.require_scheduler(current_user)
    if not SimpleForm().validate_on_submit():
        abort(400)
    program = catalog.get_program(program_id)
    catalog.update_program(current_user, program, {"active": not program.active}, source="page")
    db.session.commit()
    flash(
        _("프로그램을 다시 운영합니다.") if program.active else _("프로그램 운영을 마쳤습니다."),
        "success",
    )
    return redirect(url_for("catalog.program_list"))


@bp.route("/instructors", methods=["GET", "POST"])
@login_required
def instructor_list():
    session_scope.require_scheduler(current_user)
    form = InstructorForm()
    problem, status = None, 200
    if request.method == "POST":
        if form.validate_on_submit():
            saved = save(
                lambda: catalog.create_instructor(
                    current_user, name=form.name.data, phone=form.phone.data, source="page"
                )
            )
            if saved.ok:
                instructor = saved.result
                flash(_("강사 %(name)s 님을 추가했습니다.", name=instructor.name), "success")
                return redirect(url_for("catalog.instructor_list"))
            problem = show_error(form, saved.error)
        status = 422
    return render_template(
        "catalog/instructor_list.html",
        instructors=catalog.list_instructors(),
        form=form,
        problem=problem,
        toggle_form=SimpleForm(),
    ), status


@bp.route("/instructors/<int:instructor_id>", methods=["GET", "POST"])
@login_required
def instructor_edit(instructor_id: int):
    session_scope.require_scheduler(current_user)
    instructor = catalog.get_instructor(current_user, instructor_id)
    form = InstructorForm(obj=instructor)
    problem, status = None, 200
    if request.method == "POST":
        if form.validate_on_submit():
            saved = save(
                lambda: catalog.update_instructor(
                    current_user,
                    instructor,
                    {"name": form.name.data, "phone": form.phone.data},
                    source="page",
                )
            )
            if saved.ok:
                flash(_("강사 정보를 고쳤습니다."), "success")
                return redirect(url_for("catalog.instructor_list"))
            problem = show_error(form, saved.error)
        status = 422
    feed = ical.base_url() + url_for(
        "calendar.instructor_feed", instructor_id=instructor.id, key=instructor.calendar_key
    )
    return render_template(
        "catalog/instructor_edit.html",
        instructor=instructor,
        form=form,
        problem=problem,
        toggle_form=SimpleForm(),
        feed_url=feed,
    ), status


@bp.post("/instructors/<int:instructor_id>/active")
@login_required
def instructor_toggle(instructor_id: int):
    """Retire an instructor, or bring them back."""
    session_scope.require_scheduler(current_user)
    if not SimpleForm().validate_on_submit():
        abort(400)
    instructor = catalog.get_instructor(current_user, instructor_id)
    catalog.update_instructor(
        current_user, instructor, {"active": not instructor.active}, source="page"
    )
    db.session.commit()
    flash(
        _("강사가 다시 활동합니다.") if instructor.active else _("강사 활동을 마쳤습니다."),
        "success",
    )
    return redirect(url_for("catalog.instructor_list"))
