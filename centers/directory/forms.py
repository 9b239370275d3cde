"""Page forms of the directory (Flask-WTF, so every POST carries CSRF)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from centers.directory.models import CAPACITY, PHONE_MAX_LENGTH


class CenterForm(FlaskForm):
    name = StringField(_l("이름"), validators=[DataRequired(_l("이름을 입력하세요.")), Length(max=100)])
    address = StringField(_l("주소"), validators=[Optional(), Length(max=200)])
    capacity = IntegerField(
        _l("정원"),
        validators=[Optional(), NumberRange(CAPACITY.min, CAPACITY.max, _l("정원은 1에서 500 사이여야 합니다."))],
    )
    contact_phone = StringField(
        _l("연락처 (수업 중 연락할 전화번호)"),
        validators=[Optional(), Length(max=PHONE_MAX_LENGTH, message=_l("전화번호가 너무 깁니다."))],
    )
    active = BooleanField(_l("운영 중"))
