from app.auth.models import ApiToken, Role, User
from app.extensions import db
from tests.factories import CenterFactory, UserFactory


def test_me_needs_a_valid_token(client, make_token):
    assert client.get("/api/v1/me").status_code == 401
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"
    assert response.json["error"]["message"] == "로그인이 필요합니다."


def test_me_answers_role_and_scope(client, make_token):
    center = CenterFactory()
    user = UserFactory(role=Role.CENTER_MANAGER, center_id=center.id, county_id=center.county_id)
    response = client.get("/api/v1/me", headers=make_token(user))
    assert response.status_code == 200
    assert response.json == {
        "id": user.id,
        "username": user.username,
        "display_name": user.username,
        "role": "center_manager",
        "county_id": center.county_id,
        "center_id": center.id,
        "instructor_id": None,
    }


def test_tokens_are_stored_hashed_and_can_be_revoked(client, make_token):
    user = UserFactory(role=Role.ADMIN)
    headers = make_token(user)
    plain = headers["Authorization"].split()[1]
    stored = db.session.query(ApiToken).one()
    assert stored.token_hash != plain and plain not in stored.token_hash
    stored.revoke()
    db.session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_english_messages_when_asked(client):
    response = client.get("/api/v1/me", headers={"Accept-Language": "en"})
    assert response.json["error"]["message"] == "Please log in."


def test_admin_creates_users_and_tokens(client, make_token):
    admin = UserFactory(role=Role.ADMIN)
    headers = make_token(admin)
    response = client.post(
        "/api/v1/users", json={"username": "kim", "password": "long-enough", "role": "coordinator"}, headers=headers
    )
    assert response.status_code == 201, response.json
    assert response.json["role"] == "coordinator" and "password" not in response.json
    user_id = response.json["id"]
    response = client.post(f"/api/v1/users/{user_id}/tokens", headers=headers)
    assert response.status_code == 201
    token = response.json["token"]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json["username"] == "kim"


def test_user_creation_errors(client, make_token):
    headers = make_token(UserFactory(role=Role.ADMIN))
    missing = client.post("/api/v1/users", json={"username": "a", "role": "admin"}, headers=headers)
    assert missing.status_code == 422
    assert missing.json["error"]["code"] == "invalid"
    assert missing.json["error"]["details"]["field"] == "password"

    bad_role = client.post(
        "/api/v1/users", json={"username": "a", "password": "a-long-pass-7", "role": "king"}, headers=headers
    )
    assert bad_role.status_code == 422 and bad_role.json["error"]["details"]["field"] == "role"

    no_scope = client.post(
        "/api/v1/users", json={"username": "a", "password": "a-long-pass-7", "role": "county_viewer"}, headers=headers
    )
    assert no_scope.status_code == 422 and no_scope.json["error"]["details"]["field"] == "county_id"

    unknown_center = client.post(
        "/api/v1/users",
        json={"username": "a", "password": "a-long-pass-7", "role": "center_manager", "center_id": 999},
        headers=headers,
    )
    assert unknown_center.status_code == 422 and unknown_center.json["error"]["details"]["field"] == "center_id"

    not_json = client.post("/api/v1/users", data="{nope", headers={**headers, "Content-Type": "application/json"})
    assert not_json.status_code == 422 and not_json.json["error"]["code"] == "invalid"

    first = client.post(
        "/api/v1/users", json={"username": "dup", "password": "a-long-pass-7", "role": "admin"}, headers=headers
    )
    assert first.status_code == 201
    second = client.post(
        "/api/v1/users", json={"username": "dup", "password": "a-long-pass-7", "role": "admin"}, headers=headers
    )
    assert second.status_code == 409 and second.json["error"]["code"] == "conflict"
    assert db.session.query(User).filter_by(username="a").count() == 0


def test_scope_ids_the_role_does_not_need_must_still_exist(client, make_token):
    # A coordinator given an unknown center_id failed on the foreign key (500).
    headers = make_token(UserFactory(role=Role.ADMIN))
    for field in ("county_id", "center_id", "instructor_id"):
        response = client.post(
            "/api/v1/users",
            json={"username": f"c-{field}", "password": "a-long-pass-7", "role": "coordinator", field: 99999},
            headers=headers,
        )
        assert response.status_code == 422, field
        assert response.json["error"]["code"] == "invalid"
        assert response.json["error"]["details"]["field"] == field
    assert db.session.query(User).filter(User.username.like("c-%")).count() == 0


def test_ids_too_large_for_the_database_are_404_in_paths_and_422_in_bodies(client, make_token):
    # Past INTEGER's range the database refused the lookup (500).
    headers = make_token(UserFactory(role=Role.ADMIN))
    huge = 2**31
    response = client.post(f"/api/v1/users/{huge}/tokens", headers=headers)
    assert response.status_code == 404 and response.json["error"]["code"] == "not_found"
    assert client.post(f"/api/v1/users/{huge - 1}/tokens", headers=headers).status_code == 404

    response = client.post(
        "/api/v1/users",
        json={"username": "big", "password": "a-long-pass-7", "role": "center_manager", "center_id": 10**30},
        headers=headers,
    )
    assert response.status_code == 422
    assert response.json["error"]["code"] == "invalid"
    assert response.json["error"]["details"]["field"] == "center_id"


def test_nul_characters_are_invalid_input(client, make_token):
    # PostgreSQL's text cannot hold NUL: the database refused the row (500 there).
    headers = make_token(UserFactory(role=Role.ADMIN))
    response = client.post(
        "/api/v1/users", json={"username": "a\x00b", "password": "a-long-pass-7", "role": "admin"}, headers=headers
    )
    assert response.status_code == 422
    assert response.json["error"]["code"] == "invalid"
    assert response.json["error"]["details"]["field"] == "username"
    response = client.get("/api/v1/sessions?status=draft%00", headers=headers)
    assert response.status_code == 422 and response.json["error"]["details"]["field"] == "status"
    assert db.session.query(User).filter(User.username.like("a%b")).count() == 0


def test_only_admins_manage_users(client, make_token):
    headers = make_token(UserFactory(role=Role.COORDINATOR))
    response = client.post(
        "/api/v1/users", json={"username": "x", "password": "a-long-pass-7", "role": "admin"}, headers=headers
    )
    assert response.status_code == 403 and response.json["error"]["code"] == "forbidden"
    assert client.post("/api/v1/users/1/tokens", headers=headers).status_code == 403


def test_token_for_unknown_user_is_404(client, make_token):
    headers = make_token(UserFactory(role=Role.ADMIN))
    response = client.post("/api/v1/users/9999/tokens", headers=headers)
    assert response.status_code == 404 and response.json["error"]["code"] == "not_found"


def test_unknown_api_route_and_malformed_id_are_json_404(client, make_token):
    headers = make_token(UserFactory(role=Role.ADMIN))
    for path in ("/api/v1/nothing", "/api/v1/centers/abc"):
        response = client.get(path, headers=headers)
        assert response.status_code == 404
        assert response.json["error"]["code"] == "not_found"


def test_session_cookie_api_writes_need_csrf(client, login_as):
    admin = UserFactory(role=Role.ADMIN)
    login_as(admin)
    assert client.get("/api/v1/me").json["username"] == admin.username
    response = client.post("/api/v1/users", json={"username": "z", "password": "a-long-pass-7", "role": "admin"})
    assert response.status_code == 403 and response.json["error"]["code"] == "forbidden"
    from tests.conftest import csrf_token

    token = csrf_token(client, "/home")
    response = client.post(
        "/api/v1/users", json={"username": "z", "password": "a-long-pass-7", "role": "admin"},
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 201


def test_openapi_document_lists_the_endpoints(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.json
    assert doc["openapi"].startswith("3.")
    for path in ("/api/v1/me", "/api/v1/users", "/api/v1/counties", "/api/v1/centers/{center_id}"):
        assert path in doc["paths"]
