"""Marshmallow schemas of the members API."""

from marshmallow import Schema, fields, validate

from app.api import MAX_ID
from centers.members.models import MEMBER_STATUSES


class MemberSchema(Schema):
    """A member; ``phone`` and ``note`` are null/empty for readers who do not keep the roster."""

    id = fields.Integer(dump_only=True)
    center_id = fields.Integer()
    name = fields.String()
    birth_year = fields.Integer(allow_none=True)
    phone = fields.String(allow_none=True)
    status = fields.String(metadata={"enum": list(MEMBER_STATUSES)})
    note = fields.String()
    has_attendance = fields.Boolean()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class MemberCreateSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=50))
    # 1900 to the current year: checked by the service, whose message names the range.
    birth_year = fields.Integer(strict=True, allow_none=True)
    phone = fields.String(allow_none=True, validate=validate.Length(max=30))
    note = fields.String(validate=validate.Length(max=200))


class MemberUpdateSchema(MemberCreateSchema):
    name = fields.String(validate=validate.Length(min=1, max=50))
    status = fields.String(validate=validate.OneOf(MEMBER_STATUSES))


class MemberListArgs(Schema):
    status = fields.String(validate=validate.OneOf(MEMBER_STATUSES))
    limit = fields.Integer(validate=validate.Range(min=1, max=10000))
    offset = fields.Integer(validate=validate.Range(min=0, max=MAX_ID), load_default=0)
