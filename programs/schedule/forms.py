"""Page forms (Flask-WTF, CSRF) of sessions, weeks and closures."""

from datetime import time

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp

from app.params import in_calendar
from programs.catalog.forms import DURATION_RANGE

WEEKDAY_CHOICES = [
    SelectChoice("MO", _l("월")),
    SelectChoice("TU", _l("화")),
    SelectChoice("WE", _l("수")),
    SelectChoice("TH", _l("목")),
    SelectChoice("FR", _l("금")),
]

WEEK_PATTERN = r"^\d{4}-W\d{2}$"


class CenterChoiceMixin:
    """Invited centers: whole counties and/or single centers (checkboxes, grouped by county)."""

    county_ids = SelectMultipleField(_l("군 전체 초대"), coerce=int, validate_choice=False)
    center_ids = SelectMultipleField(_l("초대할 경로당"), coerce=int, validate_choice=False)


class SessionForm(CenterChoiceMixin, FlaskForm):
    program_id = SelectField(
        _l("프로그램"), coerce=int, validators=[InputRequired(_l("프로그램을 고르세요."))]
    )
    instructor_id = SelectField(
        _l("강사"), coerce=int, validators=[InputRequired(_l("강사를 고르세요."))]
    )
    date = DateField(_l("날짜"), validators=[InputRequired(_l("날짜를 입력하세요.")), in_calendar])
    start = TimeField(
        _l("시작 시간"),
        default=time(10, 0),
        validators=[InputRequired(_l("시작 시간을 입력하세요."))],
    )
    duration_minutes = IntegerField(
        _l("수업 길이(분)"),
        validators=[Optional(), DURATION_RANGE],
    )
    note = TextAreaField(_l("메모"), validators=[Optional(), Length(max=2000)])
    version = HiddenField()


class CancelForm(FlaskForm):
    # Its own id: the reschedule form on the same page has a ``reason`` too.
    reason = StringField(_l("취소 사유"), id="cancel-reason", validators=[Optional(), Length(max=500)])
    version = HiddenField()


class RescheduleForm(FlaskForm):
    date = DateField(_l("보강 날짜"), validators=[InputRequired(_l("날짜를 입력하세요.")), in_calendar])
    start = TimeField(_l("시작 시간"), validators=[Optional()])
    reason = StringField(_l("옮기는 사유"), validators=[Optional(), Length(max=500)])
    version = HiddenField()


class RepeatForm(CenterChoiceMixin, FlaskForm):
    program_id = SelectField(
        _l("프로그램"), coerce=int, validators=[InputRequired(_l("프로그램을 고르세요."))]
    )
    instructor_id = SelectField(
        _l("강사"), coerce=int, validators=[InputRequired(_l("강사를 고르세요."))]
    )
    start = TimeField(
        _l("시작 시간"),
        default=time(10, 0),
        validators=[InputRequired(_l("시작 시간을 입력하세요."))],
    )
    duration_minutes = IntegerField(
        _l("수업 길이(분)"),
        validators=[Optional(), DURATION_RANGE],
    )
    weekdays = SelectMultipleField(
        _l("요일"),
        choices=WEEKDAY_CHOICES,
        validators=[DataRequired(_l("요일을 하나 이상 고르세요."))],
    )
    from_ = DateField(_l("시작일"), validators=[InputRequired(_l("날짜를 입력하세요.")), in_calendar])
    until = DateField(_l("종료일"), validators=[InputRequired(_l("날짜를 입력하세요.")), in_calendar])


class CopyWeekForm(FlaskForm):
    from_week = StringField(
        _l("복사할 주"),
        validators=[
            InputRequired(_l("주를 입력하세요.")),
            Regexp(WEEK_PATTERN, message=_l("주는 2026-W48 형식으로 입력하세요.")),
        ],
    )


class ClosureForm(FlaskForm):
    date = DateField(_l("날짜"), validators=[InputRequired(_l("날짜를 입력하세요.")), in_calendar])
    reason = StringField(
        _l("사유"), validators=[DataRequired(_l("사유를 입력하세요.")), Length(max=200)]
    )
    scope = SelectField(
        _l("범위"),
        choices=[
            SelectChoice("all", _l("전체 (임시 공휴일)")),
            SelectChoice("county", _l("군")),
            SelectChoice("center", _l("경로당")),
        ],
        default="all",
    )
    county_id = SelectField(_l("군"), coerce=int, validate_choice=False)
    center_id = SelectField(_l("경로당"), coerce=int, validate_choice=False)
