"""Locale and time zone selection, Korean formats, and the language switch."""

from datetime import date, datetime, time

from babel.dates import format_date, format_datetime, format_time
from flask import Blueprint, Flask, current_app, has_request_context, redirect, request, session
from flask_babel import get_locale

from app.clock import SEOUL
from app.utils import safe_next_url

bp = Blueprint("i18n", __name__)

# Patterns per locale. Babel's "a" prints AM/PM for Korean; "B"/"aaaa" give 오전/오후.
PATTERNS = {
    "ko": {
        "date": "M월 d일 (E)",
        "date_long": "y년 M월 d일 (E)",
        "time": "aaaa h:mm",
        "datetime": "M월 d일 (E) aaaa h:mm",
    },
    "en": {
        "date": "EEE, MMM d",
        "date_long": "EEE, MMM d, y",
        "time": "h:mm a",
        "datetime": "EEE, MMM d, h:mm a",
    },
}


def select_locale() -> str:
    if not has_request_context():  # CLI commands, benchmarks, services called from tests
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    supported = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI, background jobs
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get("lang")
    if chosen in supported:
        return chosen
    if request.path.startswith("/api/"):
        # The API is Korean unless the caller asks for English explicitly.
        return request.accept_languages.best_match(supported, default="ko") or "ko"
    return "ko"


def select_timezone() -> str:
    return "Asia/Seoul"


def _lang() -> str:
    locale = get_locale()
    return locale.language if locale and locale.language in PATTERNS else "ko"


def fmt_date(value: date | datetime | None, style: str = "date") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(SEOUL).date()
    lang = _lang()
    return format_date(value, PATTERNS[lang][style], locale=lang)


def fmt_time(value: time | datetime | None) -> str:
    if value is None:
        return ""
    lang = _lang()
    if isinstance(value, datetime):
        value = value.astimezone(SEOUL)
        return format_datetime(value, PATTERNS[lang]["time"], locale=lang, tzinfo=SEOUL)
    return format_time(value, PATTERNS[lang]["time"], locale=lang)


def fmt_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    lang = _lang()
    return format_datetime(value, PATTERNS[lang]["datetime"], locale=lang, tzinfo=SEOUL)


@bp.post("/lang/<code>")
def switch_language(code: str):
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    return redirect(safe_next_url(request.form.get("next") or request.referrer, "main.home"))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.jinja_env.filters["date_ko"] = fmt_date
    app.jinja_env.filters["time_ko"] = fmt_time
    app.jinja_env.filters["datetime_ko"] = fmt_datetime

    @app.context_processor
    def inject_locale():
        return {"current_lang": _lang(), "languages": app.config["LANGUAGES"]}
