"""Marshmallow schemas of the sessions, weeks and closures API."""

from datetime import datetime, time

from flask import g
from flask_login import current_user
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.api import MAX_ID, Day, Id
from app.auth import policy
from centers.directory import scope as center_scope
from programs.catalog.schemas import DURATION_RANGE
from programs.schedule.calendar_rules import WEEKDAY_CODES
from programs.schedule.models import SESSION_STATUSES


class HourMinute(fields.Field):
    """A Seoul wall-clock time as ``HH:MM``."""

    default_error_messages = {"invalid": "Not a valid time (HH:MM)."}

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else value.strftime("%H:%M")

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, time):
            return value
        try:
            return datetime.strptime(str(value), "%H:%M").time()
        except ValueError:
            raise self.make_error("invalid") from None


class RoomSchema(Schema):
    name = fields.String()


def _visible_centers() -> set[int] | None:
    if "ieum_visible_centers" not in g:
        g.ieum_visible_centers = center_scope.visible_center_id_set(current_user)
    return g.ieum_visible_centers


class SessionSchema(Schema):
    """API.md's session, plus the program, the instructor and the calendar fields."""

    id = fields.Integer()
    program_id = fields.Integer()
    instructor_id = fields.Integer()
    date = fields.Date()
    start = HourMinute(attribute="start_time")
    end = HourMinute(attribute="end_time")
    duration_minutes = fields.Integer()
    status = fields.String()
    version = fields.Integer()
    center_ids = fields.Method("_center_ids")
    room = fields.Nested(RoomSchema, allow_none=True)
    program_title = fields.String(attribute="program.title")
    category = fields.String(attribute="program.category")
    instructor_name = fields.String(attribute="instructor.name")
    center_count = fields.Method("_center_count")
    sequence = fields.Integer()
    published_at = fields.AwareDateTime(allow_none=True)
    cancelled_at = fields.AwareDateTime(allow_none=True)
    cancel_reason = fields.String(allow_none=True)
    rescheduled_from_id = fields.Integer(allow_none=True)
    note = fields.String()

    def _center_ids(self, session):
        if policy.is_staff(current_user):
            return session.center_ids
        return center_scope.filter_center_ids(
            current_user, session.center_ids, _visible_centers() or set()
        )

    def _center_count(self, session):
        return len(session.invitations)


class SessionCreateSchema(Schema):
    program_id = Id(required=True)
    instructor_id = Id(required=True)
    date = Day(required=True)
    start = HourMinute(required=True)
    duration_minutes = fields.Integer(
        load_default=None, allow_none=True, validate=DURATION_RANGE
    )
    center_ids = fields.List(Id(), load_default=None, allow_none=True)
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class SessionUpdateSchema(Schema):
    version = fields.Integer(required=True)
    program_id = Id()
    instructor_id = Id()
    date = Day()
    start = HourMinute()
    duration_minutes = fields.Integer(validate=DURATION_RANGE)
    center_ids = fields.List(Id())
    note = fields.String(validate=validate.Length(max=2000))


class SessionCancelSchema(Schema):
    reason = fields.String(load_default="", validate=validate.Length(max=500))
    version = fields.Integer(load_default=None, allow_none=True)


class SessionRescheduleSchema(Schema):
    date = Day(required=True)
    start = HourMinute(load_default=None, allow_none=True)
    duration_minutes = fields.Integer(
        load_default=None, allow_none=True, validate=DURATION_RANGE
    )
    reason = fields.String(load_default="", validate=validate.Length(max=500))
    version = fields.Integer(load_default=None, allow_none=True)


class SessionListArgs(Schema):
    from_ = Day(data_key="from", load_default=None)
    to = Day(load_default=None)
    center_id = Id()
    instructor_id = Id()
    status = fields.String(validate=validate.OneOf(SESSION_STATUSES))
    limit = fields.Integer(validate=validate.Range(min=1, max=10000))
    offset = fields.Integer(validate=validate.Range(min=0, max=MAX_ID), load_default=0)

    @validates_schema
    def _ordered(self, data, **kwargs):
        if data.get("from_") and data.get("to") and data["from_"] > data["to"]:
            raise ValidationError("to is before from", field_name="to")


class RepeatSchema(Schema):
    program_id = Id(required=True)
    instructor_id = Id(required=True)
    start = HourMinute(required=True)
    weekdays = fields.List(
        fields.String(validate=validate.OneOf(WEEKDAY_CODES)),
        required=True,
        validate=validate.Length(min=1),
    )
    from_ = Day(data_key="from", required=True)
    until = Day(required=True)
    duration_minutes = fields.Integer(
        load_default=None, allow_none=True, validate=DURATION_RANGE
    )
    center_ids = fields.List(Id(), load_default=None, allow_none=True)
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class SkippedSchema(Schema):
    date = fields.String()
    reason = fields.String()
    message = fields.String()
    details = fields.Dict()
    session_id = fields.Integer()


class CreatedSkippedSchema(Schema):
    created = fields.List(fields.Integer())
    skipped = fields.List(fields.Nested(SkippedSchema))


class ClosureSchema(Schema):
    id = fields.Integer()
    date = fields.Date()
    reason = fields.String()
    county_id = fields.Integer(allow_none=True)
    center_id = fields.Integer(allow_none=True)


class ClosureEffectSchema(Schema):
    session_id = fields.Integer()
    action = fields.String(
        validate=validate.OneOf(("cancelled", "uninvited")),
        metadata={"description": "cancelled: every invited center is closed; uninvited: some are"},
    )
    center_ids = fields.List(
        fields.Integer(),
        metadata={"description": "the centers uninvited (for cancelled: all it had)"},
    )


class ClosureCreatedSchema(ClosureSchema):
    affected = fields.List(
        fields.Nested(ClosureEffectSchema),
        metadata={"description": "Published sessions of that date the closure changed"},
    )


class ClosureCreateSchema(Schema):
    date = Day(required=True)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=200))
    county_id = Id(load_default=None, allow_none=True)
    center_id = Id(load_default=None, allow_none=True)


class ClosureListArgs(Schema):
    from_ = Day(data_key="from", load_default=None)
    to = Day(load_default=None)


class DaySchema(Schema):
    date = fields.Date()
    holiday = fields.String(allow_none=True)
    closed = fields.Boolean()
    closures = fields.List(fields.Nested(ClosureSchema))
    sessions = fields.List(fields.Nested(SessionSchema))


class WeekSchema(Schema):
    week = fields.String()
    status = fields.String()
    days = fields.List(fields.Nested(DaySchema))
    previous = fields.String()
    next = fields.String()


class PublishedSchema(Schema):
    published = fields.Integer()
    skipped = fields.List(fields.Nested(SkippedSchema))


class CopyWeekSchema(Schema):
    from_week = fields.String(required=True)
