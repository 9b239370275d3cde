"""Passwords: at least 10 characters and not common, everywhere one is set; production
guards: demo seed refused, a long SECRET_KEY and PUBLIC_BASE_URL required, no link that leaves
the app taken from the Host header."""

import pytest

from app import config as app_config
from app.auth.models import Role
from app.auth.services import check_password_policy, common_passwords
from app.errors import Invalid
from tests.conftest import csrf_token
from tests.factories import CenterFactory, UserFactory


def test_the_shipped_list_is_a_few_thousand_common_passwords():
    shipped = common_passwords()
    assert len(shipped) > 4000
    assert {"password", "12345678", "qwertyuiop", "1234567890", "password123"} <= shipped


@pytest.mark.parametrize(
    "weak", ["12345678", "password", "short", "1234567890", "QWERTYUIOP", "Password123", "1q2w3e4r5t"]
)
def test_weak_passwords_are_refused(weak):
    with pytest.raises(Invalid) as refused:
        check_password_policy(weak)
    assert refused.value.details["field"] == "password"


@pytest.mark.parametrize("good", ["ieum-demo-1234", "봉화 경로당 노래교실", "correct horse battery"])
def test_long_uncommon_passwords_pass(good):
    check_password_policy(good)


def test_api_refuses_weak_passwords(client, make_token):
    admin = make_token(UserFactory(role=Role.ADMIN))
    for weak in ("12345678", "password", "qwertyuiop"):
        body = {"username": "x", "password": weak, "role": "admin"}
        response = client.post("/api/v1/users", json=body, headers=admin)
        assert response.status_code == 422 and response.json["error"]["details"]["field"] == "password"
    body = {"username": "x", "password": "a-long-pass-7", "role": "admin"}
    ok = client.post("/api/v1/users", json=body, headers=admin)
    assert ok.status_code == 201


def test_cli_refuses_weak_passwords(app):
    result = app.test_cli_runner().invoke(args=["users", "create", "x", "--role", "admin", "--password", "password123"])
    assert result.exit_code != 0 and "password" in result.output


def test_admin_page_refuses_weak_passwords(client, login_as):
    login_as(UserFactory(role=Role.ADMIN))
    kim = UserFactory(username="kim")
    token = csrf_token(client, "/home")
    response = client.post(f"/auth/users/{kim.id}/password", data={"csrf_token": token, "password": "1234567890"})
    assert response.status_code == 422


def test_demo_seed_refuses_in_production(app, app_config):
    app_config(IEUM_ENV="production")
    result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code != 0 and "production" in result.output
    from app.auth.models import User

    assert User.query.count() == 0


def _production_env(monkeypatch, tmp_path, **env):
    monkeypatch.setenv("IEUM_ENV", "production")
    base = {"SECRET_KEY": "s" * 48, "DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}",
            "PUBLIC_BASE_URL": "https://ieum.example.org"}
    for key, value in {**base, **env}.items():
        if value is None:
            monkeypatch.delenv(key, raising=False)
        else:
            monkeypatch.setenv(key, value)


def test_production_refuses_a_short_secret_key(monkeypatch, tmp_path):
    _production_env(monkeypatch, tmp_path, SECRET_KEY="short")
    with pytest.raises(app_config.ConfigError, match="32 bytes"):
        app_config.load(tmp_path, None)
    _production_env(monkeypatch, tmp_path, SECRET_KEY="x" * 31)
    with pytest.raises(app_config.ConfigError):
        app_config.load(tmp_path, None)
    _production_env(monkeypatch, tmp_path, SECRET_KEY="x" * 32)
    assert app_config.load(tmp_path, None)["SECRET_KEY"] == "x" * 32


def test_production_refuses_to_start_without_public_base_url(monkeypatch, tmp_path):
    _production_env(monkeypatch, tmp_path, PUBLIC_BASE_URL=None)
    with pytest.raises(app_config.ConfigError, match="PUBLIC_BASE_URL"):
        app_config.load(tmp_path, None)


def test_links_that_leave_the_app_ignore_the_host_header(client, login_as, make_token, app_config):
    app_config(PUBLIC_BASE_URL="https://ieum.example.org")
    center = CenterFactory()
    coordinator = UserFactory(role=Role.COORDINATOR)
    headers = {**make_token(coordinator), "Host": "evil.example"}
    body = client.get(f"/api/v1/centers/{center.id}", headers=headers).json
    assert body["calendar_url"].startswith("https://ieum.example.org/")
    login_as(coordinator)
    token = csrf_token(client, f"/centers/{center.id}")
    html = client.post(f"/centers/{center.id}/tablets", data={"csrf_token": token}).get_data(as_text=True)
    assert "https://ieum.example.org/tablet/pair" in html and "http://localhost/tablet/pair" not in html
