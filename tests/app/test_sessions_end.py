"""Signing out, a new password, deactivation and revocation take effect at once (API.md):
the cookie, the remember-me cookie and the token used before answer 401 from then on."""

from app.auth.models import Role
from app.extensions import db
from tests.conftest import csrf_token
from tests.factories import UserFactory

REMEMBER = "remember_token"


def _login(client, username, remember=True):
    token = csrf_token(client)
    response = client.post(
        "/auth/login",
        data={
            "username": username, "password": "ieum-demo-1234", "csrf_token": token,
            "remember": "y" if remember else "",
        },
    )
    assert response.status_code == 302
    return client.get_cookie("session").value, (client.get_cookie(REMEMBER).value if remember else None)


def _me_with(app, session_cookie=None, remember_cookie=None):
    other = app.test_client()
    if session_cookie:
        other.set_cookie("session", session_cookie)
    if remember_cookie:
        other.set_cookie(REMEMBER, remember_cookie)
    return other.get("/api/v1/me").status_code


def test_logout_refuses_the_captured_cookie_and_remember_cookie(app, client):
    UserFactory(username="kim")
    session_cookie, remember_cookie = _login(client, "kim")
    assert _me_with(app, session_cookie) == 200
    assert _me_with(app, remember_cookie=remember_cookie) == 200
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/home")})
    assert _me_with(app, session_cookie) == 401
    assert _me_with(app, remember_cookie=remember_cookie) == 401
    assert _me_with(app, session_cookie, remember_cookie) == 401


def test_every_login_makes_a_new_remember_cookie(app):
    UserFactory(username="kim")
    _, first = _login(app.test_client(), "kim")
    _, second = _login(app.test_client(), "kim")
    assert first != second
    assert _me_with(app, remember_cookie=first) == 200 and _me_with(app, remember_cookie=second) == 200


def test_a_new_password_ends_the_old_sessions_not_the_tokens(app, client, make_token):
    admin_headers = make_token(UserFactory(role=Role.ADMIN))
    kim = UserFactory(username="kim")
    kim_token = make_token(kim)
    session_cookie, remember_cookie = _login(client, "kim")
    response = app.test_client().patch(
        f"/api/v1/users/{kim.id}", json={"password": "a-fresh-password-9"}, headers=admin_headers
    )
    assert response.status_code == 200
    assert _me_with(app, session_cookie) == 401
    assert _me_with(app, remember_cookie=remember_cookie) == 401
    assert app.test_client().get("/api/v1/me", headers=kim_token).status_code == 200
    other = app.test_client()
    token = csrf_token(other)
    ok = other.post("/auth/login", data={"username": "kim", "password": "a-fresh-password-9", "csrf_token": token})
    assert ok.status_code == 302


def test_deactivation_stops_cookies_and_tokens_and_reactivation_does_not_revive_them(app, client, make_token):
    admin_headers = make_token(UserFactory(role=Role.ADMIN))
    kim = UserFactory(username="kim")
    kim_token = make_token(kim)
    session_cookie, remember_cookie = _login(client, "kim")
    api = app.test_client()
    assert api.patch(f"/api/v1/users/{kim.id}", json={"active": False}, headers=admin_headers).json["active"] is False
    assert _me_with(app, session_cookie) == 401
    assert _me_with(app, remember_cookie=remember_cookie) == 401
    assert api.get("/api/v1/me", headers=kim_token).status_code == 401
    assert api.patch(f"/api/v1/users/{kim.id}", json={"active": True}, headers=admin_headers).status_code == 200
    assert _me_with(app, session_cookie) == 401
    assert _me_with(app, remember_cookie=remember_cookie) == 401
    assert api.get("/api/v1/me", headers=kim_token).status_code == 200  # tokens follow `active`


def test_revoked_token_is_refused_at_once(app, make_token):
    kim = UserFactory(username="kim")
    headers = make_token(kim)
    api = app.test_client()
    token_id = api.get(f"/api/v1/users/{kim.id}/tokens", headers=make_token(UserFactory(role=Role.ADMIN))).json[0]["id"]
    assert api.delete(f"/api/v1/tokens/{token_id}", headers=headers).status_code == 204  # its own user
    response = api.get("/api/v1/me", headers=headers)
    assert response.status_code == 401 and response.json["error"]["code"] == "unauthorized"


def test_a_cookie_without_the_epoch_is_refused(app):
    """Cookies made before session epochs (a bare user id) no longer sign anyone in."""
    kim = UserFactory(username="kim")
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(kim.id)
        session["_fresh"] = True
    assert client.get("/api/v1/me").status_code == 401
    db.session.expire_all()
