"""The JSON API plumbing: flask-smorest with API.md's error format, bearer-token auth,
session auth with CSRF for same-origin JavaScript, and list pagination.

Feature packages make their endpoints with :func:`blueprint` and register them with
``api.register_blueprint``; the OpenAPI document is served at ``/api/v1/openapi.json``.
"""

import sqlalchemy as sa
from flask import Flask, abort, g, request
from flask_login import current_user
from flask_smorest import Api, Blueprint
from marshmallow import Schema, fields, validate
from werkzeug.routing import IntegerConverter

from app.auth.models import ApiToken, User, hash_token
from app.database import utcnow
from app.errors import Invalid, Unauthorized
from app.extensions import csrf, db
from app.params import FIRST_DAY, LAST_DAY, OUT_OF_RANGE

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


class Day(fields.Date):
    """A date in a body or query string, within the app's calendar (:mod:`app.params`): outside
    it, 422 ``invalid`` naming the field instead of date arithmetic overflowing later."""

    def __init__(self, **kwargs):
        kwargs.setdefault("validate", validate.Range(min=FIRST_DAY, max=LAST_DAY, error=str(OUT_OF_RANGE)))
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


def page_of(items: list, args: dict) -> list:
    """The ``?limit=&offset=`` slice of a list answer (lists are bare arrays, API.md)."""
    offset = args.get("offset") or 0
    limit = args.get("limit")
    return items[offset : offset + limit] if limit else items[offset:]


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


# Deeper JSON than any operation takes: refused before anything recurses into it.
MAX_JSON_DEPTH = 32


def unstorable(text: str) -> bool:
    """NUL (PostgreSQL's text cannot hold it) or a lone surrogate (no UTF-8 encoding at all)."""
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _field_name(key: str) -> str:
    return key.encode("utf-8", "replace").decode("utf-8").replace("\x00", "")


def _bad_json_field(value, name: str = "body") -> str | None:
    """The first field of a JSON value holding text the database cannot store, or ``body`` when
    it nests deeper than :data:`MAX_JSON_DEPTH`. Iterative: no input can exhaust the stack."""
    stack = [(value, name, 1)]
    while stack:
        item, field, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            return "body"
        if isinstance(item, str):
            if unstorable(item):
                return field
        elif isinstance(item, dict):
            for key, child in reversed(list(item.items())):
                if unstorable(key):
                    return _field_name(key)
                stack.append((child, key, depth + 1))
        elif isinstance(item, list):
            stack.extend((child, field, depth + 1) for child in reversed(item))
    return None


def _reject_unstorable_input():
    """Refuse as bad input (422 ``invalid`` naming the field) what would otherwise fail later as
    a 500: NUL characters and lone surrogates in query strings and JSON bodies, and JSON nested
    too deep to parse (``[`` × 5000). Runs before every view, rate limits included. A body over
    ``MAX_CONTENT_LENGTH`` is refused here too (413, by Werkzeug). Pages answer such text in
    a query string or form with the 400 page."""
    if not request.path.startswith("/api/"):
        fields_sent = list(request.args.items(multi=True))
        if request.method in UNSAFE_METHODS:
            fields_sent += list(request.form.items(multi=True))
        if any(unstorable(key) or unstorable(value) for key, value in fields_sent):
            abort(400)
        return None
    for key, value in request.args.items(multi=True):
        if unstorable(key) or unstorable(value):
            raise Invalid(_field_name(key))
    if request.is_json:
        try:
            body = request.get_json(silent=True)
        except RecursionError:
            raise Invalid("body") from None
        field = _bad_json_field(body)
        if field:
            raise Invalid(field)
    return None


def init_app(app: Flask) -> None:
    api.init_app(app)
    app.before_request(_authenticate_api_request)
    # First of all hooks, the rate limiter's included: bad input is 422 even when rate limited.
    app.before_request_funcs.setdefault(None, []).insert(0, _reject_unstorable_input)
    api.spec.components.schema("ApiError", schema=ErrorSchema)

    from app.auth.api import blp as auth_blp

    for bp in (auth_blp,):
        csrf.exempt(bp)
        api.register_blueprint(bp)


def register(bp: Blueprint) -> None:
    """Register a feature's API blueprint (CSRF is checked in the auth hook instead)."""
    csrf.exempt(bp)
    api.register_blueprint(bp)
