"""The JSON API plumbing: flask-smorest with API.md's error format, bearer-token auth,
session auth with CSRF for same-origin JavaScript, and list pagination.

Feature packages make their endpoints with :func:`blueprint` and register them with
``api.register_blueprint``; the OpenAPI document is served at ``/api/v1/openapi.json``.
"""

from flask import Flask, abort, g, request
from flask_login import current_user
from flask_smorest import Api, Blueprint
from marshmallow import Schema, fields, validate
from werkzeug.routing import IntegerConverter

from app.auth import principals
from app.auth.models import User
from app.database import utcnow
from app.errors import Invalid, Unauthorized
from app.extensions import csrf
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
    not match (404) instead of the database failing on the lookup. The pattern itself stops at
    :data:`MAX_ID`: a number past it must match no rule at all, or a sibling rule of another
    method would make it a 405."""

    regex = (
        r"(?:[0-9]{1,9}|1[0-9]{9}|20[0-9]{8}|21[0-3][0-9]{7}|214[0-6][0-9]{6}|2147[0-3][0-9]{5}"
        r"|21474[0-7][0-9]{4}|214748[0-2][0-9]{3}|2147483[0-5][0-9]{2}|21474836[0-3][0-9]|214748364[0-7])"
    )

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


class ErrorSchema(Schema):
    """API.md's error body, the schema of every error answer in the document."""

    class Detail(Schema):
        code = fields.String(required=True, metadata={"description": "invalid, conflict, not_found, …"})
        message = fields.String(required=True)
        details = fields.Dict(required=True, metadata={"description": "invalid: {field, errors}; conflict: …"})

    error = fields.Nested(Detail, required=True)


# The error answers an operation can give, by status: (component name, description).
ERROR_RESPONSES = {
    401: ("Unauthorized", "unauthorized: no valid token or session"),
    403: ("Forbidden", "forbidden: the role or scope does not allow it (or CSRF failed)"),
    404: ("NotFound", "not_found: an id in the path or a filter names nothing (in scope)"),
    409: ("Conflict", "conflict (a duplicate, an overlap) or stale (the version changed)"),
    413: ("TooLarge", "too_large: the body is over MAX_CONTENT_LENGTH"),
    422: ("Invalid", "invalid (details.field names it), weekend, holiday, closed, outside_support_period"),
    429: ("RateLimited", "rate_limited"),
    503: ("Unavailable", "unavailable: the database cannot be reached; retry after Retry-After seconds"),
}
# Operations with a rate limit of their own (API.md, "Rate limits").
RATE_LIMITED_PATHS = (f"{API_PREFIX}/tablet/pair",)
WRITE_METHODS = ("post", "put", "patch", "delete")


def _errors_of(path: str, method: str, operation: dict, path_item: dict) -> list[int]:
    """The error statuses one operation can answer, from what it takes and who may call it."""
    params = path_item.get("parameters", []) + operation.get("parameters", [])
    public = operation.get("security") == []
    has_body = "requestBody" in operation
    statuses = {503}
    if not public or "/jitsi/events/" in path:
        statuses.add(401)
    if not public and path != f"{API_PREFIX}/me":
        statuses.add(403)
    if any(p["in"] == "path" for p in params) or any(p["name"].endswith("_id") for p in params):
        statuses.add(404)
    if method in WRITE_METHODS and not public:
        statuses.add(409)
    if params or has_body:
        statuses.add(422)
    if has_body:
        statuses.add(413)
    if path.startswith(RATE_LIMITED_PATHS):
        statuses.add(429)
    return sorted(statuses)


def _reachable(spec: dict, roots: list) -> set[str]:
    """Names of the component schemas reachable from ``roots`` (schema objects)."""
    schemas = spec.get("components", {}).get("schemas", {})
    seen: set[str] = set()
    stack = list(roots)
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            ref = item.get("$ref", "")
            if ref.startswith("#/components/schemas/"):
                name = ref.rsplit("/", 1)[1]
                if name not in seen:
                    seen.add(name)
                    stack.append(schemas.get(name, {}))
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return seen


def finish_document(spec: dict) -> dict:
    """Make the generated document say what the API really answers (API.md): every operation
    lists its error answers with API.md's error body, and every field of a response schema is
    required (the schemas dump model attributes and dicts that always carry them; null only
    where the field is nullable) unless it is marked ``x-optional``. The fuzz test
    (tests/app/test_openapi_fuzz.py) holds the API to it."""
    components = spec.setdefault("components", {})
    responses = components.setdefault("responses", {})
    error_ref = {"$ref": "#/components/schemas/Error"}
    for status, (name, description) in ERROR_RESPONSES.items():
        answer = {"description": description, "content": {"application/json": {"schema": error_ref}}}
        if status in (429, 503):
            answer["headers"] = {"Retry-After": {"schema": {"type": "integer"}, "description": "seconds"}}
        responses[name] = answer
    request_roots, response_roots = [], []
    for path, item in spec.get("paths", {}).items():
        for method, operation in item.items():
            if method not in WRITE_METHODS + ("get",):
                continue
            answers = operation.setdefault("responses", {})
            answers.pop("default", None)
            for status in _errors_of(path, method, operation, item):
                answers[str(status)] = {"$ref": f"#/components/responses/{ERROR_RESPONSES[status][0]}"}
            request_roots += [operation.get("requestBody"), operation.get("parameters"), item.get("parameters")]
            response_roots += [a for code, a in answers.items() if code.startswith("2")]
    schemas = components.get("schemas", {})
    for name in _reachable(spec, response_roots) - _reachable(spec, request_roots):
        schema = schemas.get(name, {})
        properties = schema.get("properties") or {}
        # A field present only in some answers says so with ``metadata={"x-optional": True}``.
        always = [key for key, prop in properties.items() if not prop.pop("x-optional", False)]
        if always:
            schema["required"] = sorted(always)
    return spec


class IeumApi(Api):
    ERROR_SCHEMA = ErrorSchema
    # Every operation lists its own error answers (finish_document) instead of a catch-all.
    DEFAULT_ERROR_RESPONSE_NAME = None

    def _register_error_handlers(self):
        """Errors are formatted by :mod:`app.errors` for the whole app, not by smorest."""

    def _openapi_json(self):
        """The document as :func:`finish_document` completes it, on a copy: ``to_dict()`` shares
        apispec's own dicts, which finishing would change for the next request."""
        import copy

        from flask import current_app, json

        body = json.dumps(finish_document(copy.deepcopy(self.spec.to_dict())), indent=2, sort_keys=False)
        return current_app.response_class(body, mimetype="application/json")


def new_api() -> IeumApi:
    """One API (and one OpenAPI document) per app: an app that fails half-built, or a second
    app in the same process, never changes another app's document."""
    import copy

    return IeumApi(spec_kwargs=copy.deepcopy(SPEC))


SPEC = {
    "info": {"description": "Ieum (이음) — smart senior center video programs. See API.md."},
    "components": {
        "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
    },
    "security": [{"bearerAuth": []}],
}


def blueprint(name: str, import_name: str, url_prefix: str, description: str = "") -> Blueprint:
    return Blueprint(name, import_name, url_prefix=API_PREFIX + url_prefix, description=description)


def guard_writes(bp: Blueprint, check) -> None:
    """Run ``check(current_user)`` before every write of ``bp``, before its body is validated:
    the wrong role gets 403, not a 422 about a body it may not send at all."""

    @bp.before_request
    def _guard_writes():
        if request.method in ("POST", "PUT", "PATCH", "DELETE"):
            check(current_user)


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


class ListArgs(Schema):
    limit = fields.Integer(validate=validate.Range(min=1, max=10000))
    offset = fields.Integer(validate=validate.Range(min=0, max=MAX_ID), load_default=0)


def page_of(args: dict) -> dict:
    """The ``?limit=&offset=`` of a list answer (lists are bare arrays, API.md), as the
    ``limit``/``offset`` keywords of the list services, which apply them in SQL
    (:func:`app.database.paged`)."""
    return {"limit": args.get("limit"), "offset": args.get("offset") or 0}


def user_from_bearer(header: str | None) -> User | None:
    """The user of an ``Authorization: Bearer`` token (see :mod:`app.auth.principals`)."""
    if not header or not header.lower().startswith("bearer "):
        return None
    return principals.user_for_token(header.split(None, 1)[1].strip(), utcnow())


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
    api = new_api()
    app.extensions["ieum_api"] = api
    api.init_app(app)
    app.before_request(_authenticate_api_request)
    # First of all hooks, the rate limiter's included: bad input is 422 even when rate limited.
    app.before_request_funcs.setdefault(None, []).insert(0, _reject_unstorable_input)

    from app.auth.api import blp as auth_blp

    for bp in (auth_blp,):
        csrf.exempt(bp)
        api.register_blueprint(bp)


def register(app: Flask, bp: Blueprint) -> None:
    """Register a feature's API blueprint (CSRF is checked in the auth hook instead)."""
    csrf.exempt(bp)
    app.extensions["ieum_api"].register_blueprint(bp)


class Overlay:
    """An object seen through: ``Overlay(obj, extra=…)`` reads ``extra`` first, then ``obj``."""

    def __init__(self, obj, **overrides):
        self._obj = obj
        self.__dict__.update(overrides)

    def __getattr__(self, name):
        return getattr(self._obj, name)
