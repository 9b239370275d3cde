"""Pages: calendar subscriptions (feed addresses, rotating their keys)."""


from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.errors import Forbidden
from app.extensions import db
from app.forms import SimpleForm
from app.utils import safe_next_url
from centers.directory import scope as center_scope
from programs.catalog import services as catalog
from programs.feeds import ical
from programs.feeds import keys as calendar_keys
from programs.feeds import scope as feed_scope
from programs.schedule.view_helpers import county_groups

bp = Blueprint(
    "feeds",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/calendar-feeds/assets",
)


def webcal(url: str) -> str:
    """The same address as ``webcal://``, which calendar apps open as a subscription."""
    return "webcal://" + url.split("://", 1)[-1]


@bp.get("/calendar-feeds")
@login_required
def calendar_feeds():
    """The feed URLs the user may subscribe to (and rotate): the instructor's own, the center
    manager's center, every center and instructor for coordinators."""
    base = ical.base_url()
    centers, instructors = [], []
    ids = feed_scope.subscribable_center_ids(current_user)
    if ids is None or ids:
        for group in county_groups():
            for c in group["centers"]:
                if ids is None or c["id"] in ids:
                    key = calendar_keys.center_calendar_key(c["id"])
                    centers.append(
                        {
                            "id": c["id"],
                            "name": f"{group['name']} · {c['name']}",
                            "url": base
                            + url_for("calendar.center_feed", center_id=c["id"], key=key),
                        }
                    )
    instructor_ids = feed_scope.subscribable_instructor_ids(current_user)
    if instructor_ids is None:
        chosen = catalog.list_instructors()
    else:
        chosen = [catalog.get_instructor(current_user, i) for i in sorted(instructor_ids)]
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
        "feeds/calendar_feeds.html",
        centers=centers,
        instructors=instructors,
        rotate_form=SimpleForm(),
        webcal=webcal,
    )


@bp.route("/calendar-feeds/centers/<int:center_id>/rotate", methods=["GET", "POST"])
@login_required
def rotate_center_key(center_id: int):
    """GET asks to confirm; POST makes a new address (the old one stops working)."""
    if request.method == "GET":
        center = center_scope.get_center(current_user, center_id)
        if not feed_scope.can_manage_center_calendar(current_user, center):
            raise Forbidden()
        return _confirm_rotation(center.name, url_for("feeds.calendar_feeds"))
    if not SimpleForm().validate_on_submit():
        abort(400)
    center = center_scope.get_center(current_user, center_id)
    calendar_keys.rotate_center_key(current_user, center, source="page")
    db.session.commit()
    flash(_("새 구독 주소를 만들었습니다. 예전 주소는 더 이상 쓸 수 없습니다."), "success")
    return redirect(url_for("feeds.calendar_feeds"))


@bp.route("/calendar-feeds/instructors/<int:instructor_id>/rotate", methods=["GET", "POST"])
@login_required
def rotate_instructor_key(instructor_id: int):
    """GET asks to confirm (``next``: where to go back); POST makes a new address."""
    if request.method == "GET":
        instructor = catalog.get_instructor(current_user, instructor_id)
        if not feed_scope.can_manage_instructor_calendar(current_user, instructor.id):
            raise Forbidden()
        back = safe_next_url(request.args.get("next") or request.referrer, "feeds.calendar_feeds")
        return _confirm_rotation(instructor.name, back)
    if not SimpleForm().validate_on_submit():
        abort(400)
    instructor = catalog.get_instructor(current_user, instructor_id)
    calendar_keys.rotate_instructor_key(current_user, instructor, source="page")
    db.session.commit()
    flash(_("새 구독 주소를 만들었습니다. 예전 주소는 더 이상 쓸 수 없습니다."), "success")
    return redirect(
        safe_next_url(request.form.get("next") or request.referrer, "feeds.calendar_feeds")
    )


def _confirm_rotation(name: str, back: str):
    return render_template(
        "auth/confirm.html", form=SimpleForm(), title=_("새 구독 주소 만들기"),
        question=_("%(name)s의 캘린더 주소를 새로 만들까요? 예전 주소로 구독한 캘린더는 더 이상 갱신되지 않습니다.",
                   name=name),
        confirm_label=_("새 주소 만들기"), cancel_url=back, next_url=back,
    )
