"""Who the caller is, across app servers: two apps sharing one Redis (TEST_REDIS_URL, db 11 by
default) see each other's revocations at once; with Redis unreachable the database answers."""

import os

import pytest
import redis
import sqlalchemy as sa

from app import create_app
from app.auth import principals
from app.auth.models import ApiToken, Role
from app.cache import cache
from app.extensions import db
from tests.conftest import FreshContextClient, _test_config, count_statements, csrf_token
from tests.factories import UserFactory

ME = "/api/v1/me"


@pytest.fixture
def kim():
    return UserFactory(username="kim", display_name="김순자", role=Role.COORDINATOR)


REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/11")


@pytest.fixture
def two_servers(app, database_url):
    """Two apps (two app servers) on the same database and one Redis, the principal cache on as
    in production (``auto``: Redis)."""
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    prefix = f"ieum-test-principals-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-{os.getpid()}:"
    servers = []
    for _ in range(2):
        server = create_app({
            **_test_config(database_url), "CACHE_REDIS_URL": REDIS_URL, "CACHE_KEY_PREFIX": prefix,
            "PRINCIPAL_CACHE": "auto",
        })
        server.test_client_class = FreshContextClient
        servers.append(server)
    try:
        yield servers
    finally:
        store = redis.Redis.from_url(REDIS_URL)
        keys = list(store.scan_iter(f"{prefix}*"))
        if keys:
            store.delete(*keys)
        for server in servers:
            with server.app_context():
                db.engine.dispose()


def _warm_on(app, headers=None, client=None) -> None:
    client = client or app.test_client()
    assert client.get(ME, headers=headers).status_code == 200
    with app.app_context():
        engine = db.engine
    with count_statements(engine) as statements:
        assert client.get(ME, headers=headers).status_code == 200
    assert statements == [], statements


@pytest.mark.commits
def test_a_token_revoked_on_one_server_is_refused_by_the_other_at_once(two_servers, kim, make_token):
    first, second = two_servers
    with second.app_context():
        assert principals.enabled() and cache.backend.name == "redis"
    headers = make_token(kim)
    admin = make_token(UserFactory(role=Role.ADMIN))
    _warm_on(second, headers)
    token_id = db.session.scalar(sa.select(ApiToken.id).where(ApiToken.user_id == kim.id))
    assert first.test_client().delete(f"/api/v1/tokens/{token_id}", headers=admin).status_code == 204
    assert second.test_client().get(ME, headers=headers).status_code == 401


@pytest.mark.commits
def test_a_user_deactivated_on_one_server_is_refused_by_the_other_at_once(two_servers, kim, make_token):
    first, second = two_servers
    headers = make_token(kim)
    admin = make_token(UserFactory(role=Role.ADMIN))
    cookie_client = second.test_client()
    token = csrf_token(cookie_client)
    assert cookie_client.post(
        "/auth/login", data={"username": "kim", "password": "ieum-demo-1234", "csrf_token": token}
    ).status_code == 302
    _warm_on(second, headers)
    _warm_on(second, client=cookie_client)
    response = first.test_client().patch(f"/api/v1/users/{kim.id}", json={"active": False}, headers=admin)
    assert response.status_code == 200
    assert second.test_client().get(ME, headers=headers).status_code == 401
    assert cookie_client.get(ME).status_code == 401


@pytest.mark.commits
def test_with_redis_unreachable_the_caller_is_read_from_the_database(app, database_url, kim, make_token):
    """Redis down is a miss: every request is checked against PostgreSQL, revocation included."""
    server = create_app({
        **_test_config(database_url), "CACHE_REDIS_URL": "redis://127.0.0.1:1/0", "PRINCIPAL_CACHE": "auto",
        "CACHE_REDIS_TIMEOUT": 0.05,
    })
    server.test_client_class = FreshContextClient
    try:
        headers = make_token(kim)
        admin = make_token(UserFactory(role=Role.ADMIN))
        api = server.test_client()
        assert api.get(ME, headers=headers).status_code == 200
        token_id = db.session.scalar(sa.select(ApiToken.id).where(ApiToken.user_id == kim.id))
        assert api.delete(f"/api/v1/tokens/{token_id}", headers=admin).status_code == 204
        assert api.get(ME, headers=headers).status_code == 401
    finally:
        with server.app_context():
            db.engine.dispose()
