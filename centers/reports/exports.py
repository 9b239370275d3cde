"""Report exports: CSV (UTF-8 with BOM, so Excel reads Korean) and a formatted Excel monthly
report (openpyxl). Both take their numbers from :mod:`centers.reports`; columns are documented
in docs/reports.md. Member names appear only where :func:`policy.can_export_member_names` allows.
"""

from __future__ import annotations

import csv
import io
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from app import clock
from app.i18n import fmt_date
from app.labels import label
from centers.reports import help_figures
from centers.reports import scope as report_scope
from centers.reports import services as reports
from programs.catalog.models import Category

# (figure key, column title); the rate is written as a percentage.
FIGURE_COLUMNS = [
    ("sessions", _l("수업 수")),
    ("invited", _l("초대(경로당×수업)")),
    ("attended", _l("참여")),
    ("absent", _l("불참")),
    ("technical_issue", _l("접속 장애")),
    ("excused", _l("사유 불참")),
    ("upcoming", _l("예정(아직 끝나지 않음)")),
    ("unreported", _l("미보고")),
    ("headcount", _l("연인원")),
    ("members", _l("참여 어르신(실인원)")),
    ("participation_rate", _l("참여율(%)")),
]
SUMMARY_EXTRA = [("average_headcount", _l("평균 참여 인원(참여 1회당)"))]
GROUP_TITLES = {
    "center": _l("경로당"),
    "program": _l("프로그램"),
    "category": _l("분야"),
    "week": _l("주"),
    "county": _l("군"),
    "session": _l("수업"),
}


def percent(rate: float) -> float:
    return round(rate * 100, 1)


def scope_title(filters: reports.Filters) -> str:
    if filters.center is not None:
        return f"{filters.county.name} {filters.center.name}"
    if filters.county is not None:
        return filters.county.name
    return _("전체 협력 군")


def report_title(filters: reports.Filters) -> str:
    return _("%(scope)s 스마트경로당 화상 프로그램 참여 현황", scope=scope_title(filters))


def period_text(filters: reports.Filters) -> str:
    return _(
        "기간: %(start)s ~ %(end)s",
        start=fmt_date(filters.start, "date_long"),
        end=fmt_date(filters.end, "date_long"),
    )


FILE_WORD = _l("참여현황")


def filename(filters: reports.Filters, extension: str) -> str:
    scope = scope_title(filters).replace(" ", "_")
    return f"{scope}_{FILE_WORD}_{filters.start:%Y%m%d}-{filters.end:%Y%m%d}.{extension}"


# Text starting with these is a formula (or becomes one) in Excel and other spreadsheets: a name
# or title typed by a user (`=HYPERLINK(...)`) must stay text in every export.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_text(value):
    """A CSV field: formula-like text gets a leading ``'`` (spreadsheets then show it as text)."""
    return "'" + value if is_formula_like(value) else value


def _figure_values(row: dict) -> list:
    return [
        percent(row[key]) if key == "participation_rate" else row[key]
        for key, _title in FIGURE_COLUMNS
    ]


# --- CSV -----------------------------------------------------------------------------------


def _write_row(writer, values: list) -> None:
    writer.writerow([csv_text(value) for value in values])


def attendance_csv(user, filters: reports.Filters, group_by: str) -> str:
    """One line per group, then the totals line; starts with a BOM."""
    report = reports.attendance_report(user, filters, group_by)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    leading = [_("번호"), str(GROUP_TITLES[group_by])]
    if group_by == "center":
        leading.insert(1, _("군"))
    per_center = group_by == "center"
    rows = help_figures.with_help(report["rows"], filters) if per_center else report["rows"]
    help_title = [str(help_figures.HELP_TITLE)] if per_center else []
    _write_row(writer, leading + [str(title) for _key, title in FIGURE_COLUMNS] + help_title)
    for number, row in enumerate(rows, start=1):
        first = [number, str(row["label"])]
        if per_center:
            first.insert(1, row["county"])
        _write_row(writer, first + _figure_values(row) + ([row["help_requests"]] if per_center else []))
    total = ["", _("합계")] + ([""] if per_center else [])
    help_total = [help_figures.total_help(rows)] if per_center else []
    _write_row(writer, total + _figure_values(report["totals"]) + help_total)
    return out.getvalue()


# --- Excel ---------------------------------------------------------------------------------

TITLE = Font(size=16, bold=True)
BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
THIN = Side(style="thin", color="999999")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def _titled(sheet, title: str, filters: reports.Filters, width: int) -> int:
    """Title, period and date lines; returns the next free row."""
    sheet["A1"] = title
    sheet["A1"].font = TITLE
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(width, 1))
    sheet["A2"] = period_text(filters)
    sheet["A3"] = _("작성일: %(day)s · 이음", day=fmt_date(clock.today(), "date_long"))
    if filters.category:
        sheet["A4"] = _("분야: %(category)s", category=label(Category, filters.category))
        return 6
    return 5


def _table(
    sheet,
    top: int,
    headers: list,
    rows: list[list],
    total: list | None = None,
    percent_columns: tuple[int, ...] = (),
) -> int:
    for col, text in enumerate(headers, start=1):
        cell = sheet.cell(row=top, column=col, value=str(text))
        cell.font, cell.fill, cell.border = BOLD, HEADER_FILL, BOX
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    r = top
    for values in rows + ([total] if total else []):
        r += 1
        for col, value in enumerate(values, start=1):
            cell = sheet.cell(row=r, column=col, value=value)
            cell.border = BOX
            if col in percent_columns and isinstance(value, (int, float)):
                cell.number_format = "0.0"
            elif isinstance(value, int):
                cell.number_format = "#,##0"
            if total is not None and values is total:
                cell.font, cell.fill = BOLD, TOTAL_FILL
    sheet.freeze_panes = sheet.cell(row=top + 1, column=1)
    return r + 2


def _as_text(book: Workbook) -> None:
    """Every formula-like cell of the workbook is a string cell (openpyxl makes text starting
    with ``=`` a formula), marked with Excel's quote prefix so editing it keeps it text. The
    exports write no formulas of their own."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if is_formula_like(cell.value):
                    cell.data_type = "s"
                    cell.quotePrefix = True


def _widths(sheet, widths: list[int]) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def _figure_headers() -> list[str]:
    return [str(title) for _key, title in FIGURE_COLUMNS]


def attendance_workbook(user, filters: reports.Filters) -> bytes:
    """The monthly report: 요약 (summary), 경로당별 (per center), 수업별 (per session), and
    어르신별 (per member) only where member names may be exported."""
    title = report_title(filters)
    report = reports.attendance_report(user, filters, "center")
    totals = report["totals"]
    book = Workbook()

    summary = book.active
    summary.title = _("요약")
    top = _titled(summary, title, filters, 4)
    figure_rows = [
        [str(t), percent(totals[k]) if k == "participation_rate" else totals[k]]
        for k, t in FIGURE_COLUMNS + SUMMARY_EXTRA
    ]
    top = _table(summary, top, [_("항목"), _("값")], figure_rows)
    percent_col = len(FIGURE_COLUMNS) + 1
    categories = reports.grouped(user, filters, "category")
    summary.cell(row=top, column=1, value=_("분야별")).font = BOLD
    top = _table(
        summary,
        top + 1,
        [_("분야")] + _figure_headers(),
        [[str(r["label"])] + _figure_values(r) for r in categories],
        percent_columns=(percent_col,),
    )
    weeks = reports.grouped(user, filters, "week")
    summary.cell(row=top, column=1, value=_("주별")).font = BOLD
    _table(
        summary,
        top + 1,
        [_("주")] + _figure_headers(),
        [[r["label"]] + _figure_values(r) for r in weeks],
        percent_columns=(percent_col,),
    )
    summary.freeze_panes = None
    _widths(summary, [30, 14] + [12] * len(FIGURE_COLUMNS))

    per_center = book.create_sheet(_("경로당별"))
    top = _titled(per_center, title + " — " + _("경로당별"), filters, len(FIGURE_COLUMNS) + 2)
    center_rows = help_figures.with_help(report["rows"], filters)
    _table(
        per_center,
        top,
        [_("군"), _("경로당")] + _figure_headers() + [str(help_figures.HELP_TITLE)],
        [[r["county"], r["label"]] + _figure_values(r) + [r["help_requests"]] for r in center_rows],
        total=["", _("합계")] + _figure_values(totals) + [help_figures.total_help(center_rows)],
        percent_columns=(len(FIGURE_COLUMNS) + 2,),
    )
    _widths(per_center, [14, 28] + [12] * (len(FIGURE_COLUMNS) + 1))

    per_session = book.create_sheet(_("수업별"))
    session_headers = [
        _("날짜"),
        _("시간"),
        _("프로그램"),
        _("분야"),
        _("강사"),
    ] + _figure_headers()[1:]
    top = _titled(per_session, title + " — " + _("수업별"), filters, len(session_headers))
    session_rows = [
        [
            r["date"] if isinstance(r["date"], date) else date.fromisoformat(str(r["date"])),
            str(r["start_time"])[:5],
            r["label"],
            label(Category, r["category"]),
            r["instructor"],
        ]
        + _figure_values(r)[1:]
        for r in reports.grouped(user, filters, "session")
    ]
    _table(
        per_session,
        top,
        session_headers,
        session_rows,
        total=["", "", _("합계"), "", ""] + _figure_values(totals)[1:],
        percent_columns=(len(session_headers),),
    )
    for row in per_session.iter_rows(min_row=top + 1, max_col=1):
        for cell in row:
            if isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
    _widths(per_session, [12, 8, 24, 8, 12] + [12] * (len(FIGURE_COLUMNS) - 1))

    if report_scope.can_export_member_names(user, filters.county):
        members = book.create_sheet(_("어르신별"))
        top = _titled(members, title + " — " + _("어르신별"), filters, 4)
        _table(
            members,
            top,
            [_("경로당"), _("이름"), _("출생 연도"), _("참여 횟수")],
            [
                [m["center"], m["name"], m["birth_year"], m["attended"]]
                for m in reports.member_totals(user, filters)
            ],
        )
        _widths(members, [28, 14, 10, 10])

    _as_text(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
