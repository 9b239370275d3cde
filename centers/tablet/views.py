"""Pages of the center's tablet (``/tablet``, ``/tablet/pair``) and its pairing on the
center's page. The tablet's attendance form lives in the attendance feature."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import Length, Optional

from app import clock
from app.errors import AppError, NotFound
from app.extensions import db
from app.links import absolute
from app.rate_limits import pair_limits
from centers.directory import scope as center_scope
from centers.tablet import day_cache
from centers.tablet import scope as tablet_scope
from centers.tablet import services as tablet
from centers.tablet.models import TabletDevice
from programs.rooms import services as rooms

bp = Blueprint(
    "tablet",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/tablet/static",
)


class PairForm(FlaskForm):
    code = StringField(validators=[Length(max=20)])


class PairingCodeForm(FlaskForm):
    label = StringField(validators=[Optional(), Length(max=80)])


class RevokeForm(FlaskForm):
    device_id = HiddenField()


@bp.get("/tablet")
def home():
    if not current_user.is_authenticated:
        return redirect(url_for("tablet.pair"))
    if not day_cache.serves(current_user):
        center_scope.own_center(current_user)  # 403 for every other role
    day, found = day_cache.day_for(current_user, also=(tablet.seen_key(current_user),))
    items = tablet.today_items(day.sessions)
    if tablet.note_seen(current_user, found.get(tablet.seen_key(current_user))):
        db.session.commit()
    return render_template(
        "tablet/home.html",
        center=day.center,
        items=items,
        main=tablet.main_session(items),
        next_session=day.next_session,
        today=clock.today(),
        video_configured=rooms.provider().configured,
    )


@bp.route("/tablet/pair", methods=["GET", "POST"])
@pair_limits
def pair():
    form = PairForm(code=request.args.get("code", ""))
    status = 200
    if form.validate_on_submit():
        try:
            device, user = tablet.pair(form.code.data, source="tablet")
        except AppError as exc:
            db.session.rollback()
            form.code.errors = [str(exc.message)]
            status = 422
        else:
            if current_user.is_authenticated:
                logout_user()
            login_user(user, remember=True, duration=tablet.REMEMBER_FOR)
            db.session.commit()
            return redirect(url_for("tablet.home"))
    elif request.method == "POST":
        status = 422
    return render_template("tablet/pair.html", form=form), status


@bp.post("/centers/<int:center_id>/tablets")
def create_pairing(center_id: int):
    if not current_user.is_authenticated:
        return redirect(
            url_for("auth.login", next=url_for("home.center_detail", center_id=center_id))
        )
    center = center_scope.get_center(current_user, center_id)
    tablet_scope.require_can_manage_tablets(current_user, center)
    form = PairingCodeForm()
    if not form.validate_on_submit():
        flash(_("입력값이 올바르지 않습니다."), "error")
        return redirect(url_for("home.center_detail", center_id=center.id))
    device, code = tablet.create_pairing(current_user, center, form.label.data or "")
    db.session.commit()
    pair_url = absolute(url_for("tablet.pair", code=code))
    return render_template(
        "tablet/pairing_code.html",
        center=center,
        device=device,
        code=code,
        pair_url=pair_url,
        plain_pair_url=absolute(url_for("tablet.pair")),
        qr_svg=tablet.qr_svg(pair_url),
    )


@bp.route("/centers/<int:center_id>/tablets/<int:device_id>/revoke", methods=["GET", "POST"])
def revoke(center_id: int, device_id: int):
    """GET asks to confirm; POST unpairs the tablet (or cancels its pending code)."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    center = center_scope.get_center(current_user, center_id)
    form = RevokeForm()
    if request.method == "GET":
        tablet_scope.require_can_manage_tablets(current_user, center)
        device = db.session.get(TabletDevice, device_id)
        if device is None or device.center_id != center.id:
            raise NotFound()
        name = device.label or _("태블릿 %(n)s", n=device.id)
        return render_template(
            "auth/confirm.html", form=form, title=_("태블릿 연결 해제"),
            question=_("%(center)s의 %(name)s 연결을 해제할까요? 그 태블릿은 다시 연결할 때까지 쓸 수 없습니다.",
                       center=center.name, name=name),
            confirm_label=_("연결 해제"),
            cancel_url=url_for("home.center_detail", center_id=center.id) + "#tablets-title",
        )
    if not form.validate_on_submit():
        flash(_("페이지가 오래되었습니다. 다시 시도하세요."), "error")
        return redirect(url_for("home.center_detail", center_id=center.id))
    tablet.revoke(current_user, center, device_id)
    db.session.commit()
    flash(_("태블릿 연결을 해제했습니다."), "success")
    return redirect(url_for("home.center_detail", center_id=center.id) + "#tablets-title")


@bp.before_app_request
def _tablets_go_home():
    """A paired tablet that lands on the site's home page is taken to its own screen."""
    if (
        request.endpoint == "main.home"
        and current_user.is_authenticated
        and tablet_scope.is_tablet(current_user)
    ):
        return redirect(url_for("tablet.home"))
    return None


def tablet_panel(center) -> dict:
    """For the center's page: may the user pair tablets here, and which are paired."""
    if not tablet_scope.can_manage_tablets(current_user, center):
        return {"can_manage": False, "devices": []}
    return {
        "can_manage": True,
        "devices": tablet.devices(current_user, center),
        "pairing_form": PairingCodeForm(),
        "revoke_form": RevokeForm(),
        "now": clock.now(),
    }
