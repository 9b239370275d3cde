"""The front door: ``/`` and each role's ``/home`` (the page a feature registers), and ``/healthz``."""

from collections.abc import Callable

from flask import Blueprint, Flask, abort, current_app, redirect, render_template, url_for
from flask_login import current_user, login_required

from app.auth.models import User

bp = Blueprint("main", __name__)

HomePage = Callable[[User], tuple[str, dict]]


def register_home(app: Flask, page: HomePage) -> None:
    """``page(user) -> (template, context)``: what ``/home`` shows the user."""
    app.extensions["ieum_home"] = page


@bp.get("/")
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return redirect(url_for("main.home"))


@bp.get("/home")
@login_required
def home():
    page = current_app.extensions.get("ieum_home")
    if page is None:
        abort(404)
    template, context = page(current_user)
    return render_template(template, **context)


@bp.get("/healthz")
def healthz():
    return {"status": "ok"}


def init_app(app: Flask) -> None:
    from app import labels, nav

    app.register_blueprint(bp)
    nav.init_app(app)
    labels.init_app(app)
