"""Page forms (Flask-WTF, CSRF) of programs and instructors."""


from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from programs.catalog.models import DURATION_MINUTES, Category

DURATION_RANGE = NumberRange(
    DURATION_MINUTES.min, DURATION_MINUTES.max, _l("10분에서 240분 사이로 입력하세요.")
)


class ProgramForm(FlaskForm):
    title = StringField(
        _l("프로그램 이름"), validators=[DataRequired(_l("제목을 입력하세요.")), Length(max=120)]
    )
    category = SelectField(
        _l("분류"), choices=[SelectChoice(code, label) for code, label in Category.choices()]
    )
    description = TextAreaField(_l("설명"), validators=[Optional(), Length(max=2000)])
    duration_minutes = IntegerField(
        _l("기본 수업 길이(분)"),
        default=60,
        validators=[
            InputRequired(_l("수업 길이를 입력하세요.")),
            DURATION_RANGE,
        ],
    )


class InstructorForm(FlaskForm):
    name = StringField(
        _l("이름"), validators=[DataRequired(_l("이름을 입력하세요.")), Length(max=80)]
    )
    phone = StringField(_l("전화번호"), validators=[Optional(), Length(max=30)])
