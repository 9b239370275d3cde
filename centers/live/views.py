"""The live board (``/live``, 실시간 현황): today's sessions with their counts and, for the chosen
session, one tile per invited center the viewer may see. The first paint is the server's; the
board's script then keeps it current from ``/live/stream`` (polling ``/live/panel`` when the
stream breaks) and resolves help requests through the API. Without script, the session picker is
a set of links and resolving is a form posted to this blueprint."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

import sqlalchemy as sa
from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import Length, Optional

from app import clock
from app.auth.policy import is_staff
from app.extensions import db
from app.labels import label
from app.params import id_arg
from centers.attendance.models import AttendanceStatus
from centers.directory.models import County
from centers.live import scope
from centers.live import services as live
from centers.live.models import NOTE_MAX_LENGTH

bp = Blueprint(
    "live_board",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/assets/live-board",
)

# A tile's state, by text and icon as well as colour: (label, icon).
STATES = {
    "waiting": (_l("아직 안 들어옴"), "○"),
    "late": (_l("늦음"), "⚠"),
    "in_room": (_l("회의실에 있음"), "●"),
    "left": (_l("나감"), "◐"),
    "reported": (_l("출석 보고함"), "✓"),
}

DEFAULTS = {"LIVE_BOARD_POLL_SECONDS": 10, "LIVE_BOARD_REFRESH_SECONDS": 60}


class ResolveForm(FlaskForm):
    note = TextAreaField(_l("메모 (선택)"), validators=[Optional(), Length(max=NOTE_MAX_LENGTH)])


def tile_state(center: dict) -> str:
    if center["presence"] == live.Presence.IN_ROOM:
        return "in_room"
    if center["attendance_status"]:
        return "reported"
    if center["presence"] == live.Presence.LEFT:
        return "left"
    return "late" if center["late"] else "waiting"


def _digest(value) -> str:
    text = json.dumps(value, default=str, sort_keys=True, ensure_ascii=False)
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:16]


def phone_href(phone: str | None) -> str | None:
    """A ``tel:`` target: the number's digits (and a leading ``+``), or None."""
    text = (phone or "").strip()
    digits = "".join(ch for ch in text if ch.isdigit())
    if not digits:
        return None
    return ("+" if text.startswith("+") else "") + digits


def _tile(center: dict) -> dict:
    help_request = center["help"]
    tile = {
        "phone_href": phone_href(center["phone"]),
        **{k: v for k, v in center.items() if k != "help"},
        "state": tile_state(center),
        "help_open": help_request is not None and help_request.resolved_at is None,
        "help": help_request,
        "status_label": label(AttendanceStatus, center["attendance_status"]) or None,
    }
    facts = {k: v for k, v in tile.items() if k != "help"}
    if help_request is not None:
        facts["help"] = (help_request.id, help_request.resolved_at, help_request.message)
    tile["digest"] = _digest([facts, str(STATES[tile["state"]][0])])
    return tile


def _chosen(sessions: list[dict], now: datetime) -> int | None:
    """The session under way, else the next to start, else the last of the day."""
    if not sessions:
        return None
    for row in sessions:
        if row["starts_at"] <= now < row["ends_at"]:
            return row["session_id"]
    upcoming = [row for row in sessions if row["starts_at"] > now]
    return (upcoming[0] if upcoming else sessions[-1])["session_id"]


def board_context(user, session_id: int | None, county_id: int | None = None) -> dict:
    """The board; ``county_id`` (coordinators' filter) keeps that county's sessions and tiles."""
    scope.require_board_user(user)
    now = clock.now()
    day = live.today(user, county_id)
    sessions = day["sessions"]
    for row in sessions:
        row["digest"] = _digest(row)
    chosen = session_id or _chosen(sessions, now)
    board = live.session_live(user, chosen) if chosen else None
    tiles = [
        _tile(c) for c in (board["centers"] if board else []) if county_id is None or c["county_id"] == county_id
    ]
    counts = {state: sum(1 for t in tiles if t["state"] == state) for state in STATES}
    next_change = None
    if board:
        board["digest"] = _digest(
            [board["title"], board["starts_at"], board["ends_at"], board["instructor_in_room"], counts]
        )
        late_at = board["starts_at"] + live.LATE_AFTER
        if now < late_at and any(t["state"] == "waiting" for t in tiles):
            next_change = int((late_at - now).total_seconds()) + 1
    return {
        "day": day["date"],
        "sessions": sessions,
        "chosen": chosen,
        "board": board,
        "tiles": tiles,
        "help_tiles": [t for t in tiles if t["help_open"]],
        "states": STATES,
        "can_resolve": is_staff(user),
        "resolve_form": ResolveForm(),
        "counts": counts,
        "next_change": next_change,
        "county_id": county_id,
        "counties": _counties(user),
    }


def _counties(user) -> list:
    """The county filter's choices: staff only (a county viewer's board is its county's)."""
    if not is_staff(user):
        return []
    return list(db.session.execute(sa.select(County.id, County.name, County.province).order_by(County.name, County.id)))


def _settings() -> dict:
    config = current_app.config
    return {key: int(config.get(key, value)) for key, value in DEFAULTS.items()}


@bp.get("/live")
@login_required
def board():
    context = board_context(current_user, id_arg("session_id"), id_arg("county_id"))
    return render_template("live/board.html", settings=_settings(), **context)


@bp.get("/live/panel")
@login_required
def panel():
    """The board's changing part alone, for its script (the stream says when to fetch it)."""
    context = board_context(current_user, id_arg("session_id"), id_arg("county_id"))
    return render_template("live/_panel.html", **context)


@bp.post("/live/sessions/<int:session_id>/help/<int:center_id>/resolve")
@login_required
def resolve(session_id: int, center_id: int):
    """The form's way (without script) to resolve a center's call for help."""
    back = url_for("live_board.board", session_id=session_id)
    form = ResolveForm()
    if not form.validate_on_submit():
        if form.errors.get("note"):
            flash(_("메모는 %(n)s자 이하여야 합니다.", n=NOTE_MAX_LENGTH), "error")
        else:
            flash(_("페이지가 오래되었습니다. 다시 시도하세요."), "error")
        return redirect(back)
    request_row = live.resolve_help(
        current_user, session_id, center_id, form.note.data or "", source="page"
    )
    db.session.commit()
    flash(_("도움 요청을 해결됨으로 표시했습니다."), "success")
    return redirect(back + f"#tile-{request_row.center_id}")


def init_app(app) -> None:
    from app import nav

    app.register_blueprint(bp)
    nav.register(app, _l("실시간 현황"), "live_board.board", scope.BOARD_ROLES, order=12)
