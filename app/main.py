"""The home page: one per role."""

from flask import Blueprint, Flask, redirect, render_template, url_for
from flask_login import current_user, login_required

from app.auth.models import Role

bp = Blueprint("main", __name__)

HOME_TEMPLATES = {
    Role.ADMIN: "main/home_staff.html",
    Role.COORDINATOR: "main/home_staff.html",
    Role.INSTRUCTOR: "main/home_instructor.html",
    Role.CENTER_MANAGER: "main/home_center.html",
    Role.COUNTY_VIEWER: "main/home_county.html",
}


@bp.get("/")
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return redirect(url_for("main.home"))


@bp.get("/home")
@login_required
def home():
    from centers.home import home_context

    return render_template(HOME_TEMPLATES[Role(current_user.role)], **home_context(current_user))


@bp.get("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico on every page that names no icon; answer the app's icon."""
    from flask import current_app, send_from_directory

    return send_from_directory(
        current_app.static_folder, "favicon.svg", mimetype="image/svg+xml", max_age=86400
    )


@bp.get("/healthz")
def healthz():
    return {"status": "ok"}


def init_app(app: Flask) -> None:
    from app import labels, nav

    app.register_blueprint(bp)
    nav.init_app(app)
    labels.init_app(app)
