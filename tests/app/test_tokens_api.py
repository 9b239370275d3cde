"""API tokens and users as API.md's resources: expiry, list, revoke, PATCH, CLI and the admin page."""

from datetime import timedelta

from app import clock
from app.auth.models import ApiToken, Role, User
from app.extensions import db
from tests.conftest import csrf_token
from tests.factories import UserFactory


def test_issue_list_and_revoke(client, make_token):
    admin = make_token(UserFactory(role=Role.ADMIN))
    kim = UserFactory(username="kim")
    created = client.post(f"/api/v1/users/{kim.id}/tokens", json={"name": "county system"}, headers=admin)
    assert created.status_code == 201
    body = created.json
    assert set(body) == {"id", "token", "name", "expires_at"} and body["name"] == "county system"
    expires = db.session.get(ApiToken, body["id"]).expires_at
    assert timedelta(days=364) < expires - clock.now() <= timedelta(days=365)
    kim_headers = {"Authorization": f"Bearer {body['token']}"}
    assert client.get("/api/v1/me", headers=kim_headers).json["username"] == "kim"

    listed = client.get(f"/api/v1/users/{kim.id}/tokens", headers=admin)
    assert listed.status_code == 200
    assert [set(t) for t in listed.json] == [{"id", "name", "created_at", "last_used_at", "expires_at"}]
    assert body["token"] not in listed.get_data(as_text=True)
    assert listed.json[0]["last_used_at"] is not None

    assert client.delete(f"/api/v1/tokens/{body['id']}", headers=admin).status_code == 204
    assert client.get("/api/v1/me", headers=kim_headers).status_code == 401
    assert client.get(f"/api/v1/users/{kim.id}/tokens", headers=admin).json == []
    assert client.delete(f"/api/v1/tokens/{body['id']}", headers=admin).status_code == 404


def test_expiry_is_chosen_and_an_expired_token_is_refused(client, make_token):
    admin = make_token(UserFactory(role=Role.ADMIN))
    kim = UserFactory(username="kim")
    body = client.post(f"/api/v1/users/{kim.id}/tokens", json={"expires_in_days": 2}, headers=admin).json
    headers = {"Authorization": f"Bearer {body['token']}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    clock.freeze(clock.now() + timedelta(days=2, minutes=1))
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401 and response.json["error"]["code"] == "unauthorized"
    for bad in (0, -1, 100000, "x"):
        refused = client.post(f"/api/v1/users/{kim.id}/tokens", json={"expires_in_days": bad}, headers=admin)
        assert refused.status_code == 422 and refused.json["error"]["details"]["field"] == "expires_in_days"


def test_only_admins_or_the_owner(client, make_token):
    kim, lee = UserFactory(username="kim"), UserFactory(username="lee")
    kim_headers, lee_headers = make_token(kim), make_token(lee)
    lee_token_id = db.session.scalar(db.select(ApiToken.id).where(ApiToken.user_id == lee.id))
    assert client.delete(f"/api/v1/tokens/{lee_token_id}", headers=kim_headers).status_code == 404
    assert client.get("/api/v1/me", headers=lee_headers).status_code == 200
    assert client.get(f"/api/v1/users/{lee.id}/tokens", headers=kim_headers).status_code == 403
    assert client.post(f"/api/v1/users/{lee.id}/tokens", json={}, headers=kim_headers).status_code == 403
    assert client.patch(f"/api/v1/users/{lee.id}", json={"active": False}, headers=kim_headers).status_code == 403
    assert client.delete("/api/v1/tokens/1", headers={}).status_code == 401


def test_patch_user(client, make_token):
    admin_user = UserFactory(role=Role.ADMIN)
    admin = make_token(admin_user)
    kim = UserFactory(username="kim")
    response = client.patch(f"/api/v1/users/{kim.id}", json={"display_name": "김영희"}, headers=admin)
    assert response.status_code == 200 and response.json["display_name"] == "김영희"
    weak = client.patch(f"/api/v1/users/{kim.id}", json={"password": "password123"}, headers=admin)
    assert weak.status_code == 422 and weak.json["error"]["details"]["field"] == "password"
    assert client.patch("/api/v1/users/999999", json={"active": False}, headers=admin).status_code == 404
    myself = client.patch(f"/api/v1/users/{admin_user.id}", json={"active": False}, headers=admin)
    assert myself.status_code == 422 and myself.json["error"]["details"]["field"] == "active"
    assert client.patch(f"/api/v1/users/{kim.id}", json={"active": "maybe"}, headers=admin).status_code == 422


def test_cli_tokens_list_revoke_and_expiry(app):
    kim = UserFactory(username="kim")
    runner = app.test_cli_runner()
    issued = runner.invoke(args=["users", "token", "kim", "--name", "nightly", "--expires-in-days", "30"])
    assert issued.exit_code == 0, issued.output
    row = db.session.scalar(db.select(ApiToken).where(ApiToken.user_id == kim.id))
    assert timedelta(days=29) < row.expires_at - clock.now() <= timedelta(days=30)
    forever = runner.invoke(args=["users", "token", "kim", "--expires-in-days", "0"])
    assert forever.exit_code == 0
    listed = runner.invoke(args=["users", "tokens", "kim"])
    assert listed.exit_code == 0 and "nightly" in listed.output and "never" in listed.output
    assert issued.output.strip().splitlines()[-1] not in listed.output
    revoked = runner.invoke(args=["users", "revoke-token", str(row.id)])
    assert revoked.exit_code == 0
    db.session.expire_all()
    assert db.session.get(ApiToken, row.id).revoked_at is not None
    assert runner.invoke(args=["users", "revoke-token", "999999"]).exit_code != 0


def test_admin_page_deactivates_and_revokes_after_confirmation(client, login_as, make_token):
    admin = UserFactory(username="root", role=Role.ADMIN)
    kim = UserFactory(username="kim")
    kim_headers = make_token(kim)
    login_as(admin)
    listing = client.get("/auth/users").get_data(as_text=True)
    assert "kim" in listing and f"/auth/users/{kim.id}" in listing
    detail = client.get(f"/auth/users/{kim.id}").get_data(as_text=True)
    token_id = db.session.scalar(db.select(ApiToken.id).where(ApiToken.user_id == kim.id))
    assert f"/auth/tokens/{token_id}/revoke" in detail

    confirm = client.get(f"/auth/tokens/{token_id}/revoke")
    assert confirm.status_code == 200 and "폐기할까요" in confirm.get_data(as_text=True)
    assert client.post(f"/auth/tokens/{token_id}/revoke", data={}).status_code == 302  # no CSRF: refused
    assert client.get("/api/v1/me", headers=kim_headers).status_code == 200
    token = csrf_token(client, f"/auth/tokens/{token_id}/revoke")
    assert client.post(f"/auth/tokens/{token_id}/revoke", data={"csrf_token": token}).status_code == 302
    assert client.get("/api/v1/me", headers=kim_headers).status_code == 401

    assert "비활성화할까요" in client.get(f"/auth/users/{kim.id}/deactivate").get_data(as_text=True)
    client.post(f"/auth/users/{kim.id}/deactivate", data={"csrf_token": token})
    db.session.expire_all()
    assert db.session.get(User, kim.id).active is False

    weak = client.post(f"/auth/users/{kim.id}/password", data={"csrf_token": token, "password": "qwertyuiop"})
    assert weak.status_code == 422 and "흔한 비밀번호" in weak.get_data(as_text=True)


def test_admin_page_is_for_admins_and_in_english(client, login_as):
    login_as(UserFactory(username="kim"))
    assert client.get("/auth/users").status_code == 403
    client.get("/auth/logout")
    root = UserFactory(username="root", role=Role.ADMIN)
    client2 = client.application.test_client()
    token = csrf_token(client2)
    client2.post("/auth/login", data={"username": "root", "password": "ieum-demo-1234", "csrf_token": token})
    with client2.session_transaction() as session:
        session["lang"] = "en"
    html = client2.get(f"/auth/users/{root.id}").get_data(as_text=True)
    assert "API tokens" in html and "Change password" in html
