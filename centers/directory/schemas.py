"""Marshmallow schemas of the counties and centers API."""

from flask import request
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app import clock
from app.api import MAX_ID, Day, Id
from centers.directory.models import CAPACITY, PHONE_MAX_LENGTH

CAPACITY_RANGE = validate.Range(min=CAPACITY.min, max=CAPACITY.max)
PHONE_LENGTH = validate.Length(max=PHONE_MAX_LENGTH)


def absolute(path: str) -> str:
    from flask import current_app

    base = current_app.config.get("PUBLIC_BASE_URL") or request.url_root
    return base.rstrip("/") + path


class SupportPeriodSchema(Schema):
    start = fields.Date()
    end = fields.Date()


class CountySchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String()
    province = fields.String()
    support_start = fields.Method("_support_start", dump_only=True, allow_none=True)
    support_end = fields.Method("_support_end", dump_only=True, allow_none=True)
    support_periods = fields.List(fields.Nested(SupportPeriodSchema), dump_only=True)

    def _period(self, county):
        return county.current_or_latest_period(clock.today())

    def _support_start(self, county):
        period = self._period(county)
        return period.start.isoformat() if period else None

    def _support_end(self, county):
        period = self._period(county)
        return period.end.isoformat() if period else None


class CountyCreateSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=50))
    province = fields.String(required=True, validate=validate.Length(min=1, max=50))
    support_start = Day(load_default=None, allow_none=True)
    support_end = Day(load_default=None, allow_none=True)

    @validates_schema
    def _ordered(self, data, **kwargs):
        start, end = data.get("support_start"), data.get("support_end")
        if start and end and start > end:
            raise ValidationError("support_end is before support_start", field_name="support_end")


class CenterSchema(Schema):
    id = fields.Integer(dump_only=True)
    county_id = fields.Integer()
    name = fields.String()
    address = fields.String()
    capacity = fields.Integer(allow_none=True)
    contact_phone = fields.Method(
        "_contact_phone",
        dump_only=True,
        allow_none=True,
        metadata={"description": "null for readers other than staff and the center's county"},
    )
    active = fields.Boolean()
    calendar_url = fields.Method("_calendar_url", dump_only=True)

    def _contact_phone(self, center):
        from flask_login import current_user

        from centers.directory.scope import can_see_contact_phone

        return center.contact_phone if can_see_contact_phone(current_user, center) else None

    def _calendar_url(self, center):
        return absolute(f"/calendar/centers/{center.id}.ics?key={center.calendar_key}")


class CenterCreateSchema(Schema):
    county_id = Id(required=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    address = fields.String(load_default="", validate=validate.Length(max=200))
    capacity = fields.Integer(load_default=None, allow_none=True, validate=CAPACITY_RANGE)
    contact_phone = fields.String(load_default=None, allow_none=True, validate=PHONE_LENGTH)


class CenterUpdateSchema(Schema):
    name = fields.String(validate=validate.Length(min=1, max=100))
    address = fields.String(validate=validate.Length(max=200))
    capacity = fields.Integer(allow_none=True, validate=CAPACITY_RANGE)
    contact_phone = fields.String(allow_none=True, validate=PHONE_LENGTH)
    active = fields.Boolean()


class CenterListArgs(Schema):
    county_id = Id()
    limit = fields.Integer(validate=validate.Range(min=1, max=10000))
    offset = fields.Integer(validate=validate.Range(min=0, max=MAX_ID), load_default=0)
