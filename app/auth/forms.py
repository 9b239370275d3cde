from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    username = StringField(_l("아이디"), validators=[DataRequired(_l("아이디를 입력하세요.")), Length(max=80)])
    password = PasswordField(_l("비밀번호"), validators=[DataRequired(_l("비밀번호를 입력하세요."))])
    remember = BooleanField(_l("로그인 상태 유지"))
    next = HiddenField()


class ConfirmForm(FlaskForm):
    """A bare form: CSRF only, for the confirmed actions on the users page."""


class PasswordForm(FlaskForm):
    password = PasswordField(
        _l("새 비밀번호"), validators=[DataRequired(_l("비밀번호를 입력하세요.")), Length(max=200)]
    )
