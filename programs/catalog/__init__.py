"""The program catalog (leisure and health classes) and the instructors who lead them."""

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    from app import labels, nav
    from app.api import register
    from app.auth.models import Role
    from app.auth.services import register_scope_model
    from programs.catalog import api, views
    from programs.catalog.models import Category, Instructor

    register_scope_model("instructor_id", Instructor)
    labels.register(app, "category_label", Category)

    app.register_blueprint(views.bp)
    register(app, api.blp)
    staff = (Role.ADMIN, Role.COORDINATOR)
    nav.register(app, _l("프로그램"), "catalog.program_list", staff, order=30)
    nav.register(app, _l("강사"), "catalog.instructor_list", staff, order=31)
