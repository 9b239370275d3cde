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

from app.labels import ATTENDANCE_STATUS
from centers.attendance.models import ATTENDANCE_STATUSES
from centers.directory.models import MAX_HEADCOUNT


class AttendanceForm(FlaskForm):
    status = RadioField(
        _l("출석 상태"),
        choices=[SelectChoice(code, ATTENDANCE_STATUS[code]) for code in ATTENDANCE_STATUSES],
        validators=[InputRequired(_l("출석 상태를 고르세요."))],
    )
    headcount = IntegerField(
        _l("참여 인원"),
        validators=[
            InputRequired(_l("참여 인원을 입력하세요.")),
            NumberRange(min=0, max=MAX_HEADCOUNT),
        ],
    )
    member_ids = SelectMultipleField(_l("참여하신 어르신"), coerce=int, validate_choice=False)
    note = TextAreaField(_l("메모"), validators=[Optional(), Length(max=1000)])
    client_ref = HiddenField()
