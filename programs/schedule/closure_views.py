"""Pages: closure days."""

from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from app import clock
from app.errors import Invalid
from app.extensions import db
from app.forms import SimpleForm
from app.pages import save
from programs.schedule import closures, weekly
from programs.schedule import scope as session_scope
from programs.schedule.forms import ClosureForm
from programs.schedule.view_helpers import county_groups, show_error
from programs.schedule.views import bp


@bp.route("/closures", methods=["GET", "POST"])
@login_required
def closure_list():
    session_scope.require_scheduler(current_user)
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

            def add_closure():
                if scope == "county" and not form.county_id.data:
                    raise Invalid("county_id", _("군을 고르세요."))
                if scope == "center" and not form.center_id.data:
                    raise Invalid("center_id", _("경로당을 고르세요."))
                return closures.create_closure(
                    current_user,
                    date=form.date.data,
                    reason=form.reason.data,
                    county_id=form.county_id.data if scope == "county" else None,
                    center_id=form.center_id.data if scope == "center" else None,
                    source="page",
                )

            saved = save(add_closure)
            if saved.ok:
                closure = saved.result
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
                return redirect(url_for("schedule.closure_list"))
            problem = show_error(form, saved.error)
        status = 422
    names = {g["id"]: g["name"] for g in groups}
    center_names = {c["id"]: f"{g['name']} · {c['name']}" for g in groups for c in g["centers"]}
    today = clock.today()
    return render_template(
        "schedule/closures.html",
        form=form,
        problem=problem,
        delete_form=SimpleForm(),
        upcoming=closures.list_closures(today),
        past=closures.list_closures(today - timedelta(days=90), today - timedelta(days=1)),
        county_names=names,
        center_names=center_names,
    ), status


@bp.post("/closures/<int:closure_id>/delete")
@login_required
def closure_delete(closure_id: int):
    session_scope.require_scheduler(current_user)
    if not SimpleForm().validate_on_submit():
        abort(400)
    closures.delete_closure(current_user, closure_id, source="page")
    db.session.commit()
    flash(_("휴관일을 지웠습니다."), "success")
    return redirect(url_for("schedule.closure_list"))
