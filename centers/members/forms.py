"""Page forms of the roster (Flask-WTF, so every POST carries CSRF)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    IntegerField,
    SelectField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.labels import MEMBER_STATUS
from centers.members.models import MEMBER_STATUSES


class MemberForm(FlaskForm):
    name = StringField(
        _l("이름"), validators=[DataRequired(_l("이름을 입력하세요.")), Length(max=50)]
    )
    birth_year = IntegerField(
        _l("출생 연도"),
        validators=[
            Optional(),
            NumberRange(min=1900, max=2100, message=_l("출생 연도가 올바르지 않습니다.")),
        ],
    )
    phone = StringField(_l("전화번호"), validators=[Optional(), Length(max=30)])
    note = StringField(_l("메모"), validators=[Optional(), Length(max=200)])


class MemberEditForm(MemberForm):
    status = SelectField(
        _l("상태"), choices=[SelectChoice(code, MEMBER_STATUS[code]) for code in MEMBER_STATUSES]
    )


class DeleteForm(FlaskForm):
    """A button that posts (CSRF only)."""
