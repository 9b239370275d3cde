"""Pages: closure days."""

from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from app import clock
from app.errors import Invalid
from app.extensions import db
from app.forms import SimpleForm
from app.i18n import fmt_time
from app.pages import save
from programs.schedule import calendar_rules as rules
from programs.schedule import closures, weekly
from programs.schedule import scope as session_scope
from programs.schedule.forms import ClosureForm
from programs.schedule.models import Session
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
                flash(_("휴관일을 추가했습니다."), "success")
                _flash_closure_effects(closure)
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


def _flash_closure_effects(closure) -> None:
    """Say what the new closure changed in the published sessions of its day, and how many
    drafts it left (publishing will skip their closed centers)."""
    names = {c.id: c.name for c in rules.center_rows().values()}
    for effect in closure.affected:
        session = db.session.get(Session, effect["session_id"])
        what = f"{fmt_time(session.starts_at)} {session.program.title}"
        if effect["action"] == "cancelled":
            flash(_("%(session)s: 초대한 경로당이 모두 쉬어서 수업을 취소했습니다.", session=what), "info")
        else:
            flash(
                ngettext(
                    "%(session)s: 쉬는 경로당 %(num)d곳(%(names)s)을 초대에서 뺐습니다.",
                    "%(session)s: 쉬는 경로당 %(num)d곳(%(names)s)을 초대에서 뺐습니다.",
                    len(effect["center_ids"]),
                    session=what,
                    names=", ".join(names.get(cid, str(cid)) for cid in effect["center_ids"]),
                ),
                "info",
            )
    drafts = [
        s
        for s in weekly.sessions_between(current_user, closure.date, closure.date)
        if s.status == "draft"
    ]
    if drafts:
        flash(
            ngettext(
                "그날 초안 %(num)d개는 그대로 두었습니다. 쉬는 경로당을 초대한 초안은 게시할 때 건너뜁니다.",
                "그날 초안 %(num)d개는 그대로 두었습니다. 쉬는 경로당을 초대한 초안은 게시할 때 건너뜁니다.",
                len(drafts),
            ),
            "info",
        )


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
