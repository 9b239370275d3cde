"""Schemathesis over every operation of the OpenAPI document, as an admin and as a county viewer,
with every check (response schema conformance included): the document says what the API really
answers. Derandomized with a fixed seed, so a failure reproduces; bench/fuzz_api.py is the
larger hand-run fuzz."""

import logging
import re
import warnings
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.config import SchemathesisConfig

from app.auth.models import Role, User
from app.auth.services import issue_token
from app.extensions import db
from bench.fuzz_api import known_ids  # one choice of path ids, shared by the suite and the bench
from centers.demo import seed as demo

EXAMPLES = 6  # per operation, role, generation mode and path-id pass: about 1,500 cases in all
EVENTS_SECRET = "fuzz-events-secret"
# Statuses the document lists for a request that is valid by its schemas: the rules (weekend,
# holiday, overlap, scope) refuse valid-looking data the schema cannot express.
POSITIVE_STATUSES = ["2XX", "401", "403", "404", "409", "422"]


@pytest.fixture
def fuzz_app(app, app_config):
    """The session's app seeded with the demo data, committed (the test is marked ``commits``,
    so the tables are emptied after it)."""
    app_config(JITSI_EVENTS_SECRET=EVENTS_SECRET, JITSI_APP_SECRET="fuzz-jitsi-secret")
    demo.seed()
    admin = db.session.scalar(db.select(User).filter_by(role=Role.ADMIN.value))
    viewer = db.session.scalar(db.select(User).filter_by(role=Role.COUNTY_VIEWER.value))
    users = {"admin": admin, "county_viewer": viewer}
    tokens = {role: issue_token(None, user, name="fuzz") for role, user in users.items()}
    db.session.commit()
    known = known_ids(admin.id)
    db.session.remove()
    return app, tokens, known


def _fresh_contexts(app):
    """The app as WSGI, each request in an app context of its own (Flask reuses the test's
    context otherwise, and with it the user a previous request loaded)."""

    def wsgi(environ, start_response):
        with app.app_context():
            return app.wsgi_app(environ, start_response)

    return wsgi


def _fuzz(operation, mode, path_parameters, role, secret, checks, cases, failures):
    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path_parameters))
    def run(case):
        cases[role] += 1
        try:
            case.call_and_validate(headers={"Authorization": f"Bearer {secret}"}, checks=checks)
        except (Exception, BaseExceptionGroup) as exc:  # schemathesis' check failures: one, or a group
            for failure in getattr(exc, "exceptions", None) or [exc]:
                title = getattr(failure, "title", None) or str(failure).strip().splitlines()[0][:200]
                key = (f"{operation.method.upper()} {operation.path}", title)
                failures.setdefault(key, f"{role} {mode.value}: {str(failure)[:1200]}")

    try:
        run()
    except Unsatisfiable:  # nothing to make invalid (no parameters, no body): no negative cases
        assert mode is GenerationMode.NEGATIVE


@pytest.mark.slow
@pytest.mark.commits
def test_schemathesis_finds_nothing(fuzz_app):
    app, tokens, known = fuzz_app
    warnings.filterwarnings("ignore")
    app.logger.setLevel(logging.CRITICAL)
    config = SchemathesisConfig.from_dict(
        {
            "seed": 20261124,
            "checks": {"positive_data_acceptance": {"expected-statuses": POSITIVE_STATUSES}},
            # The bearer token is the role's own (sent with every case), not generated.
            "generation": {"with-security-parameters": False},
        }
    )
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", _fresh_contexts(app), config=config)
    load_all_checks()
    checks = CHECKS.get_all()
    cases: Counter = Counter()
    failures: dict[tuple[str, str], str] = {}
    operations = 0

    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        names = re.findall(r"{(\w+)}", operation.path)
        real = {name: known[name] for name in names if name in known}
        passes = [None] + ([real] if names and len(real) == len(names) else [])
        for role, token in tokens.items():
            secret = EVENTS_SECRET if "/jitsi/events/" in operation.path else token
            for path_parameters in passes:
                for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                    _fuzz(operation, mode, path_parameters, role, secret, checks, cases, failures)

    total = sum(cases.values())
    print(f"\nschemathesis: {operations} operations, {total} cases {dict(cases)}, {len(failures)} failures")
    report = "\n\n".join(f"{label}: {first}\n{detail}" for (label, first), detail in failures.items())
    assert operations >= 50
    assert sum(cases.values()) >= 1000, cases
    assert not failures, f"{len(failures)} failures in {sum(cases.values())} cases:\n{report}"


def test_document_describes_api_md_errors_on_every_operation(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    error = spec["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]
    detail = spec["components"]["schemas"][error["properties"]["error"]["$ref"].rsplit("/", 1)[1]]
    assert sorted(detail["required"]) == ["code", "details", "message"]
    responses = spec["components"]["responses"]
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            answers = operation["responses"]
            assert "default" not in answers, (method, path)
            for status in ("422", "503") + (("401", "403") if operation.get("security") != [] else ()):
                if status == "422" and not (operation.get("parameters") or item.get("parameters")
                                            or "requestBody" in operation):
                    continue
                if status == "403" and path == "/api/v1/me":
                    continue
                name = answers[status]["$ref"].rsplit("/", 1)[1]
                assert responses[name]["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/Error"
                }, (method, path, status)
    pair = spec["paths"]["/api/v1/tablet/pair"]["post"]["responses"]
    assert {"413", "422", "429"} <= set(pair) and "401" not in pair
    session = spec["components"]["schemas"]["Session"]
    assert {"id", "status", "version", "center_ids", "room"} <= set(session["required"])
    row = spec["components"]["schemas"]["ReportRow"]
    assert "week_start" not in row["required"] and "key" in row["required"]
    assert "409" in spec["paths"]["/api/v1/sessions/{session_id}"]["patch"]["responses"]
    # The app serves the same document every time (finishing it must not change the spec).
    assert client.get("/api/v1/openapi.json").get_json() == spec
