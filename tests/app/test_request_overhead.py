"""What every request pays, made once: the session cookie's serializer and the CSP are built per
key and per Jitsi configuration, and they follow a change of either."""

from app import security
from tests.factories import UserFactory


def test_the_session_serializer_is_made_once_per_key(app, app_config):
    cookies = app.session_interface
    assert isinstance(cookies, security.SessionCookies)
    first = cookies.get_signing_serializer(app)
    assert cookies.get_signing_serializer(app) is first
    app_config(SECRET_KEY="another-secret-key-for-this-test-only")
    assert cookies.get_signing_serializer(app) is not first


def test_a_new_secret_key_refuses_the_old_session_cookie(app, app_config, login_as, client):
    login_as(UserFactory(username="kim"))
    assert client.get("/api/v1/me").status_code == 200
    app_config(SECRET_KEY="another-secret-key-for-this-test-only")
    assert client.get("/api/v1/me").status_code == 401


def test_the_csp_follows_the_jitsi_configuration(app, app_config, client):
    app_config(JITSI_DOMAIN="meet.example.org")
    assert "frame-src https://meet.example.org" in client.get("/healthz").headers["Content-Security-Policy"]
    app_config(JITSI_DOMAIN="8x8.vc")
    policy = client.get("/healthz").headers["Content-Security-Policy"]
    assert "frame-src https://8x8.vc" in policy and "meet.example.org" not in policy
