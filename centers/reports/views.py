"""Pages: the county dashboard, its exports (CSV, Excel) and the printable monthly report."""

from datetime import date, timedelta

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app import clock
from app.auth import policy
from app.errors import Invalid
from app.params import check_day, id_arg
from centers.directory import services
from centers.reports import center_report, exports, help_figures
from centers.reports import scope as report_scope
from centers.reports import services as reports
from programs.catalog.models import CATEGORIES

bp = Blueprint(
    "reports",
    __name__,
    url_prefix="/reports",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)


@bp.errorhandler(Invalid)
def _bad_filter(exc: Invalid):
    """A bad filter (a date, an id) on the dashboard, a download or the print page: the dashboard
    with the message (redirecting to the download itself would just fetch another file)."""
    flash(str(exc.message), "error")
    return redirect(url_for("reports.dashboard"))


def _date_arg(name: str) -> date | None:
    value = request.args.get(name, "").strip()
    if not value:
        return None
    try:
        return check_day(date.fromisoformat(value), name)
    except ValueError:
        raise Invalid(name, _l("날짜는 YYYY-MM-DD 형식으로 입력하세요.")) from None


def _to_date(start: date, end: date) -> tuple[date, date]:
    """A period cut at today: sessions still to come are not yet "unreported" for the officer
    reading the page (the API keeps the whole period it is asked for)."""
    return start, max(start, min(end, clock.today()))


def page_filters() -> reports.Filters:
    """The report filters from the query string (the same names as the API). Without a period
    the page shows this month up to today."""
    category = request.args.get("category", "").strip() or None
    start, end = _date_arg("from"), _date_arg("to")
    if start is None and end is None:
        start, end = _to_date(*reports.month_range(clock.today()))
    return reports.resolve(
        current_user,
        county_id=id_arg("county_id"),
        center_id=id_arg("center_id"),
        category=category,
        start=start,
        end=end,
    )


def quick_periods(filters: reports.Filters) -> list[tuple[str, str, bool]]:
    """(label, link, current) for this month, last month, this quarter, and the county's
    current support year, keeping the other filters."""
    today = clock.today()
    this_month = reports.month_range(today)
    last_month = reports.month_range(this_month[0] - timedelta(days=1))
    quarter = reports.quarter_range(today)
    picks = [
        (str(_l("이번 달")), *_to_date(*this_month)),
        (str(_l("지난 달")), *last_month),
        (str(_l("이번 분기")), *_to_date(*quarter)),
    ]
    if filters.county is not None:
        period = filters.county.current_or_latest_period(today)
        if period is not None:
            picks.append((str(_l("지원 연도")), *_to_date(period.start, period.end)))
    args = filters.as_args()
    return [
        (
            name,
            url_for(
                "reports.dashboard", **{**args, "from": start.isoformat(), "to": end.isoformat()}
            ),
            (start, end) == (filters.start, filters.end),
        )
        for name, start, end in picks
    ]


def _chart_data(data: dict) -> dict:
    def pct(rate):
        return exports.percent(rate)

    return {
        "weekly": {
            "labels": [row["key"] for row in data["weeks"]],
            "rate": [pct(row["participation_rate"]) for row in data["weeks"]],
            "headcount": [row["headcount"] for row in data["weeks"]],
        },
        "compare": {
            "labels": [str(row["label"]) for row in data["compare"]],
            "rate": [pct(row["participation_rate"]) for row in data["compare"]],
        },
        "category": {
            "labels": [str(row["label"]) for row in data["categories"]],
            "keys": [row["key"] for row in data["categories"]],
            "headcount": [row["headcount"] for row in data["categories"]],
            "rate": [pct(row["participation_rate"]) for row in data["categories"]],
        },
        "text": {
            "rate": str(_l("참여율(%)")),
            "headcount": str(_l("연인원")),
        },
    }


@bp.get("/")
@login_required
def dashboard():
    filters = page_filters()
    data = reports.dashboard(current_user, filters)
    if data["compare_by"] == "center":
        data = {**data, "compare": help_figures.with_help(data["compare"], filters)}
    counties = services.list_counties(current_user) if policy.is_staff(current_user) else []
    centers = (
        services.list_centers(current_user, county_id=filters.county.id) if filters.county else []
    )
    return render_template(
        "reports/dashboard.html",
        data=data,
        filters=filters,
        totals=data["totals"],
        counties=counties,
        centers=centers,
        categories=CATEGORIES,
        quick=quick_periods(filters),
        charts=_chart_data(data),
        args=filters.as_args(),
        title=exports.report_title(filters),
    )


@bp.get("/attendance.csv")
@login_required
def export_csv():
    filters = page_filters()
    group_by = request.args.get("group_by", "center")
    if group_by not in reports.GROUPS:
        raise Invalid("group_by")
    body = exports.attendance_csv(current_user, filters, group_by)
    return _download(body.encode("utf-8"), "text/csv", filters, "csv")


@bp.get("/attendance.xlsx")
@login_required
def export_xlsx():
    filters = page_filters()
    content = exports.attendance_workbook(current_user, filters)
    return _download(
        content,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        filters,
        "xlsx",
    )


@bp.get("/print")
@login_required
def print_report():
    try:
        filters = page_filters()
    except Invalid as exc:
        # A print page has no flash area: say what is wrong here rather than redirect to
        # the same page without its period (which would print another period).
        if exc.status != 422:
            raise
        return render_template(
            "errors/error.html", status=422, message=str(exc.message),
            back_url=url_for("reports.dashboard"),
        ), 422
    report = reports.attendance_report(current_user, filters, "center")
    report = {**report, "rows": help_figures.with_help(report["rows"], filters)}
    return render_template(
        "reports/print.html",
        filters=filters,
        report=report,
        totals=report["totals"],
        categories=reports.grouped(current_user, filters, "category"),
        weeks=reports.grouped(current_user, filters, "week"),
        silent=reports.silent_centers(current_user, filters),
        title=exports.report_title(filters),
        period=exports.period_text(filters),
        today=clock.today(),
        as_of=min(filters.end, clock.today() - timedelta(days=1)),
    )


def _download(content: bytes, mimetype: str, filters: reports.Filters, extension: str) -> Response:
    """An attachment named in Korean (RFC 6266 ``filename*``) with an ASCII fallback."""
    from urllib.parse import quote

    response = Response(content, mimetype=mimetype)
    fallback = f"ieum-attendance-{filters.start:%Y%m%d}-{filters.end:%Y%m%d}.{extension}"
    name = exports.filename(filters, extension)
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


def center_report_context(center) -> dict:
    """The center page's report part: the same figures for one center (period from the query
    string, this month by default), its recent sessions and records, and members' attendance
    over time where names may be shown. Nothing for roles without reports."""
    if not report_scope.can_read_reports(current_user):
        return {"center_report": None}
    filters = reports.resolve(
        current_user, center_id=center.id, start=_date_arg("from"), end=_date_arg("to")
    )
    return {
        "center_report": {
            "filters": filters,
            "args": filters.as_args(),
            "totals": reports.totals(current_user, filters),
            "records": center_report.center_records(current_user, center),
            "now": clock.now(),
            "members": center_report.member_attendance(current_user, center),
            "help": center_report.help_per_month(center),
        }
    }
