"""The demo: Bucheon's nine partner centers, with four weeks of history (``flask demo seed``)."""

from flask import Flask


def init_app(app: Flask) -> None:
    from centers.demo import cli

    cli.init_app(app)
