"""Attendance pages: the tablet form (offline first), the day's list on the tablet, the service
worker, the coordinators' view, and a record's page with its audit history."""

import hashlib
import uuid
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app import clock
from app.auth.models import User
from app.extensions import db
from centers.attendance import scope as attendance_scope
from centers.attendance import services as attendance
from centers.attendance.forms import AttendanceForm, SelectChoice
from centers.attendance.models import Attendance, AttendanceStatus
from centers.directory import scope as center_scope
from centers.members import scope as member_scope
from centers.members.models import Member
from centers.tablet.services import center_sessions_between

bp = Blueprint(
    "attendance",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/tablet/attendance-assets",
)

STATIC = Path(__file__).parent / "static"
# What the service worker caches when it installs (the day's pages are added as they load).
PRECACHE_ASSETS = ("outbox.js", "attendance.js", "attendance.css")


# --- the tablet ------------------------------------------------------------------------


@bp.get("/tablet/attendance")
@login_required
def tablet_day():
    """Today's sessions at the tablet's center and the earlier ones still correctable
    (``ATTENDANCE_CORRECTION_DAYS``), each with its record and a link to the form."""
    if center_scope.own_center_id(current_user) is None:
        return redirect(url_for("attendance.sessions"))
    center = center_scope.own_center(current_user)
    today = clock.today()
    now = clock.now()
    days = attendance.correction_days()
    sessions = [
        s
        for s in center_sessions_between(current_user, center, today - timedelta(days=days), today)
        if s.date == today or attendance.can_edit(current_user, center, s)
    ]
    records = (
        {
            r.session_id: r
            for r in db.session.scalars(
                sa.select(Attendance).where(
                    Attendance.center_id == center.id,
                    Attendance.session_id.in_([s.id for s in sessions]),
                )
            )
        }
        if sessions
        else {}
    )
    by_day: dict = {}
    for s in sorted(sessions, key=lambda s: (s.date != today, -s.date.toordinal())):
        by_day.setdefault(s.date, []).append(s)
    return render_template(
        "attendance/tablet_day.html",
        center=center,
        sessions=sessions,
        days=list(by_day.items()),
        records=records,
        today=today,
        correction_days=days,
        now=now,
    )


@bp.route("/tablet/sessions/<int:session_id>/attendance", methods=["GET", "POST"])
@login_required
def tablet_form(session_id: int):
    """The attendance form: four status buttons, − and + for the headcount, name cards.
    With JavaScript it saves through the API and queues offline; without, it posts here."""
    if center_scope.own_center_id(current_user) is None:
        return redirect(url_for("attendance.session_detail", session_id=session_id))
    center = center_scope.own_center(current_user)
    session, center, record = attendance.get_record(current_user, session_id, center.id)
    form = AttendanceForm()
    if request.method == "POST":
        if form.validate_on_submit():
            attendance.record_attendance(
                current_user,
                session.id,
                center.id,
                status=form.status.data,
                headcount=form.headcount.data,
                member_ids=form.member_ids.data or [],
                client_ref=form.client_ref.data or None,
                source="tablet",
            )
            db.session.commit()
            flash(_("저장됨"), "success")
            return redirect(url_for("attendance.tablet_form", session_id=session.id))
        for field in form:
            for error in field.errors:
                flash(f"{field.label.text}: {error}", "error")
    return _render_tablet_form(session, center, record, form)


def _render_tablet_form(session, center, record, form):
    roster_ids = set(record.member_ids) if record else set()
    roster = list(
        db.session.scalars(
            sa.select(Member)
            .where(
                Member.center_id == center.id,
                sa.or_(Member.status == "active", Member.id.in_(roster_ids)),
            )
            .order_by(Member.name, Member.id)
        )
    )
    now = clock.now()
    reported = bool(record and record.status)
    proposed = None
    if not reported and record is not None and record.joined_at is not None:
        proposed = "attended"  # the center joined the room: propose "attended"
    return render_template(
        "attendance/tablet_form.html",
        session=session,
        center=center,
        record=record,
        roster=roster,
        form=form,
        checked_ids=roster_ids,
        regulars=set(attendance.regular_member_ids(center, session)),
        status=(record.status if reported else proposed),
        proposed=proposed,
        headcount=(
            record.headcount if reported and record.headcount is not None else len(roster_ids)
        ),
        started=now >= session.starts_at,
        editable=attendance.can_edit(current_user, center, session),
        open_for_entry=session.status == "published",
        client_ref=uuid.uuid4().hex,
        server_now=now,
        api_url=f"/api/v1/sessions/{session.id}/attendance/{center.id}",
    )


@bp.get("/tablet/sw.js")
def service_worker():
    """The service worker, served under /tablet and allowed the scope ``/tablet``."""
    assets = [url_for("static", filename="css/app.css")] + [
        url_for("attendance.static", filename=name) for name in PRECACHE_ASSETS
    ]
    digest = hashlib.sha256()
    for name in PRECACHE_ASSETS:
        digest.update((STATIC / name).read_bytes())
    for template in ("attendance/sw.js", "tablet/offline_page.html"):
        source, _filename, _uptodate = current_app.jinja_env.loader.get_source(current_app.jinja_env, template)
        digest.update(source.encode())
    offline_page = render_template("tablet/offline_page.html")
    body = render_template(
        "attendance/sw.js",
        version=digest.hexdigest()[:12],
        precache=assets,
        offline_page=offline_page,
    )
    response = make_response(body)
    response.headers["Content-Type"] = "text/javascript; charset=utf-8"
    response.headers["Service-Worker-Allowed"] = "/tablet"
    response.headers["Cache-Control"] = "no-cache"
    return response


# --- the coordinators' view ------------------------------------------------------------


@bp.get("/attendance")
@login_required
def sessions():
    """Sessions with their reports; ``?missing=1`` lists only those with missing reports."""
    today = clock.today()
    errors = []
    date_from, date_to = today - timedelta(days=13), today
    for name, label in (("from", _("시작일")), ("to", _("종료일"))):
        value = request.args.get(name, "").strip()
        if not value:
            continue
        parsed = _parse_date(value)
        if parsed is None:
            errors.append(_("%(field)s: 날짜는 YYYY-MM-DD 형식으로 입력하세요.", field=label))
        elif name == "from":
            date_from = parsed
        else:
            date_to = parsed
    if not errors and date_from > date_to:
        errors.append(_("기간의 끝이 시작보다 빠릅니다."))
    missing_only = request.args.get("missing") == "1"
    reports = (
        []
        if errors
        else attendance.session_reports(current_user, date_from, date_to, missing_only=missing_only)
    )
    return render_template(
        "attendance/sessions.html",
        reports=reports,
        errors=errors,
        date_from=date_from,
        date_to=date_to,
        raw_from=request.args.get("from", date_from.isoformat()),
        raw_to=request.args.get("to", date_to.isoformat()),
        missing_only=missing_only,
    ), (422 if errors else 200)


def _parse_date(value: str):
    """An ISO date, or ``None`` when ``value`` is not one."""
    from datetime import date

    from app.params import FIRST_DAY, LAST_DAY

    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    return day if FIRST_DAY <= day <= LAST_DAY else None  # outside the app's calendar: not valid


@bp.get("/attendance/sessions/<int:session_id>")
@login_required
def session_detail(session_id: int):
    """For one session: which invited centers joined, their status and headcount, who is missing."""
    session = attendance_scope.attendance_session(current_user, session_id)
    rows = attendance.session_overview(current_user, session)
    return render_template(
        "attendance/session.html",
        session=session,
        rows=rows,
        started=clock.now() >= session.starts_at,
    )


@bp.route("/attendance/sessions/<int:session_id>/centers/<int:center_id>", methods=["GET", "POST"])
@login_required
def record_page(session_id: int, center_id: int):
    """A record: what was reported, by whom and from where, every change, and (for those who
    may) a correction form."""
    session, center, record = attendance.get_record(current_user, session_id, center_id)
    editable = attendance.can_edit(current_user, center, session)
    form = AttendanceForm()
    roster = []
    if member_scope.can_see_member_names(current_user, center):
        present = set(record.member_ids) if record else set()
        roster = list(
            db.session.scalars(
                sa.select(Member)
                .where(
                    Member.center_id == center.id,
                    sa.or_(Member.status == "active", Member.id.in_(present)),
                )
                .order_by(Member.name, Member.id)
            )
        )
    form.member_ids.choices = [SelectChoice(m.id, m.name) for m in roster]
    if request.method == "POST":
        attendance_scope.require_attendance_writer(current_user, center)
        if form.validate_on_submit():
            outcome = attendance.record_attendance(
                current_user,
                session.id,
                center.id,
                status=form.status.data,
                headcount=form.headcount.data,
                member_ids=form.member_ids.data or [],
                note=form.note.data or "",
                source="page",
            )
            db.session.commit()
            flash(_("저장했습니다.") if outcome.applied else _("바뀐 내용이 없습니다."), "success")
            return redirect(
                url_for("attendance.record_page", session_id=session.id, center_id=center.id)
            )
    elif record is not None and record.status:
        form.status.data = record.status
        form.headcount.data = record.headcount
        form.member_ids.data = record.member_ids
        form.note.data = record.note
    elif record is None or not record.status:
        form.headcount.data = 0
    entries = attendance.history(record) if record else []
    user_ids = {e.user_id for e in entries if e.user_id} | (
        {record.recorded_by_id} if record and record.recorded_by_id else set()
    )
    users = (
        {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(user_ids)))}
        if user_ids
        else {}
    )
    member_names = {}
    if member_scope.can_see_member_names(current_user, center):
        member_names = dict(
            db.session.execute(
                sa.select(Member.id, Member.name).where(Member.center_id == center.id)
            ).all()
        )
    return render_template(
        "attendance/record.html",
        session=session,
        center=center,
        record=record,
        form=form,
        editable=editable,
        entries=[(e, describe(e, member_names)) for e in entries],
        users=users,
        member_names=member_names,
        roster=roster,
        can_write=attendance_scope.can_write_attendance(current_user, center),
        started=clock.now() >= session.starts_at,
        window_days=attendance.correction_days(),
    )


@bp.app_context_processor
def _offline_globals():
    """``now_iso()`` for the tablet pages: the server's clock, so a tablet can correct its own."""
    return {"now_iso": lambda: clock.now().isoformat()}


# --- the audit history, readable --------------------------------------------------------

SOURCE_LABELS = {
    "tablet": _l("태블릿"),
    "page": _l("웹 페이지"),
    "api": _l("API"),
    "jitsi": _l("Jitsi"),
    "cli": _l("명령줄"),
    "system": _l("시스템"),
}
ACTION_LABELS = {
    "attendance.record": _l("기록"),
    "attendance.correct": _l("수정"),
    "attendance.reconnected": _l("다시 접속"),
}
FIELD_LABELS = {
    "status": _l("상태"),
    "headcount": _l("참여 인원"),
    "member_ids": _l("참여 어르신"),
    "note": _l("메모"),
    "recorded_at": _l("기록 시각"),
    "joined_at": _l("접속 시각"),
    "left_at": _l("퇴장 시각"),
    "disconnects": _l("접속 끊김"),
}
HIDDEN_FIELDS = ("client_ref",)


def _value(field: str, value, member_names: dict) -> str:
    from datetime import datetime

    from app.i18n import fmt_datetime
    from app.labels import label

    if value is None or value == "" or value == []:
        return "—"
    if field == "status":
        return label(AttendanceStatus, value)
    if field == "member_ids":
        if not member_names:
            return _("%(n)s명", n=len(value))
        return ", ".join(member_names.get(i, f"#{i}") for i in value)
    if field.endswith("_at") and isinstance(value, str):
        try:
            return fmt_datetime(datetime.fromisoformat(value))
        except ValueError:
            return value
    return str(value)


def describe(entry, member_names: dict) -> dict:
    """An audit entry as ``{action, source, changes: [(label, before, after)]}``."""
    before, after = entry.before or {}, entry.after or {}
    changes = []
    for field in list(dict.fromkeys([*after.keys(), *before.keys()])):
        if field in HIDDEN_FIELDS or before.get(field) == after.get(field):
            continue
        changes.append(
            (
                str(FIELD_LABELS.get(field, field)),
                _value(field, before.get(field), member_names),
                _value(field, after.get(field), member_names),
            )
        )
    return {
        "action": str(ACTION_LABELS.get(entry.action, entry.action)),
        "source": str(SOURCE_LABELS.get(entry.source, entry.source)),
        "changes": changes,
    }


@bp.app_template_filter("attendance_source")
def attendance_source(code) -> str:
    return str(SOURCE_LABELS.get(code, code or "—"))
