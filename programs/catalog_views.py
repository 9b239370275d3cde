"""Pages: the program catalog, instructors, closure days, calendar subscriptions, and the
printable weekly timetable of a center."""

from datetime import timedelta

import segno
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from wtforms.fields.choices import SelectChoice

from app import clock
from app.auth import policy
from app.auth.models import Role
from app.errors import AppError, Invalid
from app.extensions import db
from app.params import id_arg
from programs import calendar_rules as rules
from programs import catalog, ical, weekly
from programs.forms import ClosureForm, InstructorForm, ProgramForm, SimpleForm
from programs.view_helpers import county_groups, show_error
from programs.views import bp
from programs.weeks import monday_of, parse_week, week_of

# --- programs -------------------------------------------------------------------------------------


@bp.route("/programs", methods=["GET", "POST"])
@login_required
def program_list():
    policy.require_scheduler(current_user)
    form = ProgramForm()
    problem, status = None, 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                program = catalog.create_program(
                    current_user,
                    title=form.title.data,
                    category=form.category.data,
                    description=form.description.data or "",
                    duration_minutes=form.duration_minutes.data,
                    source="page",
                )
                db.session.commit()
                flash(_("프로그램 ‘%(title)s’을(를) 추가했습니다.", title=program.title), "success")
                return redirect(url_for("programs.program_list"))
            except AppError as exc:
                db.session.rollback()
                problem = show_error(form, exc)
        status = 422
    return render_template(
        "programs/program_list.html",
        programs=catalog.list_programs(),
        form=form,
        problem=problem,
        toggle_form=SimpleForm(),
    ), status


@bp.route("/programs/<int:program_id>", methods=["GET", "POST"])
@login_required
def program_edit(program_id: int):
    policy.require_scheduler(current_user)
    program = catalog.get_program(program_id)
    form = ProgramForm(obj=program)
    problem, status = None, 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                catalog.update_program(
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
                db.session.commit()
                flash(_("프로그램을 고쳤습니다."), "success")
                return redirect(url_for("programs.program_list"))
            except AppError as exc:
                db.session.rollback()
                problem = show_error(form, exc)
        status = 422
    return render_template(
        "programs/program_edit.html",
        program=program,
        form=form,
        problem=problem,
        toggle_form=SimpleForm(),
    ), status


@bp.post("/programs/<int:program_id>/active")
@login_required
def program_toggle(program_id: int):
    """Retire a program, or offer it again."""
    policy.require_scheduler(current_user)
    if not SimpleForm().validate_on_submit():
        abort(400)
    program = catalog.get_program(program_id)
    catalog.update_program(current_user, program, {"active": not program.active}, source="page")
    db.session.commit()
    flash(
        _("프로그램을 다시 운영합니다.") if program.active else _("프로그램 운영을 마쳤습니다."),
        "success",
    )
    return redirect(url_for("programs.program_list"))


# --- instructors ----------------------------------------------------------------------------------


@bp.route("/instructors", methods=["GET", "POST"])
@login_required
def instructor_list():
    policy.require_scheduler(current_user)
    form = InstructorForm()
    problem, status = None, 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                instructor = catalog.create_instructor(
                    current_user, name=form.name.data, phone=form.phone.data, source="page"
                )
                db.session.commit()
                flash(_("강사 %(name)s 님을 추가했습니다.", name=instructor.name), "success")
                return redirect(url_for("programs.instructor_list"))
            except AppError as exc:
                db.session.rollback()
                problem = show_error(form, exc)
        status = 422
    return render_template(
        "programs/instructor_list.html",
        instructors=catalog.list_instructors(),
        form=form,
        problem=problem,
        toggle_form=SimpleForm(),
    ), status


@bp.route("/instructors/<int:instructor_id>", methods=["GET", "POST"])
@login_required
def instructor_edit(instructor_id: int):
    policy.require_scheduler(current_user)
    instructor = catalog.get_instructor(current_user, instructor_id)
    form = InstructorForm(obj=instructor)
    problem, status = None, 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                catalog.update_instructor(
                    current_user,
                    instructor,
                    {"name": form.name.data, "phone": form.phone.data},
                    source="page",
                )
                db.session.commit()
                flash(_("강사 정보를 고쳤습니다."), "success")
                return redirect(url_for("programs.instructor_list"))
            except AppError as exc:
                db.session.rollback()
                problem = show_error(form, exc)
        status = 422
    feed = ical.base_url() + url_for(
        "calendar.instructor_feed", instructor_id=instructor.id, key=instructor.calendar_key
    )
    return render_template(
        "programs/instructor_edit.html",
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
    policy.require_scheduler(current_user)
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
    return redirect(url_for("programs.instructor_list"))


# --- closures -------------------------------------------------------------------------------------


@bp.route("/closures", methods=["GET", "POST"])
@login_required
def closure_list():
    policy.require_scheduler(current_user)
    form = ClosureForm()
    groups = county_groups()
    form.county_id.choices = [SelectChoice(0, "—")] + [
        SelectChoice(g["id"], f"{g['name']} ({g['province']})") for g in groups
    ]
    form.center_id.choices = [SelectChoice(0, "—")] + [
        SelectChoice(c["id"], c["name"], optgroup=g["name"]) for g in groups for c in g["centers"]
    ]
    problem, status = None, 200
    if request.method == "POST":
        if form.validate_on_submit():
            scope = form.scope.data
            try:
                if scope == "county" and not form.county_id.data:
                    raise Invalid("county_id", _("군을 고르세요."))
                if scope == "center" and not form.center_id.data:
                    raise Invalid("center_id", _("경로당을 고르세요."))
                closure = catalog.create_closure(
                    current_user,
                    date=form.date.data,
                    reason=form.reason.data,
                    county_id=form.county_id.data if scope == "county" else None,
                    center_id=form.center_id.data if scope == "center" else None,
                    source="page",
                )
                db.session.commit()
                affected = len(weekly.sessions_between(current_user, closure.date, closure.date))
                flash(_("휴관일을 추가했습니다."), "success")
                if affected:
                    flash(
                        _(
                            "그날 이미 잡힌 수업이 %(n)s개 있습니다. 주간 일정에서 확인하세요.",
                            n=affected,
                        ),
                        "info",
                    )
                return redirect(url_for("programs.closure_list"))
            except AppError as exc:
                db.session.rollback()
                problem = show_error(form, exc)
        status = 422
    names = {g["id"]: g["name"] for g in groups}
    center_names = {c["id"]: f"{g['name']} · {c['name']}" for g in groups for c in g["centers"]}
    today = clock.today()
    return render_template(
        "programs/closures.html",
        form=form,
        problem=problem,
        delete_form=SimpleForm(),
        upcoming=catalog.list_closures(today),
        past=catalog.list_closures(today - timedelta(days=90), today - timedelta(days=1)),
        county_names=names,
        center_names=center_names,
    ), status


@bp.post("/closures/<int:closure_id>/delete")
@login_required
def closure_delete(closure_id: int):
    policy.require_scheduler(current_user)
    if not SimpleForm().validate_on_submit():
        abort(400)
    catalog.delete_closure(current_user, closure_id, source="page")
    db.session.commit()
    flash(_("휴관일을 지웠습니다."), "success")
    return redirect(url_for("programs.closure_list"))


# --- calendar subscriptions -----------------------------------------------------------------------


@bp.get("/calendar-feeds")
@login_required
def calendar_feeds():
    """The feed URLs the user may subscribe to (and rotate): the instructor's own, the center
    manager's center, every center and instructor for coordinators."""
    base = ical.base_url()
    centers, instructors = [], []
    if policy.is_staff(current_user) or current_user.role == Role.CENTER_MANAGER:
        ids = None if policy.is_staff(current_user) else {current_user.center_id}
        for group in county_groups():
            for c in group["centers"]:
                if ids is None or c["id"] in ids:
                    key = catalog.center_calendar_key(c["id"])
                    centers.append(
                        {
                            "id": c["id"],
                            "name": f"{group['name']} · {c['name']}",
                            "url": base
                            + url_for("calendar.center_feed", center_id=c["id"], key=key),
                        }
                    )
    if policy.is_staff(current_user):
        chosen = catalog.list_instructors()
    elif current_user.role == Role.INSTRUCTOR and current_user.instructor_id:
        chosen = [catalog.get_instructor(current_user, current_user.instructor_id)]
    else:
        chosen = []
    for i in chosen:
        instructors.append(
            {
                "id": i.id,
                "name": i.name,
                "active": i.active,
                "url": base
                + url_for("calendar.instructor_feed", instructor_id=i.id, key=i.calendar_key),
            }
        )
    return render_template(
        "programs/calendar_feeds.html",
        centers=centers,
        instructors=instructors,
        rotate_form=SimpleForm(),
    )


@bp.post("/calendar-feeds/centers/<int:center_id>/rotate")
@login_required
def rotate_center_key(center_id: int):
    if not SimpleForm().validate_on_submit():
        abort(400)
    center = policy.get_center(current_user, center_id)
    catalog.rotate_center_key(current_user, center, source="page")
    db.session.commit()
    flash(_("새 구독 주소를 만들었습니다. 예전 주소는 더 이상 쓸 수 없습니다."), "success")
    return redirect(url_for("programs.calendar_feeds"))


@bp.post("/calendar-feeds/instructors/<int:instructor_id>/rotate")
@login_required
def rotate_instructor_key(instructor_id: int):
    if not SimpleForm().validate_on_submit():
        abort(400)
    instructor = catalog.get_instructor(current_user, instructor_id)
    catalog.rotate_instructor_key(current_user, instructor, source="page")
    db.session.commit()
    flash(_("새 구독 주소를 만들었습니다. 예전 주소는 더 이상 쓸 수 없습니다."), "success")
    return redirect(request.referrer or url_for("programs.calendar_feeds"))


# --- printable timetable --------------------------------------------------------------------------


@bp.get("/centers/<int:center_id>/timetable")
@login_required
def timetable(center_id: int):
    """The center's week on one A4 page, in large type, with a QR code to its tablet page."""
    center = policy.get_center(current_user, center_id)
    week = request.args.get("week") or week_of(clock.today())
    try:
        monday = parse_week(week)
    except Invalid:
        abort(404)
    sessions = weekly.sessions_between(
        current_user, monday, monday + timedelta(days=4), center_id=center.id
    )
    sessions = [s for s in sessions if s.published_at is not None]
    view = weekly.week_view(current_user, week_of(monday))
    by_day = {d.date: [s for s in sessions if s.date == d.date] for d in view.days}
    row = rules.center_rows([center.id])[center.id]
    closed = {}
    for closure in rules.closures_between(monday, monday + timedelta(days=4)):
        if rules.closure_applies(closure, [row]):
            closed.setdefault(closure.date, closure.reason)
    tablet_url = ical.base_url() + "/tablet"
    # segno builds this SVG itself and escapes its title; no user text goes into it.
    qr = Markup(  # nosec B704
        segno.make(tablet_url, error="m").svg_inline(
            scale=5, dark="#000", title=_("태블릿 화면 주소")
        )
    )
    return render_template(
        "programs/timetable.html",
        center=center,
        view=view,
        by_day=by_day,
        qr=qr,
        closed=closed,
        tablet_url=tablet_url,
        week=week_of(monday),
        monday=monday_of(monday),
    )


@bp.get("/timetable")
@login_required
def timetable_pick():
    """The week page's "print a timetable" form: ``?center=&week=``."""
    center_id = id_arg("center")
    if not center_id:
        abort(404)
    return redirect(
        url_for("programs.timetable", center_id=center_id, week=request.args.get("week"))
    )
