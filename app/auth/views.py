import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app.auth import policy, services
from app.auth.forms import ConfirmForm, LoginForm, PasswordForm
from app.auth.models import User
from app.errors import AppError, NotFound
from app.extensions import db
from app.rate_limits import login_limits
from app.utils import safe_next_url

bp = Blueprint("auth", __name__, url_prefix="/auth")


@bp.route("/login", methods=["GET", "POST"])
@login_limits
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = services.authenticate(form.username.data, form.password.data)
        if user is None:
            flash(_("아이디 또는 비밀번호가 맞지 않습니다."), "error")
            return render_template("auth/login.html", form=form), 401
        login_user(user, remember=form.remember.data)
        db.session.commit()
        return redirect(safe_next_url(form.next.data, "main.home"))
    status = 422 if form.errors else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    """Ends this user's sessions and remember cookies everywhere, the captured ones included."""
    services.sign_out(current_user._get_current_object())
    db.session.commit()
    logout_user()
    flash(_("로그아웃했습니다."), "info")
    return redirect(url_for("auth.login"))


# --- users and their API tokens (admins) -------------------------------------------------


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound()
    return user


@bp.get("/users")
@login_required
def users():
    policy.require_admin(current_user)
    rows = db.session.scalars(sa.select(User).order_by(User.active.desc(), User.username)).all()
    return render_template("auth/users.html", users=rows)


@bp.get("/users/<int:user_id>")
@login_required
def user_detail(user_id: int):
    policy.require_admin(current_user)
    user = _user_or_404(user_id)
    return render_template(
        "auth/user_detail.html", user=user, tokens=services.tokens_of(user),
        form=ConfirmForm(), password_form=PasswordForm(), now=services.utcnow(),
    )


@bp.route("/users/<int:user_id>/deactivate", methods=["GET", "POST"])
@login_required
def user_deactivate(user_id: int):
    """GET asks to confirm; POST stops every session and token of the user at once."""
    policy.require_admin(current_user)
    user = _user_or_404(user_id)
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        services.update_user(current_user, user, {"active": False}, source="page")
        db.session.commit()
        flash(_("%(name)s 사용자를 비활성화했습니다.", name=user.username), "success")
        return redirect(url_for("auth.user_detail", user_id=user.id))
    return render_template(
        "auth/confirm.html", form=form,
        title=_("사용자 비활성화"),
        question=_(
            "%(name)s 사용자를 비활성화할까요? 이 사용자의 모든 로그인과 API 토큰이 바로 끊깁니다.",
            name=user.username,
        ),
        confirm_label=_("비활성화"),
        cancel_url=url_for("auth.user_detail", user_id=user.id),
    )


@bp.post("/users/<int:user_id>/activate")
@login_required
def user_activate(user_id: int):
    policy.require_admin(current_user)
    user = _user_or_404(user_id)
    if ConfirmForm().validate_on_submit():
        services.set_active(current_user, user, True, source="page")
        db.session.commit()
        flash(_("%(name)s 사용자를 다시 활성화했습니다.", name=user.username), "success")
    return redirect(url_for("auth.user_detail", user_id=user.id))


@bp.post("/users/<int:user_id>/password")
@login_required
def user_password(user_id: int):
    """Set a user's password (the password rules apply); their sessions end."""
    policy.require_admin(current_user)
    user = _user_or_404(user_id)
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, user, form.password.data, source="page")
        except AppError as exc:
            db.session.rollback()
            form.password.errors = [str(exc.message)]
        else:
            db.session.commit()
            flash(_("비밀번호를 바꿨습니다. 이 사용자의 기존 로그인은 끊겼습니다."), "success")
            return redirect(url_for("auth.user_detail", user_id=user.id))
    return render_template(
        "auth/user_detail.html", user=user, tokens=services.tokens_of(user),
        form=ConfirmForm(), password_form=form, now=services.utcnow(),
    ), 422


@bp.route("/tokens/<int:token_id>/revoke", methods=["GET", "POST"])
@login_required
def token_revoke(token_id: int):
    """GET asks to confirm; POST revokes: the token is refused (401) from then on."""
    policy.require_admin(current_user)
    row = services.get_token(token_id)
    form = ConfirmForm()
    back = url_for("auth.user_detail", user_id=row.user_id)
    if request.method == "POST" and form.validate_on_submit():
        services.revoke_token(current_user, row, source="page")
        db.session.commit()
        flash(_("API 토큰을 폐기했습니다."), "success")
        return redirect(back)
    return render_template(
        "auth/confirm.html", form=form,
        title=_("API 토큰 폐기"),
        question=_("토큰 %(name)s(%(id)s번)을 폐기할까요? 이 토큰을 쓰는 프로그램은 바로 접속이 끊깁니다.",
                   name=row.name or "-", id=row.id),
        confirm_label=_("폐기"),
        cancel_url=back,
    )
