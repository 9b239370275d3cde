"""Marshmallow schemas of the live board's API (API.md: ``center_live``, ``help``)."""

from marshmallow import Schema, fields, validate

from app.api import Id
from centers.live.models import MESSAGE_MAX_LENGTH, NOTE_MAX_LENGTH


class TodayArgs(Schema):
    county_id = Id(metadata={"description": "only sessions inviting this county's centers"})


class TodaySessionSchema(Schema):
    session_id = fields.Integer()
    title = fields.String()
    starts_at = fields.DateTime()
    ends_at = fields.DateTime()
    invited = fields.Integer(metadata={"description": "invited centers the caller sees"})
    in_room = fields.Integer(metadata={"description": "of those, centers in the room now"})
    late = fields.Integer(
        metadata={"description": "never joined, and the session started over 5 minutes ago"}
    )
    help_open = fields.Integer(metadata={"description": "centers with an open help request"})
    reported = fields.Integer(metadata={"description": "centers whose attendance has a status"})


class TodaySchema(Schema):
    date = fields.Date()
    sessions = fields.List(fields.Nested(TodaySessionSchema))


class HelpSchema(Schema):
    id = fields.Integer()
    session_id = fields.Integer()
    center_id = fields.Integer()
    requested_at = fields.DateTime()
    message = fields.String()
    resolved_at = fields.DateTime(allow_none=True)
    note = fields.String(metadata={"description": "the coordinator's note when resolving"})


class CenterLiveSchema(Schema):
    center_id = fields.Integer()
    name = fields.String()
    county_id = fields.Integer()
    phone = fields.String(allow_none=True, metadata={"description": "the center's contact_phone"})
    presence = fields.String(
        metadata={"description": "never_joined, in_room or left"},
        validate=validate.OneOf(("never_joined", "in_room", "left")),
    )
    joined_at = fields.DateTime(allow_none=True)
    left_at = fields.DateTime(allow_none=True)
    late = fields.Boolean()
    disconnects = fields.Integer(
        metadata={"description": "times the center dropped out of the room and came back"}
    )
    attendance_status = fields.String(allow_none=True)
    help = fields.Nested(
        HelpSchema,
        allow_none=True,
        metadata={"description": "the open request, else the latest resolved one, else null"},
    )


class SessionLiveSchema(Schema):
    session_id = fields.Integer()
    title = fields.String()
    status = fields.String()
    starts_at = fields.DateTime()
    ends_at = fields.DateTime()
    instructor_in_room = fields.Boolean()
    centers = fields.List(fields.Nested(CenterLiveSchema))


class HelpRequestSchema(Schema):
    center_id = Id(
        load_default=None, metadata={"description": "the center asking (default: your own)"}
    )
    message = fields.String(
        load_default="", validate=validate.Length(max=MESSAGE_MAX_LENGTH)
    )


class ResolveSchema(Schema):
    note = fields.String(load_default="", validate=validate.Length(max=NOTE_MAX_LENGTH))
