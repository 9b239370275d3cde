"""Domain errors and the handlers that turn every error into API.md's JSON or a Korean page.

Services raise :class:`AppError` subclasses; they know nothing of HTTP beyond the status
each code maps to. Under ``/api`` every error is ``{"error": {"code", "message", "details"}}``.
"""

from typing import Any

from flask import Flask, current_app, flash, g, jsonify, redirect, render_template, request
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException

from app.extensions import db


class AppError(Exception):
    code = "invalid"
    status = 422
    default_message = _l("입력값이 올바르지 않습니다.")

    def __init__(self, message: Any = None, **details: Any) -> None:
        super().__init__(str(message or self.default_message))
        self.message = message or self.default_message
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": str(self.message), "details": self.details}}


class Invalid(AppError):
    """A bad or missing field; ``details.field`` names it."""

    def __init__(self, field: str, message: Any = None, **details: Any) -> None:
        super().__init__(message, field=field, **details)


class RuleViolation(AppError):
    """A scheduling rule (weekend, holiday, closed, outside_support_period): 422."""

    def __init__(self, code: str, message: Any, **details: Any) -> None:
        super().__init__(message, **details)
        self.code = code


class Conflict(AppError):
    code, status = "conflict", 409
    default_message = _l("이미 있는 항목과 충돌합니다.")


class Stale(AppError):
    code, status = "stale", 409
    default_message = _l("다른 사람이 먼저 수정했습니다. 새로 고친 뒤 다시 시도하세요.")


class NotFound(AppError):
    code, status = "not_found", 404
    default_message = _l("찾을 수 없습니다.")


class Forbidden(AppError):
    code, status = "forbidden", 403
    default_message = _l("권한이 없습니다.")


class Unauthorized(AppError):
    code, status = "unauthorized", 401
    default_message = _l("로그인이 필요합니다.")


class RateLimited(AppError):
    code, status = "rate_limited", 429
    default_message = _l("요청이 너무 많습니다. 잠시 후 다시 시도하세요.")


HTTP_CODES = {
    400: ("invalid", 422, _l("요청을 읽을 수 없습니다.")),
    401: ("unauthorized", 401, Unauthorized.default_message),
    403: ("forbidden", 403, Forbidden.default_message),
    404: ("not_found", 404, NotFound.default_message),
    405: ("not_found", 405, _l("허용되지 않는 요청 방식입니다.")),
    409: ("conflict", 409, Conflict.default_message),
    413: ("too_large", 413, _l("요청이 너무 큽니다.")),
    415: ("invalid", 422, _l("JSON 형식으로 보내 주세요.")),
    422: ("invalid", 422, AppError.default_message),
    429: ("rate_limited", 429, RateLimited.default_message),
}


def wants_json() -> bool:
    return request.path.startswith("/api/")


def _json(code: str, status: int, message: Any, details: dict | None = None):
    body = {"error": {"code": code, "message": str(message), "details": details or {}}}
    return jsonify(body), status


def _validation_details(exc: HTTPException) -> dict[str, Any]:
    """webargs/marshmallow messages → ``{field, errors}``; the first bad field is named."""
    messages = (getattr(exc, "data", None) or {}).get("messages") or {}
    errors: dict[str, Any] = {}
    for location in ("json", "query", "form", "path", "view_args"):
        found = messages.get(location)
        if isinstance(found, dict):
            errors.update(found)
        elif found:  # a body that is not JSON at all
            errors["body"] = found
    if not errors:
        return {}
    field = next(iter(errors))
    if field == "_schema":
        field = "body"
    return {"field": field, "errors": errors}


def _back() -> str:
    """Back to the page the form came from (``Referer``) when it is a page of this site; else
    this request's own path when it is one; else home."""
    from app.security import safe_redirect, safe_redirect_target

    return safe_redirect_target(request.referrer) or safe_redirect(request.path)


def handle_app_error(exc: AppError):
    db.session.rollback()
    if wants_json():
        return jsonify(exc.to_dict()), exc.status
    if exc.status in (401, 403, 404):
        return render_template("errors/error.html", status=exc.status, message=str(exc.message)), exc.status
    flash(str(exc.message), "error")
    return redirect(_back())


def handle_http_error(exc: HTTPException):
    status = exc.code or 500
    if wants_json():
        code, json_status, message = HTTP_CODES.get(status, ("invalid", status, exc.description))
        details: dict[str, Any] = {}
        if status in (400, 422):
            details = _validation_details(exc)
            if details:
                message = gettext("입력값이 올바르지 않습니다: %(field)s", field=details["field"])
        if status == 429:
            return _json(code, 429, message, {"limit": str(getattr(exc, "description", ""))})
        return _json(code, json_status, message, details)
    if status == 429:
        message = gettext("잘못된 시도가 너무 많았습니다. 잠시 기다린 뒤 다시 시도해 주세요.")
        return render_template("errors/error.html", status=429, message=message), 429
    return render_template("errors/error.html", status=status, message=None), status


def handle_csrf_error(exc: CSRFError):
    if wants_json():
        return _json("forbidden", 403, gettext("보안 토큰(CSRF)이 없거나 만료되었습니다."))
    flash(gettext("페이지가 오래되었습니다. 다시 시도하세요."), "error")
    return redirect(_back())


# Seconds a client is asked to wait when the database is unreachable.
UNAVAILABLE_RETRY_AFTER = 5


def database_unavailable(exc: BaseException) -> bool:
    """The database cannot be reached or dropped the connection (a restart, a failover, a full
    pool), as opposed to a bug or bad data: the request may succeed if tried again."""
    if isinstance(exc, (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError)):
        return True
    if isinstance(exc, sa_exc.PendingRollbackError) and "invalid transaction" in str(exc):
        return True  # the connection died inside this request's transaction
    return isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated


def handle_unavailable(exc: Exception):
    """503 ``unavailable`` with ``Retry-After``; the page is standalone (the base layout reads
    the user from the database, which is just what is missing)."""
    try:
        db.session.rollback()
    except Exception:  # the connection is gone already; the pool replaces it
        db.session.remove()
    current_app.logger.warning("Database unavailable: %s", str(exc).splitlines()[0][:200])
    headers = {"Retry-After": str(UNAVAILABLE_RETRY_AFTER)}
    if "_login_user" not in g:
        # Templates get ``current_user``; loading it is what failed, so the page has nobody.
        from app.extensions import login_manager

        g._login_user = login_manager.anonymous_user()
    if wants_json():
        body, status = _json("unavailable", 503, gettext("데이터베이스에 연결할 수 없습니다. 잠시 후 다시 시도하세요."))
        return body, status, headers
    return render_template("errors/unavailable.html", retry_after=UNAVAILABLE_RETRY_AFTER), 503, headers


def handle_unexpected(exc: Exception):
    if database_unavailable(exc):
        return handle_unavailable(exc)
    db.session.rollback()
    if isinstance(exc, HTTPException):
        return handle_http_error(exc)

    current_app.logger.exception("Unhandled error")
    if wants_json():
        return _json("internal", 500, gettext("서버 오류가 발생했습니다. 잠시 후 다시 시도하세요."))
    return render_template("errors/error.html", status=500, message=None), 500


def init_app(app: Flask) -> None:
    app.register_error_handler(AppError, handle_app_error)
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected)
