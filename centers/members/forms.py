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

from centers.members.models import BIRTH_YEAR, MemberStatus


class MemberForm(FlaskForm):
    name = StringField(
        _l("이름"), validators=[DataRequired(_l("이름을 입력하세요.")), Length(max=50)]
    )
    birth_year = IntegerField(
        _l("출생 연도"),
        validators=[
            Optional(),
            NumberRange(
                min=BIRTH_YEAR.min, max=BIRTH_YEAR.max, message=_l("출생 연도가 올바르지 않습니다.")
            ),
        ],
    )
    phone = StringField(_l("전화번호"), validators=[Optional(), Length(max=30)])
    note = StringField(_l("메모"), validators=[Optional(), Length(max=200)])


class MemberEditForm(MemberForm):
    status = SelectField(
        _l("상태"), choices=[SelectChoice(code, label) for code, label in MemberStatus.choices()]
    )


class DeleteForm(FlaskForm):
    """A button that posts (CSRF only)."""
