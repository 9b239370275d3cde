"""Renders the translated label of a stored code (category, status, kind) for pages and exports.

The labels are declared with their codes (:class:`app.database.CodedEnum`, next to each model);
feature packages register the enumerations that templates name with :func:`register`.
"""

from enum import Enum

from flask import Flask


def label(codes: type[Enum], code, none=None) -> str:
    """The label of ``code`` in ``codes``; an unknown code shows as itself, ``None`` as ``none``."""
    if code is None:
        return str(none) if none is not None else ""
    try:
        return codes(code).label
    except ValueError:
        return str(code)


def register(app: Flask, name: str, codes: type[Enum], none=None) -> None:
    """Make ``name(code)`` render ``codes``' labels in every template."""
    app.extensions.setdefault("ieum_labels", {})[name] = (codes, none)


def init_app(app: Flask) -> None:
    @app.context_processor
    def labels():
        return {
            name: (lambda c, codes=codes, none=none: label(codes, c, none))
            for name, (codes, none) in app.extensions.get("ieum_labels", {}).items()
        }
