"""The JSON API plumbing: flask-smorest with API.md's error format, bearer-token auth,
session auth with CSRF for same-origin JavaScript, and list pagination.

Feature packages make their endpoints with :func:`blueprint` and register them with
``api.register_blueprint``; the OpenAPI document is served at ``/api/v1/openapi.json``.
"""

import sqlalchemy as sa
from flask import Flask, g, request
from flask_login import current_user
from flask_smorest import Api, Blueprint
from marshmallow import Schema, fields, validate
from werkzeug.routing import IntegerConverter

from app.auth.models import ApiToken, User, hash_token
from app.database import utcnow
from app.errors import Invalid, Unauthorized
from app.extensions import csrf, db

API_PREFIX = "/api/v1"
# Paths that authenticate themselves (the document, Jitsi's webhooks, tablet pairing).
PUBLIC_PATHS = (f"{API_PREFIX}/openapi.json",)
SELF_AUTHENTICATED_PREFIXES = (f"{API_PREFIX}/jitsi/events/", f"{API_PREFIX}/tablet/pair")
UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
# Ids are INTEGER columns: PostgreSQL's INTEGER (and SQLite's binding) end here.
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """``<int:…>`` in every URL: a number past :data:`MAX_ID` names nothing, so the route does
    not match (404) instead of the database failing on the lookup."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


class IeumApi(Api):
    def _register_error_handlers(self):
        """Errors are formatted by :mod:`app.errors` for the whole app, not by smorest."""


api = IeumApi(
    spec_kwargs={
        "info": {"description": "Ieum (이음) — smart senior center video programs. See API.md."},
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearerAuth": []}],
    }
)


def blueprint(name: str, import_name: str, url_prefix: str, description: str = "") -> Blueprint:
    return Blueprint(name, import_name, url_prefix=API_PREFIX + url_prefix, description=description)


class Id(fields.Integer):
    """An id in a body or query string: 1 to :data:`MAX_ID`, else 422 ``invalid`` naming the
    field (a larger number would fail in the database, not as bad input)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("validate", validate.Range(min=1, max=MAX_ID))
        super().__init__(**kwargs)


class ErrorSchema(Schema):
    class Detail(Schema):
        code = fields.String(required=True)
        message = fields.String(required=True)
        details = fields.Dict()

    error = fields.Nested(Detail, required=True)


class ListArgs(Schema):
    limit = fields.Integer(validate=validate.Range(min=1, max=10000))
    offset = fields.Integer(validate=validate.Range(min=0, max=MAX_ID), load_default=0)


def page_of(args: dict) -> dict:
    """The ``?limit=&offset=`` of a list answer (lists are bare arrays, API.md), as the
    ``limit``/``offset`` keywords of the list services, which apply them in SQL
    (:func:`app.database.paged`)."""
    return {"limit": args.get("limit"), "offset": args.get("offset") or 0}


def user_from_bearer(header: str | None) -> User | None:
    if not header or not header.lower().startswith("bearer "):
        return None
    token = header.split(None, 1)[1].strip()
    row = db.session.scalar(
        sa.select(ApiToken).where(ApiToken.token_hash == hash_token(token), ApiToken.revoked_at.is_(None))
    )
    if row is None or not row.user.active:
        return None
    now = utcnow()
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 300:
        # Committed here, before the view starts its own unit of work.
        row.last_used_at = now
        db.session.commit()
    return row.user


def _authenticate_api_request():
    """Bearer token first (it wins over a cookie); else the page session, with CSRF on writes."""
    path = request.path
    if not path.startswith("/api/") or path in PUBLIC_PATHS:
        return None
    if path.startswith(SELF_AUTHENTICATED_PREFIXES):
        return None
    if request.headers.get("Authorization"):
        user = user_from_bearer(request.headers["Authorization"])
        if user is None:
            raise Unauthorized()
        # Flask-Login keeps the request's user on g._login_user; current_user reads it.
        g._login_user = user
        g.auth_via_token = True
        return None
    if not current_user.is_authenticated:
        raise Unauthorized()
    if request.method in UNSAFE_METHODS:
        csrf.protect()
    return None


def _nul_field(value, name: str = "body") -> str | None:
    """The first field of a JSON value (or the value itself) holding a NUL character."""
    if isinstance(value, str):
        return name if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            found = ("\x00" in key and str(key)) or _nul_field(item, key)
            if found:
                return found
    if isinstance(value, list):
        for item in value:
            found = _nul_field(item, name)
            if found:
                return found
    return None


def _reject_nul_characters():
    """PostgreSQL's text cannot hold NUL: refuse it as bad input (422) before the database fails
    on it (500). Query strings and JSON bodies alike."""
    if not request.path.startswith("/api/"):
        return None
    for key, value in request.args.items(multi=True):
        if "\x00" in key or "\x00" in value:
            raise Invalid(key.replace("\x00", ""))
    if request.is_json:
        field = _nul_field(request.get_json(silent=True))
        if field:
            raise Invalid(field.replace("\x00", ""))
    return None


def init_app(app: Flask) -> None:
    api.init_app(app)
    app.before_request(_authenticate_api_request)
    app.before_request(_reject_nul_characters)
    api.spec.components.schema("ApiError", schema=ErrorSchema)

    from app.auth.api import blp as auth_blp

    for bp in (auth_blp,):
        csrf.exempt(bp)
        api.register_blueprint(bp)


def register(bp: Blueprint) -> None:
    """Register a feature's API blueprint (CSRF is checked in the auth hook instead)."""
    csrf.exempt(bp)
    api.register_blueprint(bp)


class Overlay:
    """An object seen through: ``Overlay(obj, extra=…)`` reads ``extra`` first, then ``obj``."""

    def __init__(self, obj, **overrides):
        self._obj = obj
        self.__dict__.update(overrides)

    def __getattr__(self, name):
        return getattr(self._obj, name)
