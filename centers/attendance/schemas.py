"""Marshmallow schemas of the attendance API."""

from marshmallow import Schema, fields, validate

from app.api import MAX_ID, Day, Id
from centers.attendance.models import ATTENDANCE_STATUSES
from centers.directory.models import HEADCOUNT, MAX_HEADCOUNT


class AttendanceSchema(Schema):
    """An attendance record (API.md): ``{session_id, center_id, status, headcount, member_ids,
    version, updated_at}`` and, beyond the contract, its provenance and presence times."""

    id = fields.Integer(dump_only=True)
    session_id = fields.Integer()
    center_id = fields.Integer()
    session_date = fields.Date()
    status = fields.String(allow_none=True, metadata={"enum": list(ATTENDANCE_STATUSES)})
    headcount = fields.Integer(allow_none=True)
    member_ids = fields.List(fields.Integer())
    version = fields.Integer()
    updated_at = fields.DateTime()
    recorded_at = fields.DateTime(allow_none=True)
    recorded_by_id = fields.Integer(allow_none=True)
    source = fields.String(allow_none=True)
    client_ref = fields.String(allow_none=True)
    note = fields.String()
    joined_at = fields.DateTime(allow_none=True)
    left_at = fields.DateTime(allow_none=True)


class AttendanceResultSchema(AttendanceSchema):
    result = fields.String(
        metadata={
            "description": "recorded | corrected (applied); duplicate (this client_ref was applied "
            "before); superseded (a later recorded_at is stored); unchanged (same content)"
        }
    )


class AttendancePutSchema(Schema):
    status = fields.String(required=True, validate=validate.OneOf(ATTENDANCE_STATUSES))
    headcount = fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(min=HEADCOUNT.min, max=HEADCOUNT.max),
        metadata={"description": "0 to the center's capacity (or 500); at least len(member_ids)"},
    )
    member_ids = fields.List(
        Id(strict=True),
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=MAX_HEADCOUNT),
    )
    client_ref = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(min=1, max=64),
        metadata={"description": "The device's id for this submission: the idempotency key"},
    )
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=1000))
    recorded_at = fields.AwareDateTime(
        load_default=None,
        allow_none=True,
        metadata={"description": "When the device recorded it; the latest recorded_at wins"},
    )


class AttendanceListArgs(Schema):
    county_id = Id()
    center_id = Id()
    session_id = Id()
    date_from = Day(data_key="from")
    date_to = Day(data_key="to")
    limit = fields.Integer(validate=validate.Range(min=1, max=10000))
    offset = fields.Integer(validate=validate.Range(min=0, max=MAX_ID), load_default=0)
