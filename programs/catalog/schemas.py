"""Marshmallow schemas of the programs and instructors API."""

from flask_login import current_user
from marshmallow import Schema, fields, validate

from app.links import absolute
from programs.catalog.models import CATEGORIES, DURATION_MINUTES
from programs.feeds import scope as feed_scope

DURATION_RANGE = validate.Range(min=DURATION_MINUTES.min, max=DURATION_MINUTES.max)


class ProgramSchema(Schema):
    id = fields.Integer(dump_only=True)
    title = fields.String()
    category = fields.String()
    description = fields.String()
    duration_minutes = fields.Integer()
    active = fields.Boolean()


class ProgramCreateSchema(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=120))
    category = fields.String(required=True, validate=validate.OneOf(CATEGORIES))
    description = fields.String(load_default="", validate=validate.Length(max=2000))
    duration_minutes = fields.Integer(load_default=60, validate=DURATION_RANGE)


class ProgramUpdateSchema(Schema):
    title = fields.String(validate=validate.Length(min=1, max=120))
    category = fields.String(validate=validate.OneOf(CATEGORIES))
    description = fields.String(validate=validate.Length(max=2000))
    duration_minutes = fields.Integer(validate=DURATION_RANGE)
    active = fields.Boolean()


class InstructorSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String()
    phone = fields.String(allow_none=True)
    active = fields.Boolean()
    calendar_url = fields.Method("_calendar_url", dump_only=True)

    def _calendar_url(self, instructor):
        if not feed_scope.can_manage_instructor_calendar(current_user, instructor.id):
            return None
        return absolute(f"/calendar/instructors/{instructor.id}.ics?key={instructor.calendar_key}")


class InstructorCreateSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=80))
    phone = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=30))


class InstructorUpdateSchema(Schema):
    name = fields.String(validate=validate.Length(min=1, max=80))
    phone = fields.String(allow_none=True, validate=validate.Length(max=30))
    active = fields.Boolean()
