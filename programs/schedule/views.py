"""Pages: the week grid, adding and editing sessions, cancel, reschedule, repeat, copy, publish.

Thin views: parse the form, call a service, commit once, render. A refusal from a service is
shown on the same form (with the clashing sessions for a conflict), not lost in a redirect.
"""

from datetime import date, timedelta

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import clock
from app.audit import history
from app.auth.models import Role
from app.errors import Invalid
from app.extensions import db
from app.forms import SimpleForm
from app.pages import save
from app.params import id_arg
from centers.directory import scope as center_scope
from programs.schedule import bulk, weekly
from programs.schedule import calendar_rules as rules
from programs.schedule import scope as session_scope
from programs.schedule import services as scheduling
from programs.schedule.forms import CancelForm, CopyWeekForm, RepeatForm, RescheduleForm, SessionForm
from programs.schedule.history import describe as describe_history
from programs.schedule.models import Session
from programs.schedule.view_helpers import (
    chosen_centers,
    clashes_of,
    county_groups,
    fill_choices,
    next_weekday,
    show_error,
    status_for,
)
from programs.schedule.weeks import parse_week, week_of

bp = Blueprint(
    "schedule",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/assets/schedule",
)


def _week_redirect(day: date):
    return redirect(url_for("schedule.week", week=week_of(day)))


# --- the week ------------------------------------------------------------------------------------


@bp.get("/weeks")
@login_required
def week_current():
    """This week, or the week of ``?date=`` (the jump-to-date form)."""
    raw = request.args.get("date")
    day = clock.today()
    if raw:
        try:
            day = date.fromisoformat(raw)
        except ValueError:
            flash(_("날짜를 2026-11-24 형식으로 입력하세요."), "error")
    return _week_redirect(day)


@bp.get("/weeks/<week>")
@login_required
def week(week: str):
    try:
        view = weekly.week_view(current_user, week)
    except Invalid:
        abort(404)
    staff = session_scope.can_schedule(current_user)
    copy_form = CopyWeekForm(from_week=view.previous) if staff else None
    drafts = sum(1 for d in view.days for s in d.sessions if s.status == "draft")
    timetable_centers = []
    if current_user.role == Role.CENTER_MANAGER:
        timetable_centers = [{"id": current_user.center_id, "name": None}]
    elif current_user.role == Role.COUNTY_VIEWER or staff:
        timetable_centers = [c for g in county_groups(current_user) for c in g["centers"]]
    return render_template(
        "schedule/week.html",
        view=view,
        staff=staff,
        copy_form=copy_form,
        publish_form=SimpleForm(),
        drafts=drafts,
        today=clock.today(),
        this_week=week_of(clock.today()),
        timetable_centers=timetable_centers,
    )


@bp.post("/weeks/<week>/publish")
@login_required
def week_publish(week: str):
    session_scope.require_scheduler(current_user)
    form = SimpleForm()
    if not form.validate_on_submit():
        abort(400)
    result = bulk.publish_week(current_user, week, source="page")
    db.session.commit()
    count = result["published"]
    for held in result["skipped"]:
        flash(
            _(
                "%(date)s 초안은 게시하지 않았습니다: %(reason)s",
                date=held["date"],
                reason=held["message"],
            ),
            "error",
        )
    flash(
        _("수업 %(n)s개를 게시했습니다.", n=count) if count else _("게시할 초안이 없습니다."),
        "success" if count else "info",
    )
    return redirect(url_for("schedule.week", week=week))


@bp.post("/weeks/<week>/copy")
@login_required
def week_copy(week: str):
    session_scope.require_scheduler(current_user)
    parse_week(week)
    form = CopyWeekForm()
    if not form.validate_on_submit():
        for error in form.from_week.errors:
            flash(str(error), "error")
        return redirect(url_for("schedule.week", week=week))
    saved = save(lambda: bulk.copy_week(current_user, form.from_week.data.strip(), week, source="page"))
    if not saved.ok:
        if not isinstance(saved.error, Invalid):
            raise saved.error
        flash(str(saved.error.message), "error")
        return redirect(url_for("schedule.week", week=week))
    result = saved.result
    sessions = {
        s.id: s
        for s in db.session.scalars(
            sa.select(Session).where(
                Session.id.in_([x["session_id"] for x in result["skipped"]] or [-1])
            )
        )
    }
    return render_template(
        "schedule/copy_result.html",
        week=week,
        from_week=form.from_week.data.strip(),
        created=len(result["created"]),
        skipped=result["skipped"],
        sources=sessions,
    )


# --- one session ----------------------------------------------------------------------------------


def _session_form_context(form, session=None, problem=None, day=None):
    fill_choices(form)
    chosen = set(form.center_ids.data or [])
    covered = rules.covered_county_ids(day) if day else None
    return {
        "form": form,
        "session": session,
        "problem": problem,
        "clashes": clashes_of(problem),
        "groups": county_groups(),
        "back_week": week_of(session.date if session else (day or clock.today())),
        "chosen": chosen,
        "chosen_counties": set(form.county_ids.data or []),
        "covered": covered,
        "day": day,
        "holiday": rules.holiday_name(day) if day else None,
    }


@bp.route("/sessions/new", methods=["GET", "POST"])
@login_required
def session_new():
    session_scope.require_scheduler(current_user)
    form = SessionForm()
    problem = None
    if request.method == "GET":
        raw = request.args.get("date")
        try:
            day = date.fromisoformat(raw) if raw else next_weekday(clock.today())
        except ValueError:
            day = next_weekday(clock.today())
        form.date.data = day
        form.center_ids.data = rules.default_center_ids(day)
        program_id = id_arg("program_id")
        if program_id:
            form.program_id.data = program_id
    else:
        fill_choices(form)
        if form.validate_on_submit():
            saved = save(
                lambda: scheduling.create_session(
                    current_user,
                    program_id=form.program_id.data,
                    instructor_id=form.instructor_id.data,
                    date=form.date.data,
                    start=form.start.data,
                    duration_minutes=form.duration_minutes.data,
                    center_ids=chosen_centers(form) or [],
                    note=form.note.data or "",
                    source="page",
                )
            )
            if saved.ok:
                session = saved.result
                flash(_("수업을 초안으로 추가했습니다."), "success")
                return redirect(url_for("schedule.week", week=week_of(session.date)))
            problem = show_error(form, saved.error)
        status = status_for(problem)
        return render_template(
            "schedule/session_form.html",
            **_session_form_context(form, problem=problem, day=form.date.data),
        ), status
    return render_template(
        "schedule/session_form.html", **_session_form_context(form, day=form.date.data)
    )


@bp.route("/sessions/<int:session_id>", methods=["GET", "POST"])
@login_required
def session_detail(session_id: int):
    session = session_scope.get_session(current_user, session_id)
    staff = session_scope.can_schedule(current_user)
    if not staff:
        if request.method == "POST":
            abort(403)
        return render_template(
            "schedule/session_view.html",
            session=session,
            centers=_center_names(center_scope.filter_center_ids(current_user, session.center_ids)),
        )
    form = SessionForm(obj=None)
    form._current_program, form._current_instructor = session.program, session.instructor
    problem = None
    status = 200
    if request.method == "GET":
        form.program_id.data, form.instructor_id.data = session.program_id, session.instructor_id
        form.date.data, form.start.data = session.date, session.start_time
        form.duration_minutes.data, form.note.data = session.duration_minutes, session.note
        form.center_ids.data, form.version.data = session.center_ids, str(session.version)
    else:
        fill_choices(form)
        if form.validate_on_submit():
            version = int(form.version.data or 0)
            changes = {
                "program_id": form.program_id.data,
                "instructor_id": form.instructor_id.data,
                "date": form.date.data,
                "start": form.start.data,
                "duration_minutes": form.duration_minutes.data or session.duration_minutes,
                "center_ids": chosen_centers(form) or [],
                "note": form.note.data or "",
            }
            saved = save(
                lambda: scheduling.update_session(
                    current_user, session, changes, version=version, source="page"
                )
            )
            if saved.ok:
                flash(_("수업을 고쳤습니다."), "success")
                return redirect(url_for("schedule.week", week=week_of(session.date)))
            session = session_scope.get_session(current_user, session_id)
            problem = show_error(form, saved.error)
            status = problem.status if problem else 422
        else:
            status = 422
    context = _session_form_context(form, session=session, problem=problem, day=form.date.data)
    return render_template(
        "schedule/session_form.html",
        **context,
        cancel_form=CancelForm(version=str(session.version)),
        reschedule_form=RescheduleForm(version=str(session.version), start=session.start_time),
        history=[(e, describe_history(e)) for e in history("session", session.id)],
        makeups=_makeups(session),
    ), status


def _makeups(session: Session) -> list[Session]:
    return list(
        db.session.scalars(sa.select(Session).where(Session.rescheduled_from_id == session.id))
    )


def _center_names(center_ids: list[int]) -> list[str]:
    rows = rules.center_rows(center_ids)
    return sorted(row.name for row in rows.values())


@bp.route("/sessions/<int:session_id>/cancel", methods=["GET", "POST"])
@login_required
def session_cancel(session_id: int):
    """GET asks to confirm (with the reason typed on the session page); POST cancels."""
    session_scope.require_scheduler(current_user)
    session = session_scope.get_session(current_user, session_id)
    if request.method == "GET":
        form = CancelForm(formdata=request.args, meta={"csrf": True})
        form.version.data = form.version.data or str(session.version)
        return render_template(
            "auth/confirm.html", form=form, title=_("수업 취소"),
            question=_("%(date)s %(title)s 수업을 취소할까요? 초대된 경로당과 강사의 일정에서 취소로 바뀝니다.",
                       date=session.date.isoformat(), title=session.program.title),
            confirm_label=_("수업 취소하기"),
            cancel_url=url_for("schedule.session_detail", session_id=session.id),
        )
    form = CancelForm()
    if not form.validate_on_submit():
        abort(400)
    version = int(form.version.data) if (form.version.data or "").isdigit() else None
    scheduling.cancel_session(
        current_user, session, form.reason.data or "", version=version, source="page"
    )
    db.session.commit()
    flash(_("수업을 취소했습니다."), "success")
    return redirect(url_for("schedule.week", week=week_of(session.date)))


@bp.post("/sessions/<int:session_id>/reschedule")
@login_required
def session_reschedule(session_id: int):
    session_scope.require_scheduler(current_user)
    session = session_scope.get_session(current_user, session_id)
    form = RescheduleForm()
    if not form.validate_on_submit():
        for field in (form.date, form.start):
            for error in field.errors:
                flash(f"{field.label.text}: {error}", "error")
        return redirect(url_for("schedule.session_detail", session_id=session_id))
    version = int(form.version.data) if (form.version.data or "").isdigit() else None
    makeup = scheduling.reschedule_session(
        current_user,
        session,
        date=form.date.data,
        start=form.start.data,
        reason=form.reason.data or "",
        version=version,
        source="page",
    )
    db.session.commit()
    flash(_("보강 수업을 %(date)s에 잡았습니다.", date=makeup.date.isoformat()), "success")
    return redirect(url_for("schedule.week", week=week_of(makeup.date)))


@bp.get("/sessions/<int:session_id>/join")
@login_required
def join_page(session_id: int):
    """The calendar events' link: a center's manager goes to the tablet screen, the instructor
    and coordinators to the session's room page (both from the video feature, when installed),
    everyone else to the session's page."""
    session_scope.get_session(current_user, session_id)
    views = current_app.view_functions
    if current_user.role == Role.CENTER_MANAGER and "tablet.home" in views:
        return redirect(url_for("tablet.home"))
    if current_user.role in (Role.ADMIN, Role.COORDINATOR, Role.INSTRUCTOR) and "rooms.room" in views:
        return redirect(url_for("rooms.room", session_id=session_id))
    if current_user.role == Role.COUNTY_VIEWER:
        flash(_("군 담당자는 화상 수업에 들어가지 않습니다. 대신 수업 정보를 보여 드립니다."), "info")
    return redirect(url_for("schedule.session_detail", session_id=session_id))


# --- repeat ---------------------------------------------------------------------------------------


@bp.route("/sessions/repeat", methods=["GET", "POST"])
@login_required
def session_repeat():
    session_scope.require_scheduler(current_user)
    form = RepeatForm()
    fill_choices(form)
    problem, result, status = None, None, 200
    if request.method == "GET":
        start = next_weekday(clock.today())
        form.from_.data = start
        form.until.data = start + timedelta(weeks=4)
        form.weekdays.data = ["MO", "TU", "WE", "TH", "FR"]
    elif form.validate_on_submit():
        saved = save(
            lambda: scheduling.repeat_sessions(
                current_user,
                program_id=form.program_id.data,
                instructor_id=form.instructor_id.data,
                start=form.start.data,
                weekdays=form.weekdays.data,
                from_=form.from_.data,
                until=form.until.data,
                duration_minutes=form.duration_minutes.data,
                center_ids=chosen_centers(form),
                source="page",
            )
        )
        result = saved.result
        if saved.ok:
            status = 201
        else:
            problem = show_error(form, saved.error)
            status = status_for(problem)
    else:
        status = 422
    created = []
    if result:
        created = list(
            db.session.scalars(
                sa.select(Session)
                .where(Session.id.in_(result["created"] or [-1]))
                .order_by(Session.date)
            )
        )
    return render_template(
        "schedule/repeat.html",
        form=form,
        problem=problem,
        result=result,
        created=created,
        groups=county_groups(),
        chosen=set(form.center_ids.data or []),
        chosen_counties=set(form.county_ids.data or []),
    ), status
