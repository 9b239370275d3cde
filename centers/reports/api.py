"""``GET /api/v1/reports/attendance``: the county report, from :mod:`centers.reports`."""

from flask.views import MethodView
from flask_login import current_user
from marshmallow import Schema, fields, validate

from app.api import Day, Id, blueprint
from centers.reports import services as reports
from programs.catalog.models import CATEGORIES

blp = blueprint(
    "reports_api", __name__, "/reports", description="Attendance reports for counties and centers"
)


class ReportArgs(Schema):
    county_id = Id(
        metadata={"description": "A county in the caller's scope (403 outside, 404 missing)."}
    )
    center_id = Id(
        metadata={"description": "One center in the caller's scope (an extension)."}
    )
    category = fields.String(
        validate=validate.OneOf(CATEGORIES), metadata={"description": "leisure or health"}
    )
    from_ = Day(
        data_key="from", metadata={"description": "First day (inclusive); default: this month"}
    )
    to = Day(
        metadata={"description": "Last day (inclusive); default: the end of from's month"}
    )
    group_by = fields.String(load_default="center", validate=validate.OneOf(reports.GROUPS))


class FiguresSchema(Schema):
    sessions = fields.Integer()
    invited = fields.Integer()
    attended = fields.Integer()
    absent = fields.Integer()
    technical_issue = fields.Integer()
    excused = fields.Integer()
    upcoming = fields.Integer(
        metadata={"description": "Pairs of sessions not yet ended (start + duration > now) without a status"}
    )
    unreported = fields.Integer(metadata={"description": "invited − records with a status − upcoming"})
    headcount = fields.Integer(metadata={"description": "Sum of the records' headcounts (연인원)"})
    members = fields.Integer(metadata={"description": "Distinct members marked present"})
    participation_rate = fields.Float(
        metadata={
            "description": "attended ÷ (invited − upcoming − technical_issue − excused), 0 when that is 0"
        }
    )
    average_headcount = fields.Float(
        metadata={"description": "Headcount per attended center-session"}
    )


class ReportRowSchema(FiguresSchema):
    key = fields.Raw(
        metadata={"description": "Center, program id; category key; ISO week (2026-W48)"}
    )
    label = fields.String()
    county_id = fields.Integer(metadata={"description": "group_by=center", "x-optional": True})
    county = fields.String(metadata={"description": "group_by=center: the county's name", "x-optional": True})
    category = fields.String(metadata={"description": "group_by=program", "x-optional": True})
    week_start = fields.Date(metadata={"description": "group_by=week: the Monday", "x-optional": True})


class ReportSchema(Schema):
    from_ = fields.Date(data_key="from", attribute="from")
    to = fields.Date()
    totals = fields.Nested(FiguresSchema)
    rows = fields.List(fields.Nested(ReportRowSchema))


@blp.route("/attendance")
class AttendanceReport(MethodView):
    @blp.arguments(ReportArgs, location="query")
    @blp.response(200, ReportSchema)
    def get(self, args):
        """Attendance figures over the centers in scope and the published sessions in the period.

        ``totals`` and one row per center, program, category or ISO week (``group_by``); the
        same numbers the dashboard and the exports show."""
        filters = reports.resolve(
            current_user,
            county_id=args.get("county_id"),
            center_id=args.get("center_id"),
            category=args.get("category"),
            start=args.get("from_"),
            end=args.get("to"),
        )
        return reports.attendance_report(current_user, filters, args["group_by"])
