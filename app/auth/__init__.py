"""Users, roles, login pages and API tokens."""

from flask import Flask
from flask_babel import lazy_gettext as _l

from app.extensions import db, login_manager


def init_app(app: Flask) -> None:
    from app.auth.models import User
    from app.auth.views import bp

    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("로그인이 필요합니다.")
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(user_id: str):
        user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
        return user if user is not None and user.active else None

    app.register_blueprint(bp)
