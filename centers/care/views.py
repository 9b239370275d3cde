"""The county's care worklist page."""


import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, TextAreaField
from wtforms.validators import Length

from app import audit
from app.auth import policy
from app.errors import Invalid
from app.extensions import db
from app.params import id_arg
from app.utils import safe_next_url
from centers.care import scope as care_scope
from centers.care import services as care
from centers.care.models import FollowUpStatus
from centers.directory import services
from centers.directory.models import Center
from centers.members import scope as member_scope
from centers.members.models import Member

bp = Blueprint("care", __name__, url_prefix="/care", template_folder="templates")

OUTCOME_LABELS = {
    "contacted": _l("연락함"),
    "visited": _l("방문함"),
    "referred": _l("기관 연계"),
    "other": _l("기타"),
}

VIEWS = {
    "active": ("open", "in_progress"),
    "open": ("open",),
    "in_progress": ("in_progress",),
    "resolved": ("resolved",),
    "all": None,
}


class FollowUpForm(FlaskForm):
    status = SelectField(
        _l("상태"), choices=[SelectChoice(k, v) for k, v in FollowUpStatus.choices()]
    )
    outcome = SelectField(
        _l("조치"),
        choices=[SelectChoice("", _l("선택 안 함"))]
        + [SelectChoice(k, v) for k, v in OUTCOME_LABELS.items()],
    )
    note = TextAreaField(
        _l("메모"), validators=[Length(max=2000, message=_l("메모는 2000자까지 쓸 수 있습니다."))]
    )


@bp.get("/")
@login_required
def worklist():
    care_scope.require_care_access(current_user)
    return _worklist_page()


def _worklist_page(posted: FollowUpForm | None = None, posted_item=None, status: int = 200):
    """The worklist; ``posted`` is a refused form, shown again with its typed text and errors."""
    view = request.args.get("view", "active")
    if view not in VIEWS:
        view = "active"
    county_id = id_arg("county_id")
    items = care.list_follow_ups(current_user, county_id=county_id, statuses=VIEWS[view], limit=500)
    if posted_item is not None and posted_item not in items:
        items.insert(0, posted_item)
    centers = {
        c.id: c
        for c in db.session.scalars(
            sa.select(Center).where(Center.id.in_({i.center_id for i in items}))
        )
    }
    members = {
        m.id: m
        for m in db.session.scalars(
            sa.select(Member).where(Member.id.in_({i.member_id for i in items if i.member_id}))
        )
    }
    names = {cid: member_scope.can_see_member_names(current_user, c) for cid, c in centers.items()}
    forms = {
        i.id: FollowUpForm(prefix=f"f{i.id}", status=i.status, outcome=i.outcome or "", note=i.note)
        for i in items
    }
    if posted is not None:
        forms[posted_item.id] = posted
    history = audit.histories("follow_up", [i.id for i in items])
    counties = services.list_counties(current_user) if policy.is_staff(current_user) else []
    return render_template(
        "care/worklist.html",
        items=items,
        centers=centers,
        members=members,
        names=names,
        forms=forms,
        history=history,
        view=view,
        views=VIEWS,
        counties=counties,
        county_id=county_id,
        outcome_labels=OUTCOME_LABELS,
        reason_text=care.reason_text,
    ), status


@bp.post("/<int:follow_up_id>")
@login_required
def update(follow_up_id: int):
    item = care_scope.get_follow_up(current_user, follow_up_id)
    form = FollowUpForm(prefix=f"f{item.id}")
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            raise Invalid("csrf_token")
        return _worklist_page(form, item, 422)
    care.update_follow_up(
        current_user,
        item,
        status=form.status.data,
        note=form.note.data,
        outcome=form.outcome.data or None,
        source="page",
    )
    db.session.commit()
    flash(_("확인 기록을 저장했습니다."), "success")
    return redirect(safe_next_url(request.form.get("next"), "care.worklist"))
