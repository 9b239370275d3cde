"""Page forms of the roster (Flask-WTF, so every POST carries CSRF)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    IntegerField,
    SelectField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from centers.members.models import MemberStatus, birth_year_error


class MemberForm(FlaskForm):
    name = StringField(
        _l("이름"), validators=[DataRequired(_l("이름을 입력하세요.")), Length(max=50)]
    )
    birth_year = IntegerField(
        _l("출생 연도"),
        validators=[Optional()],
    )
    phone = StringField(_l("전화번호"), validators=[Optional(), Length(max=30)])
    note = StringField(_l("메모"), validators=[Optional(), Length(max=200)])

    def validate_birth_year(self, field):
        if field.data is not None and (problem := birth_year_error(field.data)) is not None:
            raise ValidationError(str(problem))


class MemberEditForm(MemberForm):
    status = SelectField(
        _l("상태"), choices=[SelectChoice(code, label) for code, label in MemberStatus.choices()]
    )


class DeleteForm(FlaskForm):
    """A button that posts (CSRF only)."""
