"""The instructor's (and coordinators') video pages: today's and upcoming sessions with a
moderator join, and how many centers are in each room right now."""

from datetime import timedelta

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy.orm import selectinload

from app import clock
from app.errors import Forbidden
from app.extensions import db
from centers.presence import scope as presence_scope
from centers.presence import services as presence
from centers.tablet import services as tablet
from programs.rooms import scope as room_scope
from programs.rooms import services as rooms
from programs.schedule import scope as session_scope
from programs.schedule.models import Session

bp = Blueprint(
    "rooms", __name__, template_folder="templates", static_folder="static", static_url_path="/assets/rooms"
)

UPCOMING_DAYS = 14


class ReplaceRoomForm(FlaskForm):
    pass


def _require_room_user() -> None:
    presence_scope.require_room_user(current_user)


@bp.get("/rooms")
@login_required
def room_list():
    _require_room_user()
    now = clock.now()
    today = clock.today()
    stmt = (
        sa.select(Session)
        .where(
            Session.date.between(today, today + timedelta(days=UPCOMING_DAYS)),
            Session.was_published,
        )
        .order_by(Session.date, Session.start_time, Session.id)
        .limit(300)
        .options(selectinload(Session.invitations))  # each row shows its centers' count
    )
    sessions = list(db.session.scalars(session_scope.scope_sessions(stmt, current_user)))
    todays = [s for s in sessions if s.date == today]
    counts = presence.centers_in_room([s.id for s in todays])
    return render_template(
        "rooms/list.html",
        today_sessions=[(s, tablet.state_of(s, now), counts.get(s.id, 0)) for s in todays],
        upcoming=[s for s in sessions if s.date > today],
        today=today,
        video_configured=rooms.provider().configured,
    )


@bp.get("/rooms/<int:session_id>")
@login_required
def room(session_id: int):
    _require_room_user()
    session = presence_scope.get_watchable_session(current_user, session_id)
    return render_template(
        "rooms/room.html",
        session=session,
        status=presence.room_status(session),
        state=tablet.state_of(session, clock.now()),
        video_configured=rooms.provider().configured,
        can_replace=room_scope.can_replace_room(current_user),
        replace_form=ReplaceRoomForm(),
    )


@bp.route("/rooms/<int:session_id>/replace", methods=["GET", "POST"])
@login_required
def replace(session_id: int):
    """GET asks to confirm; POST gives the session a new room."""
    session = presence_scope.get_watchable_session(current_user, session_id)
    form = ReplaceRoomForm()
    if request.method == "GET":
        if not room_scope.can_replace_room(current_user):
            raise Forbidden()
        return render_template(
            "auth/confirm.html", form=form, title=_("회의실 바꾸기"),
            question=_(
                "%(title)s 수업의 회의실을 새로 만들까요? 지금 회의실에 있는 사람은 새 회의실로 다시 들어와야 합니다.",
                title=session.program.title,
            ),
            confirm_label=_("새 회의실 만들기"),
            cancel_url=url_for("rooms.room", session_id=session.id),
        )
    if not form.validate_on_submit():
        flash(_("페이지가 오래되었습니다. 다시 시도하세요."), "error")
        return redirect(url_for("rooms.room", session_id=session.id))
    rooms.replace_room(current_user, session)
    db.session.commit()
    flash(_("새 화상 회의실을 만들었습니다. 이전 회의실은 더 이상 쓰이지 않습니다."), "success")
    return redirect(url_for("rooms.room", session_id=session.id))
