"""``GET /api/v1/sessions/{id}/join``: who gets a token, as whom, and who gets 403/404."""

from datetime import UTC, datetime

import jwt
import pytest

from app.auth.models import Role
from app.extensions import db
from tests.factories import (
    CenterFactory,
    CountyFactory,
    InstructorFactory,
    SessionFactory,
    UserFactory,
)

SECRET = "join-api-test-secret-long-enough-for-hs256"


@pytest.fixture
def jitsi(app_config):
    return app_config(
        JITSI_MODE="selfhosted",
        JITSI_DOMAIN="meet.example.org",
        JITSI_APP_ID="ieum",
        JITSI_APP_SECRET=SECRET,
    )


@pytest.fixture
def world():
    county = CountyFactory()
    a, b, other = CenterFactory(county=county), CenterFactory(county=county), CenterFactory()
    session = SessionFactory(centers=[a, b])
    return {"county": county, "a": a, "b": b, "other": other, "session": session}


def _claims(token):
    return jwt.decode(
        token,
        SECRET,
        algorithms=["HS256"],
        audience="jitsi",
        options={"verify_exp": False, "verify_nbf": False},
    )


def _join(client, headers, session_id, **query):
    return client.get(f"/api/v1/sessions/{session_id}/join", headers=headers, query_string=query)


def test_center_manager_joins_as_own_center(client, make_token, jitsi, world):
    manager = UserFactory(role=Role.CENTER_MANAGER, center_id=world["a"].id)
    response = _join(client, make_token(manager), world["session"].id)
    assert response.status_code == 200, response.json
    body = response.json
    room = world["session"].room.name
    assert (
        body["room"] == room
        and body["display_name"] == world["a"].name
        and body["moderator"] is False
    )
    assert body["url"] == f"https://meet.example.org/{room}?jwt={body['jwt']}"
    assert (
        body["starts_at"] == "2026-11-24T10:00:00+09:00"
        and body["ends_at"] == "2026-11-24T11:00:00+09:00"
    )
    claims = _claims(body["jwt"])
    assert claims["room"] == room
    assert claims["context"]["user"]["id"] == f"center-{world['a'].id}"
    assert claims["context"]["user"]["name"] == world["a"].name
    assert claims["context"]["user"]["moderator"] is False
    # Naming the own center explicitly is the same.
    assert (
        _join(client, make_token(manager), world["session"].id, center_id=world["a"].id).status_code
        == 200
    )


def test_center_manager_cannot_join_for_another_center(client, make_token, jitsi, world):
    manager = UserFactory(role=Role.CENTER_MANAGER, center_id=world["a"].id)
    headers = make_token(manager)
    assert _join(client, headers, world["session"].id, center_id=world["b"].id).status_code == 403
    assert (
        _join(client, headers, world["session"].id, center_id=world["other"].id).status_code == 403
    )
    assert _join(client, headers, world["session"].id, center_id=999999).status_code == 404


def test_center_not_invited_gets_404(client, make_token, jitsi, world):
    outsider = UserFactory(role=Role.CENTER_MANAGER, center_id=world["other"].id)
    response = _join(client, make_token(outsider), world["session"].id)
    assert response.status_code == 404 and response.json["error"]["code"] == "not_found"


def test_instructor_of_the_session_is_moderator(client, make_token, jitsi, world):
    session = world["session"]
    teacher = UserFactory(role=Role.INSTRUCTOR, instructor_id=session.instructor_id)
    body = _join(client, make_token(teacher), session.id).json
    assert body["moderator"] is True and body["display_name"] == session.instructor.name
    user = _claims(body["jwt"])["context"]["user"]
    assert user["id"] == f"instructor-{session.instructor_id}" and user["moderator"] is True
    # An instructor cannot join in a center's name.
    assert (
        _join(client, make_token(teacher), session.id, center_id=world["a"].id).status_code == 403
    )


def test_another_instructor_gets_404(client, make_token, jitsi, world):
    stranger = UserFactory(role=Role.INSTRUCTOR, instructor_id=InstructorFactory().id)
    assert _join(client, make_token(stranger), world["session"].id).status_code == 404


def test_coordinator_is_moderator_or_joins_for_an_invited_center(client, make_token, jitsi, world):
    coordinator = UserFactory(role=Role.COORDINATOR, display_name="박코디")
    headers = make_token(coordinator)
    body = _join(client, headers, world["session"].id).json
    assert body["moderator"] is True and body["display_name"] == "박코디"
    assert _claims(body["jwt"])["context"]["user"]["id"] == f"user-{coordinator.id}"
    as_center = _join(client, headers, world["session"].id, center_id=world["b"].id).json
    assert as_center["moderator"] is False and as_center["display_name"] == world["b"].name
    assert (
        _join(client, headers, world["session"].id, center_id=world["other"].id).status_code == 404
    )


def test_county_viewer_and_anonymous_are_refused(client, make_token, jitsi, world):
    viewer = UserFactory(role=Role.COUNTY_VIEWER, county_id=world["county"].id)
    response = _join(client, make_token(viewer), world["session"].id)
    assert response.status_code == 403 and response.json["error"]["code"] == "forbidden"
    response = _join(client, {}, world["session"].id)
    assert response.status_code == 401 and response.json["error"]["code"] == "unauthorized"
    response = _join(client, {"Authorization": "Bearer nope"}, world["session"].id)
    assert response.status_code == 401


def test_missing_draft_and_cancelled_sessions(client, make_token, jitsi, world):
    manager = UserFactory(role=Role.CENTER_MANAGER, center_id=world["a"].id)
    coordinator = UserFactory(role=Role.COORDINATOR)
    assert _join(client, make_token(manager), 999999).status_code == 404
    draft = SessionFactory(centers=[world["a"]], status="draft", published_at=None)
    assert _join(client, make_token(manager), draft.id).status_code == 404  # drafts are invisible
    response = _join(client, make_token(coordinator), draft.id)
    assert response.status_code == 422 and response.json["error"]["details"]["field"] == "session"
    cancelled = SessionFactory(
        centers=[world["a"]], status="cancelled", cancelled_at=datetime(2026, 11, 20, tzinfo=UTC)
    )
    response = _join(client, make_token(manager), cancelled.id)
    assert response.status_code == 422 and response.json["error"]["code"] == "invalid"


def test_jwt_is_null_when_jitsi_is_not_configured(client, make_token, world):
    manager = UserFactory(role=Role.CENTER_MANAGER, center_id=world["a"].id)
    body = _join(client, make_token(manager), world["session"].id).json
    assert body["jwt"] is None and body["configured"] is False and body["url"] is None
    assert body["room"] == world["session"].room.name


def test_jaas_join_uses_the_app_id_in_the_room_path(client, make_token, app_config, world):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    app_config(
        JITSI_MODE="jaas",
        JITSI_APP_ID="vpaas-magic-cookie-abc",
        JITSI_KEY_ID="k1",
        JITSI_PRIVATE_KEY=pem,
    )
    manager = UserFactory(role=Role.CENTER_MANAGER, center_id=world["a"].id)
    body = _join(client, make_token(manager), world["session"].id).json
    room = world["session"].room.name
    assert body["domain"] == "8x8.vc" and body["iframe_room"] == f"vpaas-magic-cookie-abc/{room}"
    assert body["url"].startswith(f"https://8x8.vc/vpaas-magic-cookie-abc/{room}?jwt=")
    claims = jwt.decode(
        body["jwt"],
        key.public_key(),
        algorithms=["RS256"],
        audience="jitsi",
        options={"verify_exp": False, "verify_nbf": False},
    )
    assert (
        claims["room"] == room
        and claims["sub"] == "vpaas-magic-cookie-abc"
        and claims["iss"] == "chat"
    )


def test_join_is_in_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").json
    for path in (
        "/api/v1/sessions/{session_id}/join",
        "/api/v1/sessions/{session_id}/presence",
        "/api/v1/jitsi/events/{group}/{action}",
        "/api/v1/tablet/pair",
    ):
        assert path in spec["paths"], path
    db.session.rollback()
