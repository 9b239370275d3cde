"""The tablet's "도움 요청" button: a form POST with CSRF (works without JavaScript); help.js
sends the same request to the API instead, so a call in progress is not interrupted."""

from flask import Blueprint, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length, Optional

from app import clock
from app.errors import Invalid
from app.extensions import db
from centers.live import scope as live_scope
from centers.live import services as live
from centers.live.models import MESSAGE_MAX_LENGTH
from centers.tablet.sources import request_source

bp = Blueprint(
    "help", __name__, template_folder="templates", static_folder="static",
    static_url_path="/assets/live",
)


class HelpForm(FlaskForm):
    message = StringField(validators=[Optional(), Length(max=MESSAGE_MAX_LENGTH)])


def help_done_message() -> str:
    return _("도움을 요청했습니다 — 담당자가 연락드립니다")


@bp.app_template_global("help_button")
def help_button(session) -> dict | None:
    """What the tablet's help button needs, or None when it is not offered (not a center's
    manager or tablet, or outside the window of 15 minutes before the start to the end)."""
    if not current_user.is_authenticated or current_user.role not in live_scope.HELP_ROLES:
        return None
    if session is None or session.status != "published" or not live.help_open_now(session):
        return None
    return {
        "action": url_for("help.request_help", session_id=session.id),
        "api_url": url_for("live_api.request_help", session_id=session.id),
        "form": HelpForm(),
        "open": live.open_request(session.id, current_user.center_id) is not None,
        "now": clock.now(),
    }


@bp.post("/tablet/sessions/<int:session_id>/help")
def request_help(session_id: int):
    if not current_user.is_authenticated:
        return redirect(url_for("tablet.pair"))
    form = HelpForm()
    if not form.validate_on_submit():
        flash(_("페이지가 오래되었습니다. 다시 시도하세요."), "error")
        return redirect(url_for("tablet.home"))
    try:
        live.request_help(
            current_user, session_id, None, form.message.data or "",
            source=request_source(current_user),
        )
    except Invalid as exc:  # outside the window, or a cancelled session; scope errors are 403/404
        db.session.rollback()
        flash(str(exc.message), "error")
        return redirect(url_for("tablet.home"), 303)
    db.session.commit()
    flash(help_done_message(), "success")
    return redirect(url_for("tablet.home"), 303)
