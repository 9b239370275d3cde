"""Pages that gather every feature: each role's home page and a center's page."""

from flask import Flask


def init_app(app: Flask) -> None:
    from app import main
    from centers.home import views

    app.register_blueprint(views.bp)
    main.register_home(app, views.home_page)
