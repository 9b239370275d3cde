"""Page forms of attendance (Flask-WTF, so every POST carries CSRF)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    IntegerField,
    RadioField,
    SelectMultipleField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from centers.attendance.models import AttendanceStatus
from centers.directory.models import HEADCOUNT


class AttendanceForm(FlaskForm):
    status = RadioField(
        _l("출석 상태"),
        choices=[SelectChoice(code, label) for code, label in AttendanceStatus.choices()],
        validators=[InputRequired(_l("출석 상태를 고르세요."))],
    )
    headcount = IntegerField(
        _l("참여 인원"),
        validators=[
            InputRequired(_l("참여 인원을 입력하세요.")),
            NumberRange(min=HEADCOUNT.min, max=HEADCOUNT.max),
        ],
    )
    member_ids = SelectMultipleField(_l("참여하신 어르신"), coerce=int, validate_choice=False)
    note = TextAreaField(_l("메모"), validators=[Optional(), Length(max=1000)])
    client_ref = HiddenField()
