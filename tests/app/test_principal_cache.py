"""Who the caller is, from the cache (app/auth/principals.py): warm requests load the user
without SQL, and every change that can alter who a cookie or token lets in (or what /me says)
is seen by the next request. Each invalidation test first proves the cache is used (the warm
request runs no SQL), then changes through the real service, page or API."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app import clock
from app.auth import principals
from app.auth.models import ApiToken, Role, User, hash_token
from app.cache import cache
from app.extensions import db
from centers.tablet import services as tablet
from centers.tablet.models import TabletDevice
from tests.conftest import csrf_token
from tests.factories import CenterFactory, CountyFactory, UserFactory

ME = "/api/v1/me"


def _warm(client, count_queries, headers=None) -> dict:
    """/me twice: the first fills the cache, the second is answered with no SQL at all."""
    assert client.get(ME, headers=headers).status_code == 200
    with count_queries() as statements:
        response = client.get(ME, headers=headers)
    assert response.status_code == 200
    assert statements == [], statements
    return response.json


def _refused_without_sql(client, count_queries, headers=None) -> None:
    with count_queries() as statements:
        response = client.get(ME, headers=headers)
    assert response.status_code == 401
    assert statements == [], statements


@pytest.fixture
def admin_headers(make_token):
    return make_token(UserFactory(role=Role.ADMIN))


@pytest.fixture
def kim():
    return UserFactory(username="kim", display_name="김순자", role=Role.COORDINATOR)


def _login_copy(app, client, login_as, user):
    """Log ``client`` in and return a second client holding the same session cookie."""
    login_as(user)
    other = app.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    return other


# --- warm answers ---------------------------------------------------------------------------


def test_me_with_a_bearer_token_runs_no_sql_when_warm(client, make_token, count_queries, kim):
    me = _warm(client, count_queries, make_token(kim))
    assert me == {
        "id": kim.id, "username": "kim", "display_name": "김순자", "role": "coordinator",
        "county_id": None, "center_id": None, "instructor_id": None,
    }


def test_me_with_the_page_cookie_runs_no_sql_when_warm(client, login_as, count_queries, kim):
    login_as(kim)
    assert _warm(client, count_queries)["id"] == kim.id


@pytest.mark.commits
def test_a_warm_me_takes_no_database_connection(client, make_token, kim):
    """Not even a pool checkout (with its pre-ping): the request never needs the database."""
    headers = make_token(kim)
    assert client.get(ME, headers=headers).status_code == 200
    checkouts = []
    listener = lambda *args: checkouts.append(args)  # noqa: E731
    sa.event.listen(db.engine, "checkout", listener)
    try:
        assert client.get(ME, headers=headers).status_code == 200
    finally:
        sa.event.remove(db.engine, "checkout", listener)
    assert checkouts == []
    assert client.get("/healthz").status_code == 200


def test_a_managers_page_loads_the_user_without_sql(client, login_as, count_queries):
    center = CenterFactory()
    manager = UserFactory(role=Role.CENTER_MANAGER, center_id=center.id, county_id=center.county_id)
    login_as(manager)
    assert client.get("/home").status_code == 200
    with count_queries() as statements:
        response = client.get("/home")
    assert response.status_code == 200
    assert not [s for s in statements if "users" in s], statements


def test_the_rebuilt_user_still_loads_what_the_snapshot_leaves_out(client, make_token, kim, app):
    """Columns and relationships outside the snapshot load lazily from the database."""
    headers = make_token(kim)
    client.get(ME, headers=headers)
    with app.test_request_context(headers=headers):
        user = principals.user_for_token(headers["Authorization"].split()[1], clock.now())
        assert sa.inspect(user).persistent
        assert user.check_password("ieum-demo-1234")
        assert [t.name for t in user.tokens] == ["test"]


def test_last_used_at_is_written_once_per_interval(client, make_token, kim, count_queries):
    headers = make_token(kim)
    start = clock.now()
    clock.freeze(start)
    client.get(ME, headers=headers)
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.user_id == kim.id))
    assert token.last_used_at == start
    clock.freeze(start + timedelta(minutes=4))
    _warm(client, count_queries, headers)
    clock.freeze(start + timedelta(minutes=6))
    with count_queries() as statements:
        assert client.get(ME, headers=headers).status_code == 200
    assert [s for s in statements if s.startswith("UPDATE api_tokens")], statements
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).last_used_at == start + timedelta(minutes=6)
    _warm(client, count_queries, headers)


def test_nothing_secret_is_cached(client, make_token, kim):
    headers = make_token(kim)
    client.get(ME, headers=headers)
    token = headers["Authorization"].split()[1]
    snapshot = cache.get(principals.user_key(kim.id))
    entry = cache.get(principals.token_key(hash_token(token)))
    assert snapshot["session_epoch"] == kim.session_epoch and "password_hash" not in snapshot
    assert token not in str(entry) and set(entry) == {"v", "g", "id", "user_id", "expires_at", "used_at", "user"}
    assert "password_hash" not in entry["user"]


def test_the_cache_is_off_in_process_unless_asked(app_config, client, make_token, kim, count_queries):
    """``auto`` trusts only a shared cache: the in-process one would miss other workers' deletes."""
    app_config(PRINCIPAL_CACHE="auto")
    headers = make_token(kim)
    client.get(ME, headers=headers)
    with count_queries() as statements:
        assert client.get(ME, headers=headers).status_code == 200
    assert statements


# --- invalidation: one test per change ----------------------------------------------------


def test_sign_out_refuses_the_warm_cookie(app, client, login_as, count_queries, kim):
    other = _login_copy(app, client, login_as, kim)
    _warm(other, count_queries)
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/home")})
    assert other.get(ME).status_code == 401


def test_deactivation_refuses_the_warm_token_and_cookie(
    app, client, login_as, make_token, admin_headers, count_queries, kim
):
    headers = make_token(kim)
    other = _login_copy(app, client, login_as, kim)
    _warm(other, count_queries, headers)
    _warm(other, count_queries)
    api = app.test_client()
    assert api.patch(f"/api/v1/users/{kim.id}", json={"active": False}, headers=admin_headers).status_code == 200
    assert other.get(ME, headers=headers).status_code == 401
    assert other.get(ME).status_code == 401


def test_reactivation_lets_the_warm_refused_token_in_again(
    app, make_token, admin_headers, count_queries, kim, monkeypatch
):
    monkeypatch.setattr(principals, "CLOCK_SLACK_SECONDS", 0)  # fill right after the write
    headers = make_token(kim)
    api = app.test_client()
    assert api.patch(f"/api/v1/users/{kim.id}", json={"active": False}, headers=admin_headers).status_code == 200
    assert api.get(ME, headers=headers).status_code == 401
    _refused_without_sql(api, count_queries, headers)  # the inactive user is cached too
    assert api.patch(f"/api/v1/users/{kim.id}", json={"active": True}, headers=admin_headers).status_code == 200
    assert api.get(ME, headers=headers).status_code == 200


def test_a_new_password_refuses_the_warm_cookie(app, client, login_as, admin_headers, count_queries, kim):
    other = _login_copy(app, client, login_as, kim)
    _warm(other, count_queries)
    response = app.test_client().patch(
        f"/api/v1/users/{kim.id}", json={"password": "a-fresh-password-9"}, headers=admin_headers
    )
    assert response.status_code == 200
    assert other.get(ME).status_code == 401


def test_a_revoked_token_is_refused_at_once(app, make_token, admin_headers, count_queries, kim):
    headers = make_token(kim)
    api = app.test_client()
    _warm(api, count_queries, headers)
    token_id = api.get(f"/api/v1/users/{kim.id}/tokens", headers=admin_headers).json[0]["id"]
    assert api.delete(f"/api/v1/tokens/{token_id}", headers=admin_headers).status_code == 204
    assert api.get(ME, headers=headers).status_code == 401


def test_a_token_revoked_on_the_admin_page_is_refused_at_once(
    app, client, login_as, make_token, count_queries, kim
):
    headers = make_token(kim)
    api = app.test_client()
    _warm(api, count_queries, headers)
    login_as(UserFactory(role=Role.ADMIN))
    token_id = db.session.scalar(sa.select(ApiToken.id).where(ApiToken.user_id == kim.id))
    page = f"/auth/tokens/{token_id}/revoke"
    assert client.post(page, data={"csrf_token": csrf_token(client, page)}).status_code == 302
    assert api.get(ME, headers=headers).status_code == 401


def test_an_expired_token_is_refused_by_the_cached_expiry(app, kim, count_queries):
    from app.auth.services import issue_token

    token = issue_token(None, kim, name="short", expires_in_days=1)
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    api = app.test_client()
    _warm(api, count_queries, headers)
    clock.freeze(clock.now() + timedelta(days=1, seconds=1))
    _refused_without_sql(api, count_queries, headers)


def test_a_display_name_change_shows_at_once(app, make_token, admin_headers, count_queries, kim):
    headers = make_token(kim)
    api = app.test_client()
    assert _warm(api, count_queries, headers)["display_name"] == "김순자"
    response = api.patch(f"/api/v1/users/{kim.id}", json={"display_name": "김순자 코디"}, headers=admin_headers)
    assert response.status_code == 200
    assert api.get(ME, headers=headers).json["display_name"] == "김순자 코디"


def test_a_role_and_scope_change_shows_at_once(app, make_token, count_queries, kim):
    """There is no service that changes a role: any ORM write to the user is seen."""
    headers = make_token(kim)
    api = app.test_client()
    assert _warm(api, count_queries, headers)["role"] == "coordinator"
    county = CountyFactory()
    user = db.session.get(User, kim.id)
    user.role, user.county_id = Role.COUNTY_VIEWER.value, county.id
    db.session.commit()
    me = api.get(ME, headers=headers).json
    assert (me["role"], me["county_id"]) == ("county_viewer", county.id)


def test_a_center_change_shows_at_once(app, make_token, count_queries):
    first, second = CenterFactory(), CenterFactory()
    manager = UserFactory(role=Role.CENTER_MANAGER, center_id=first.id, county_id=first.county_id)
    headers = make_token(manager)
    api = app.test_client()
    assert _warm(api, count_queries, headers)["center_id"] == first.id
    user = db.session.get(User, manager.id)
    user.center_id, user.county_id = second.id, second.county_id
    db.session.commit()
    assert api.get(ME, headers=headers).json["center_id"] == second.id


def test_a_bulk_update_of_users_refuses_every_cached_entry(app, make_token, count_queries, kim):
    headers = make_token(kim)
    api = app.test_client()
    _warm(api, count_queries, headers)
    db.session.execute(sa.update(User).where(User.id == kim.id).values(active=False))
    db.session.commit()
    assert api.get(ME, headers=headers).status_code == 401


def test_a_generation_lost_from_the_cache_refuses_every_entry(app, make_token, count_queries, kim):
    """Evicted or flushed, the generation takes every entry with it (none is filled without)."""
    headers = make_token(kim)
    api = app.test_client()
    _warm(api, count_queries, headers)
    cache.delete(principals.GENERATION_KEY)
    with count_queries() as statements:
        assert api.get(ME, headers=headers).status_code == 200
    assert statements  # read again from the database
    _warm(api, count_queries, headers)


def test_a_revoked_tablet_pairing_refuses_its_warm_token(app, client, count_queries):
    center = CenterFactory()
    coordinator = UserFactory(role=Role.COORDINATOR)
    with app.test_request_context():
        device, code = tablet.create_pairing(coordinator, center, "TV", source="api")
    db.session.commit()
    paired = client.post("/api/v1/tablet/pair", json={"code": code})
    assert paired.status_code == 201, paired.json
    headers = {"Authorization": f"Bearer {paired.json['token']}"}
    _warm(client, count_queries, headers)
    with app.test_request_context():
        tablet.revoke(coordinator, center, device.id)
    db.session.commit()
    assert client.get(ME, headers=headers).status_code == 401


def test_a_tablet_unpaired_on_the_center_page_refuses_its_warm_cookie(app, client, login_as, count_queries):
    center = CenterFactory()
    coordinator = UserFactory(role=Role.COORDINATOR)
    with app.test_request_context():
        device, code = tablet.create_pairing(coordinator, center, "TV", source="page")
    db.session.commit()
    tablet_client = app.test_client()
    form = {"csrf_token": csrf_token(tablet_client, "/tablet/pair"), "code": code}
    page = tablet_client.post("/tablet/pair", data=form)
    assert page.status_code == 302
    _warm(tablet_client, count_queries)
    login_as(coordinator)
    revoke = f"/centers/{center.id}/tablets/{device.id}/revoke"
    assert client.post(revoke, data={"csrf_token": csrf_token(client, revoke)}).status_code == 302
    assert db.session.get(TabletDevice, device.id).revoked_at is not None
    assert tablet_client.get(ME).status_code == 401
    assert tablet_client.get("/tablet").status_code == 302


def test_a_writer_that_commits_after_a_readers_read_fences_its_fill(app, make_token, kim):
    """The reader read the rows before the writer's commit; its late fill must not stick."""
    headers = make_token(kim)
    token, user = principals.token_key(hash_token(headers["Authorization"].split()[1])), principals.user_key(kim.id)
    read_at = principals.time.time()
    row = db.session.get(User, kim.id)
    row.active = False
    db.session.commit()  # the writer: deleted and fenced after its commit
    principals._fill({token: {"v": 1}, user: {"v": 1}}, read_at)
    assert cache.get(token) is None and cache.get(user) is None
    other = principals.user_key(kim.id + 1)  # nobody wrote that one
    principals._fill({other: {"v": 1}}, read_at)
    assert cache.get(other) == {"v": 1}
