import pytest

from app import config as app_config
from app import create_app


def test_local_run_generates_and_keeps_a_secret_key(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("IEUM_ENV", raising=False)
    first = app_config.load(tmp_path, None)
    second = app_config.load(tmp_path, None)
    assert len(first["SECRET_KEY"]) >= 40
    assert first["SECRET_KEY"] == second["SECRET_KEY"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert first["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'ieum.db'}"


def test_database_url_switches_the_database(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u@db/ieum")
    config = app_config.load(tmp_path, None)
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db/ieum"


@pytest.mark.parametrize("env", [{}, {"SECRET_KEY": "x" * 40}, {"DATABASE_URL": "postgresql+psycopg://u@db/x"}])
def test_production_refuses_to_start_without_its_secrets(tmp_path, monkeypatch, env):
    for key in ("SECRET_KEY", "DATABASE_URL"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("IEUM_ENV", "production")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(app_config.ConfigError):
        app_config.load(tmp_path, None)
    assert not (tmp_path / "secret_key").exists()


def test_production_starts_with_its_secrets(tmp_path, monkeypatch):
    monkeypatch.setenv("IEUM_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "s" * 48)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'p.db'}")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://ieum.example.org")
    app = create_app()
    assert app.config["SECRET_KEY"] == "s" * 48
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_create_app_takes_overrides(tmp_path):
    app = create_app(
        {"SECRET_KEY": "k" * 40, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'o.db'}", "TESTING": True}
    )
    assert app.testing and app.config["SECRET_KEY"] == "k" * 40
