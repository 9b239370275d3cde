"""The tablet's help button without JavaScript: a form POST with CSRF, then the tablet's screen
with "도움을 요청했습니다 — 담당자가 연락드립니다"; outside the window it says why."""

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from app import clock
from app.auth.models import Role
from app.extensions import db
from centers.live.models import HelpRequest
from tests.conftest import csrf_token
from tests.factories import CenterFactory, SessionFactory, UserFactory

START = datetime(2026, 11, 24, 10, 0, tzinfo=clock.SEOUL)
DONE = "도움을 요청했습니다 — 담당자가 연락드립니다"


@pytest.fixture
def world(login_as):
    clock.freeze(START + timedelta(minutes=3))
    center = CenterFactory()
    session = SessionFactory(centers=[center])
    manager = UserFactory(role=Role.CENTER_MANAGER, center_id=center.id)
    return {"center": center, "session": session, "client": login_as(manager)}


def _count():
    return db.session.scalar(sa.select(sa.func.count()).select_from(HelpRequest))


def test_the_home_offers_the_form_and_a_post_asks_for_help(world):
    client, session = world["client"], world["session"]
    page = client.get("/tablet").get_data(as_text=True)
    action = f'action="/tablet/sessions/{session.id}/help"'
    assert page.count(action) == 2  # the home's hero and the room's bar
    assert 'name="csrf_token"' in page
    response = client.post(f"/tablet/sessions/{session.id}/help",
                           data={"csrf_token": csrf_token(client, "/tablet")})
    assert response.status_code == 303 and response.location.endswith("/tablet")
    assert DONE in client.get("/tablet").get_data(as_text=True)  # the flash, then the open state
    assert DONE in client.get("/tablet").get_data(as_text=True)  # still open: said in place
    assert _count() == 1
    client.post(f"/tablet/sessions/{session.id}/help", data={"csrf_token": csrf_token(client, "/tablet")})
    assert _count() == 1  # asking again changes nothing


def test_without_csrf_nothing_is_asked(world):
    response = world["client"].post(f"/tablet/sessions/{world['session'].id}/help", data={})
    assert response.status_code in (302, 303, 400)
    assert _count() == 0


def test_outside_the_window_the_button_is_gone_and_a_post_says_why(world):
    client, session = world["client"], world["session"]
    token = csrf_token(client, "/tablet")
    clock.freeze(START + timedelta(minutes=61))
    assert f"/tablet/sessions/{session.id}/help" not in client.get("/tablet").get_data(as_text=True)
    response = client.post(f"/tablet/sessions/{session.id}/help", data={"csrf_token": token},
                           follow_redirects=True)
    assert response.status_code == 200
    assert "도움 요청은 수업 시작 15분 전부터 끝날 때까지 보낼 수 있습니다." in response.get_data(as_text=True)
    assert _count() == 0


def test_fifteen_minutes_before_the_start_the_button_is_there(world):
    clock.freeze(START - timedelta(minutes=15))
    page = world["client"].get("/tablet").get_data(as_text=True)
    assert f'action="/tablet/sessions/{world["session"].id}/help"' in page


def test_other_roles_see_no_help_button_on_pages(world):
    from flask import render_template_string

    coordinator = UserFactory(role=Role.COORDINATOR)
    with world["client"].application.test_request_context():
        from flask_login import login_user

        login_user(coordinator)
        assert render_template_string("{{ help_button(s) }}", s=world["session"]) == "None"
