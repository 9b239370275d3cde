"""Pages: a center's printable weekly timetable, with a QR code to its tablet screen."""

from datetime import timedelta

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import clock
from app.errors import Invalid
from app.params import id_arg
from centers.directory import scope as center_scope
from programs.feeds import ical
from programs.schedule import calendar_rules as rules
from programs.schedule import weekly
from programs.schedule.qr import svg as qr_svg
from programs.schedule.views import bp
from programs.schedule.weeks import monday_of, parse_week, week_of


@bp.get("/centers/<int:center_id>/timetable")
@login_required
def timetable(center_id: int):
    """The center's week on one A4 page, in large type, with a QR code to its tablet page."""
    center = center_scope.get_center(current_user, center_id)
    week = request.args.get("week") or week_of(clock.today())
    try:
        monday = parse_week(week)
    except Invalid:
        abort(404)
    sessions = weekly.sessions_between(
        current_user, monday, monday + timedelta(days=4), center_id=center.id
    )
    sessions = [s for s in sessions if s.was_published]
    view = weekly.week_view(current_user, week_of(monday))
    by_day = {d.date: [s for s in sessions if s.date == d.date] for d in view.days}
    row = rules.center_rows([center.id])[center.id]
    closed = {}
    for closure in rules.closures_between(monday, monday + timedelta(days=4)):
        if rules.closure_applies(closure, [row]):
            closed.setdefault(closure.date, closure.reason)
    tablet_url = ical.base_url() + "/tablet"
    qr = qr_svg(tablet_url, title=_("태블릿 화면 주소"))
    return render_template(
        "schedule/timetable.html",
        center=center,
        view=view,
        by_day=by_day,
        qr=qr,
        closed=closed,
        tablet_url=tablet_url,
        week=week_of(monday),
        monday=monday_of(monday),
    )


@bp.get("/timetable")
@login_required
def timetable_pick():
    """The week page's "print a timetable" form: ``?center=&week=``."""
    center_id = id_arg("center")
    if not center_id:
        abort(404)
    return redirect(
        url_for("schedule.timetable", center_id=center_id, week=request.args.get("week"))
    )
