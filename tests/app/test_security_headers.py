"""Security headers on every answer: CSP, frame-ancestors, nosniff, Referrer-Policy, HSTS in
production only, and ``Cache-Control: no-store`` on what is personal."""

import pytest

from app.security import content_security_policy, jitsi_origins
from tests.factories import UserFactory


def _directives(header: str) -> dict[str, list[str]]:
    out = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


@pytest.mark.parametrize(
    "path", ["/auth/login", "/api/v1/me", "/api/v1/openapi.json", "/static/css/app.css", "/nowhere"]
)
def test_every_answer_carries_the_headers(client, path):
    response = client.get(path)
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    csp = _directives(response.headers["Content-Security-Policy"])
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["default-src"] == ["'self'"]
    assert "Strict-Transport-Security" not in response.headers  # not in a local run


def test_csp_allows_only_self_and_the_jitsi_server(app, app_config):
    app_config(JITSI_DOMAIN="8x8.vc", JITSI_EXTERNAL_API_URL="https://8x8.vc/vpaas-magic-cookie-1/external_api.js")
    csp = _directives(content_security_policy(app.config))
    assert csp["script-src"] == ["'self'", "https://8x8.vc"]
    assert csp["frame-src"] == ["https://8x8.vc"]
    assert csp["style-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert not any("'unsafe-inline'" in v or "'unsafe-eval'" in v for values in csp.values() for v in values)


def test_csp_names_the_script_origin_when_it_differs(app, app_config):
    app_config(JITSI_DOMAIN="meet.example.org", JITSI_EXTERNAL_API_URL="http://127.0.0.1:9999/external_api.js")
    assert jitsi_origins(app.config) == ["https://meet.example.org", "http://127.0.0.1:9999"]
    app_config(JITSI_DOMAIN=None, JITSI_EXTERNAL_API_URL=None)
    assert _directives(content_security_policy(app.config))["frame-src"] == ["'none'"]


def test_hsts_only_in_production(client, app_config):
    assert "Strict-Transport-Security" not in client.get("/healthz").headers
    app_config(IEUM_ENV="production", PUBLIC_BASE_URL="https://ieum.example.org")
    response = client.get("/healthz")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_no_store_on_personal_answers_static_stays_cacheable(client, login_as):
    assert client.get("/api/v1/me").headers["Cache-Control"] == "no-store"  # 401 too
    login_as(UserFactory(username="kim"))
    assert client.get("/home").headers["Cache-Control"] == "no-store"
    assert client.get("/api/v1/me").headers["Cache-Control"] == "no-store"
    static = client.get("/static/css/app.css")
    assert "no-store" not in static.headers.get("Cache-Control", "")


def test_no_inline_script_or_handler_in_templates():
    """The CSP allows no inline script: every template keeps its JavaScript in files."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    found = []
    templates = [root.glob("app/templates/**/*.html"), root.glob("centers/*/templates/**/*.html"),
                 root.glob("programs/*/templates/**/*.html")]
    paths = [path for found_in in templates for path in found_in]
    assert len(paths) > 40
    for path in paths:
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"<script\b([^>]*)>", text):
            attrs = match.group(1)
            if "src=" not in attrs and 'type="application/json"' not in attrs:
                found.append(f"{path.name}: inline <script>")
        if re.search(r"\son[a-z]+\s*=\s*[\"']", text):
            found.append(f"{path.name}: inline event handler")
        if re.search(r"\sstyle\s*=\s*[\"']", text):
            found.append(f"{path.name}: inline style attribute")
    assert found == []


def test_calendar_keys_are_redacted_in_the_access_log():
    """gunicorn.conf.py's logger writes a feed's key (and a pairing code) as [redacted]."""
    from datetime import timedelta
    from types import SimpleNamespace

    from gunicorn.config import Config

    from app.access_log import RedactingLogger

    config = Config()
    config.set("logger_class", "app.access_log.RedactingLogger")
    logger = RedactingLogger(config)
    environ = {
        "REQUEST_METHOD": "GET", "RAW_URI": "/calendar/centers/1.ics?key=s3cret-key&x=1",
        "PATH_INFO": "/calendar/centers/1.ics", "QUERY_STRING": "key=s3cret-key&x=1",
        "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
        "HTTP_REFERER": "https://ieum.example.org/tablet/pair?code=123456",
    }
    resp = SimpleNamespace(status="200 OK", sent=10, headers=[])
    req = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])
    atoms = logger.atoms(resp, req, environ, timedelta(milliseconds=5))
    text = " ".join(str(v) for v in atoms.values())
    assert "s3cret-key" not in text and "123456" not in text
    assert atoms["r"] == "GET /calendar/centers/1.ics?key=[redacted]&x=1 HTTP/1.1"
    with open(__import__("pathlib").Path(__file__).resolve().parents[2] / "gunicorn.conf.py") as f:
        assert 'logger_class = "app.access_log.RedactingLogger"' in f.read()
