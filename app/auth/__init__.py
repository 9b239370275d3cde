"""Users, roles, login pages and API tokens."""

from flask import Flask
from flask_babel import lazy_gettext as _l

from app.extensions import login_manager


def init_app(app: Flask) -> None:
    from app.auth import principals
    from app.auth.views import bp

    principals.listen()

    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("로그인이 필요합니다.")
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(alternative_id: str):
        """The session's (or remember cookie's) ``<id>.<epoch>.<nonce>``: refused once the
        user's session epoch has moved on (signed out, password changed, deactivated)."""
        parts = alternative_id.split(".")
        if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
            return None
        user = principals.user_by_id(int(parts[0]))
        if user is None or not user.active or user.session_epoch != int(parts[1]):
            return None
        user._login_nonce = parts[2]
        return user

    app.register_blueprint(bp)

    from app import nav
    from app.auth.models import Role

    nav.register(app, _l("사용자"), "auth.users", (Role.ADMIN,), order=90)
