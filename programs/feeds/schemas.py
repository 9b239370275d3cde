"""Marshmallow schemas of the calendar-key API."""


from marshmallow import Schema, fields


class CalendarKeySchema(Schema):
    calendar_url = fields.String()
