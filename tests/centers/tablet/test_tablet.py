"""Pairing a center's tablet, its long-lived sign-in, revoking it, and its screen for today."""

import re
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app import clock
from app.audit import AuditLog
from app.auth.models import ApiToken, Role, User
from app.extensions import db
from centers.tablet import services as tablet
from centers.tablet.models import TabletDevice
from tests.conftest import csrf_token
from tests.factories import CenterFactory, SessionFactory, UserFactory

START = clock.local_datetime(SessionFactory.date, SessionFactory.start_time)
CODE_RE = re.compile(r'class="pairing__code"[^>]*>(\d{3}) (\d{3})<')


@pytest.fixture
def center():
    return CenterFactory(name="봉성2리 경로당")


def _make_code(client, login_as, user, center, label="거실 TV"):
    login_as(user)
    token = csrf_token(client, f"/centers/{center.id}")
    response = client.post(
        f"/centers/{center.id}/tablets", data={"csrf_token": token, "label": label}
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    html = response.get_data(as_text=True)
    match = CODE_RE.search(html)
    assert match, html[:2000]
    return "".join(match.groups()), html


def _pair(client, code):
    token = csrf_token(client, "/tablet/pair")
    return client.post("/tablet/pair", data={"csrf_token": token, "code": code})


def test_coordinator_makes_a_code_with_a_qr_and_only_its_hash_is_stored(client, login_as, center):
    coordinator = UserFactory(role=Role.COORDINATOR)
    code, html = _make_code(client, login_as, coordinator, center)
    assert len(code) == tablet.CODE_DIGITS
    assert "<svg" in html and 'aria-label="태블릿 연결 QR 코드"' in html
    with client.application.test_request_context():
        assert (
            tablet.qr_svg(f"http://localhost/tablet/pair?code={code}") in html
        )  # the QR carries the code
    assert "http://localhost/tablet/pair " in html
    device = db.session.scalars(sa.select(TabletDevice)).one()
    assert (
        device.pairing_code_hash == tablet.hash_code(code) and code not in device.pairing_code_hash
    )
    assert (
        device.label == "거실 TV"
        and device.center_id == center.id
        and device.created_by_id == coordinator.id
    )
    assert timedelta(minutes=14) < device.pairing_expires_at - clock.now() <= tablet.PAIRING_TTL


def test_the_centers_own_manager_may_pair_but_not_others(client, login_as, center):
    manager = UserFactory(role=Role.CENTER_MANAGER, center_id=center.id)
    _make_code(client, login_as, manager, center)
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/home")})
    for user, status in (
        (UserFactory(role=Role.CENTER_MANAGER, center_id=CenterFactory().id), 403),
        (UserFactory(role=Role.COUNTY_VIEWER, county_id=center.county_id), 403),
    ):
        login_as(user)
        response = client.post(
            f"/centers/{center.id}/tablets", data={"csrf_token": csrf_token(client, "/home")}
        )
        assert response.status_code == status
        client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/home")})
    assert db.session.scalar(sa.select(sa.func.count(TabletDevice.id))) == 1


def test_the_center_page_shows_the_tablet_section_only_to_those_who_manage(
    client, login_as, center
):
    viewer = UserFactory(role=Role.COUNTY_VIEWER, county_id=center.county_id)
    login_as(viewer)
    assert "tablets-title" not in client.get(f"/centers/{center.id}").get_data(as_text=True)
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/home")})
    login_as(UserFactory(role=Role.COORDINATOR))
    html = client.get(f"/centers/{center.id}").get_data(as_text=True)
    assert "tablets-title" in html and "태블릿 연결 코드 만들기" in html


def test_pairing_signs_the_tablet_in_as_its_own_user_for_a_year(client, login_as, center):
    code, _ = _make_code(client, login_as, UserFactory(role=Role.COORDINATOR), center)
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/home")})
    response = _pair(client, code)
    assert response.status_code == 302 and response.location.endswith("/tablet")
    cookie = client.get_cookie("remember_token")
    assert cookie is not None and cookie.expires.timestamp() - time.time() > 364 * 24 * 3600
    device = db.session.scalars(sa.select(TabletDevice)).one()
    user = db.session.get(User, device.user_id)
    assert (user.role, user.center_id, user.county_id) == (
        Role.CENTER_MANAGER,
        center.id,
        center.county_id,
    )
    assert (
        user.password_hash is None
        and device.paired_at is not None
        and device.pairing_code_hash is None
    )
    html = client.get("/tablet").get_data(as_text=True)
    assert center.name in html
    home = client.get("/home")  # a tablet that lands on the site's home goes to its own screen
    assert home.status_code == 302 and home.location.endswith("/tablet")
    # The code works once.
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/tablet")})
    again = _pair(client, code)
    assert again.status_code == 422 and "코드가 맞지 않거나 시간이 지났습니다" in again.get_data(
        as_text=True
    )


def test_wrong_and_expired_codes_are_refused(client, login_as, center):
    code, _ = _make_code(client, login_as, UserFactory(role=Role.COORDINATOR), center)
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/home")})
    wrong = "000000" if code != "000000" else "111111"
    assert _pair(client, wrong).status_code == 422
    assert _pair(client, "12").status_code == 422
    clock.freeze(clock.now() + tablet.PAIRING_TTL + timedelta(seconds=1))
    response = _pair(client, code)
    assert response.status_code == 422 and 'aria-invalid="true"' in response.get_data(as_text=True)
    assert (
        db.session.scalar(sa.select(sa.func.count(User.id)).where(User.username.like("tablet-%")))
        == 0
    )


def test_a_tablet_may_not_pair_other_tablets(client, login_as, center):
    code, _ = _make_code(client, login_as, UserFactory(role=Role.COORDINATOR), center)
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/home")})
    _pair(client, code)
    response = client.post(
        f"/centers/{center.id}/tablets", data={"csrf_token": csrf_token(client, "/tablet")}
    )
    assert response.status_code == 403


def test_revoking_deactivates_the_tablet_user_and_logs_it_out(client, login_as, app, center):
    coordinator = UserFactory(role=Role.COORDINATOR)
    code, _ = _make_code(client, login_as, coordinator, center)
    tablet_client = app.test_client()
    assert _pair(tablet_client, code).status_code == 302
    assert tablet_client.get("/tablet").status_code == 200
    device = db.session.scalars(sa.select(TabletDevice)).one()
    html = client.get(f"/centers/{center.id}").get_data(as_text=True)
    assert "연결 해제" in html and "거실 TV" in html
    response = client.post(
        f"/centers/{center.id}/tablets/{device.id}/revoke",
        data={"csrf_token": csrf_token(client, f"/centers/{center.id}")},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, device.user_id).active is False
    assert db.session.get(TabletDevice, device.id).revoked_at is not None
    # The tablet's session and remember cookie no longer sign it in.
    assert tablet_client.get("/tablet").status_code == 302
    assert tablet_client.get("/tablet").location.endswith("/tablet/pair")
    actions = db.session.scalars(
        sa.select(AuditLog.action).where(AuditLog.entity_type == "tablet_device")
    ).all()
    assert actions == ["tablet.pairing_code", "tablet.pair", "tablet.revoke"]


def test_api_pairing_returns_a_token_that_revoking_kills(client, make_token, center):
    coordinator = UserFactory(role=Role.COORDINATOR)
    with client.application.test_request_context():
        device, code = tablet.create_pairing(coordinator, center, "TV", source="api")
    db.session.commit()
    response = client.post("/api/v1/tablet/pair", json={"code": code})
    assert response.status_code == 201, response.json
    token = response.json["token"]
    assert response.json["center_id"] == center.id and response.json["device_id"] == device.id
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json
    assert me["role"] == "center_manager" and me["center_id"] == center.id
    refused = client.post("/api/v1/tablet/pair", json={"code": code})
    assert refused.status_code == 422 and refused.json["error"]["details"]["field"] == "code"
    with client.application.test_request_context():
        tablet.revoke(coordinator, center, device.id)
    db.session.commit()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert db.session.scalar(
        sa.select(ApiToken).where(ApiToken.user_id == response.json["user_id"])
    ).revoked_at


def test_pair_page_is_a_keypad_and_accepts_a_code_from_the_qr(client):
    html = client.get("/tablet/pair?code=123456").get_data(as_text=True)
    assert 'value="123456"' in html
    assert all(f'data-digit="{d}"' in html for d in "0123456789")
    assert (
        "tablet/_offline.html" not in html
    )  # the include is silent until attendance adds it


def test_tablet_home_shows_today_with_states(client, login_as, center):
    clock.freeze(START - timedelta(minutes=30))  # 09:30 Seoul
    early = SessionFactory(centers=[center], start_time=START.time().replace(hour=8))
    main = SessionFactory(centers=[center])
    SessionFactory(centers=[center], start_time=START.time().replace(hour=14), status="cancelled")
    SessionFactory(
        centers=[center],
        status="draft",
        published_at=None,
        start_time=START.time().replace(hour=16),
    )
    SessionFactory(centers=[CenterFactory()])  # another center's
    manager = UserFactory(role=Role.CENTER_MANAGER, center_id=center.id)
    login_as(manager)
    html = client.get("/tablet").get_data(as_text=True)
    assert html.count('class="tablet-item ') == 3  # no draft, no other center's
    assert (
        'data-state="ended"' in html
        and 'data-state="upcoming"' in html
        and 'data-state="cancelled"' in html
    )
    assert main.program.title in html and main.instructor.name in html
    assert (
        'id="join-button"' in html and "disabled" in html.split('id="join-button"')[1].split(">")[0]
    )
    assert "오전 9:50부터 들어갈 수 있습니다." in html
    assert f'href="/tablet/sessions/{early.id}/attendance"' in html
    assert f'href="/tablet/sessions/{main.id}/attendance"' not in html
    assert (
        'class="tablet-notice"' in html and "화상 연결이 아직 설정되지 않았습니다" in html
    )  # no Jitsi in tests
    assert "{% block" not in html and "tablet.css" in html


def test_join_button_opens_ten_minutes_before_the_start(client, login_as, app_config, center):
    app_config(JITSI_DOMAIN="meet.example.org", JITSI_APP_SECRET="s" * 40)
    session = SessionFactory(centers=[center])
    login_as(UserFactory(role=Role.CENTER_MANAGER, center_id=center.id))
    clock.freeze(START - timedelta(minutes=10))
    html = client.get("/tablet").get_data(as_text=True)
    button = html.split('id="join-button"')[1].split(">")[0]
    assert (
        "disabled" not in button
        and f"/api/v1/sessions/{session.id}/join?center_id={center.id}" in button
    )
    assert "tablet-notice" not in html
    assert f'href="/tablet/sessions/{session.id}/attendance"' not in html  # not started yet
    clock.freeze(START + timedelta(minutes=1))
    assert f"/tablet/sessions/{session.id}/attendance" in client.get("/tablet").get_data(
        as_text=True
    )


def test_a_human_manager_keeps_the_normal_home(client, login_as, center):
    login_as(UserFactory(role=Role.CENTER_MANAGER, center_id=center.id))
    assert client.get("/home").status_code == 200
    assert 'href="/tablet"' in client.get("/home").get_data(
        as_text=True
    )  # the menu links the tablet screen


def test_tablet_home_needs_a_center_and_sends_strangers_to_pairing(client, login_as):
    assert client.get("/tablet").location.endswith("/tablet/pair")
    login_as(UserFactory(role=Role.COORDINATOR))
    assert client.get("/tablet").status_code == 403


def test_an_empty_day_says_when_the_next_class_is(client, login_as, center):
    clock.freeze(START - timedelta(days=2))  # Sunday before the Tuesday session
    SessionFactory(centers=[center], status="draft", published_at=None, date=START.date() - timedelta(days=1))
    upcoming = SessionFactory(centers=[center])
    SessionFactory(centers=[CenterFactory()], date=START.date() - timedelta(days=1))  # another center's
    login_as(UserFactory(role=Role.CENTER_MANAGER, center_id=center.id))
    html = client.get("/tablet").get_data(as_text=True)
    assert "오늘은 수업이 없습니다." in html
    assert f"다음 수업: 11월 24일 (화) 오전 10:00 {upcoming.program.title}" in html


def test_revoking_asks_to_confirm_first(client, login_as, app, center):
    coordinator = UserFactory(role=Role.COORDINATOR)
    code, _ = _make_code(client, login_as, coordinator, center)
    assert _pair(app.test_client(), code).status_code == 302
    device = db.session.scalars(sa.select(TabletDevice)).one()
    url = f"/centers/{center.id}/tablets/{device.id}/revoke"
    html = client.get(f"/centers/{center.id}").get_data(as_text=True)
    assert f'href="{url}"' in html and f'action="{url}"' not in html  # the button only asks
    confirm = client.get(url)
    page = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and "연결을 해제할까요?" in page and 'method="post"' in page
    db.session.expire_all()
    assert db.session.get(TabletDevice, device.id).revoked_at is None  # asking changes nothing
    assert client.post(url, data={"csrf_token": csrf_token(client, url)}).status_code == 302
    db.session.expire_all()
    assert db.session.get(TabletDevice, device.id).revoked_at is not None
