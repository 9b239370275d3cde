"""The instructor's view: today's and upcoming sessions, a moderator join, centers in the room."""

from datetime import date, timedelta

import pytest

from app import clock
from app.auth.models import Role
from app.extensions import db
from centers.presence import services as presence
from programs.schedule.models import Session
from tests.conftest import csrf_token
from tests.factories import (
    CenterFactory,
    CountyFactory,
    InstructorFactory,
    SessionFactory,
    UserFactory,
)

START = clock.local_datetime(date(2026, 11, 24), SessionFactory.start_time)


@pytest.fixture
def world():
    clock.freeze(START + timedelta(minutes=3))
    county = CountyFactory()
    a, b = CenterFactory(county=county), CenterFactory(county=county)
    instructor = InstructorFactory(name="김미숙")
    today = SessionFactory(centers=[a, b], instructor=instructor)
    later = SessionFactory(centers=[a], instructor=instructor, date=date(2026, 11, 26))
    someone_elses = SessionFactory(centers=[a])
    draft = SessionFactory(
        centers=[a],
        instructor=instructor,
        date=date(2026, 11, 27),
        status="draft",
        published_at=None,
    )
    teacher = UserFactory(role=Role.INSTRUCTOR, instructor_id=instructor.id)
    return locals()


def test_instructor_sees_today_and_upcoming_with_centers_in_the_room(client, login_as, world):
    session, a = world["today"], world["a"]
    presence.joined(
        session,
        occupant="jid:a@m/1",
        participant=f"center-{a.id}",
        center_id=a.id,
        at=clock.now(),
        source="jitsi",
    )
    db.session.commit()
    client.delete_cookie("session")
    login_as(world["teacher"])
    html = client.get("/rooms").get_data(as_text=True)
    assert "1 / 2곳" in html
    assert f'href="/rooms/{session.id}"' in html and "진행자로 입장" in html
    assert f'href="/rooms/{world["later"].id}"' in html
    assert f'href="/rooms/{world["someone_elses"].id}"' not in html
    assert f'href="/rooms/{world["draft"].id}"' not in html
    # The not-configured notice, in words an instructor can act on (no Jitsi jargon).
    assert "화상 연결이 아직 준비되지 않았습니다" in html and "JITSI" not in html
    assert 'href="/rooms"' in client.get("/home").get_data(as_text=True)  # in the menu


def test_room_page_lists_invited_centers_and_who_is_in(client, login_as, world):
    session, a, b = world["today"], world["a"], world["b"]
    presence.joined(
        session,
        occupant="tablet:1:x",
        participant=f"center-{b.id}",
        center_id=b.id,
        at=clock.now(),
        source="tablet",
    )
    db.session.commit()
    client.delete_cookie("session")
    login_as(world["teacher"])
    html = client.get(f"/rooms/{session.id}").get_data(as_text=True)
    assert "지금 1곳 접속 중 (초대 2곳)" in html
    assert a.name in html and b.name in html and session.room.name in html
    assert f'data-join-url="/api/v1/sessions/{session.id}/join"' in html
    assert "새 회의실 만들기" not in html  # instructors do not replace rooms
    assert client.get(f"/rooms/{world['someone_elses'].id}").status_code == 404


def test_other_roles_do_not_get_the_room_pages(client, login_as, world):
    login_as(UserFactory(role=Role.CENTER_MANAGER, center_id=world["a"].id))
    assert client.get("/rooms").status_code == 403
    assert client.get(f"/rooms/{world['today'].id}").status_code == 403


def test_coordinator_replaces_a_room_from_the_page(client, login_as, world):
    session = world["today"]
    old = session.room.name
    login_as(UserFactory(role=Role.COORDINATOR))
    html = client.get(f"/rooms/{session.id}").get_data(as_text=True)
    assert "새 회의실 만들기" in html
    response = client.post(
        f"/rooms/{session.id}/replace",
        data={"csrf_token": csrf_token(client, f"/rooms/{session.id}")},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Session, session.id).room.name != old


def test_instructor_cannot_replace_a_room(client, login_as, make_token, world):
    session = world["today"]
    old = session.room.name
    client.delete_cookie("session")
    login_as(world["teacher"])
    response = client.post(
        f"/rooms/{session.id}/replace",
        data={"csrf_token": csrf_token(client, f"/rooms/{session.id}")},
    )
    assert response.status_code == 403
    assert (
        client.post(
            f"/api/v1/sessions/{session.id}/room", headers=make_token(world["teacher"])
        ).status_code
        == 403
    )
    coordinator = UserFactory(role=Role.COORDINATOR)
    body = client.post(f"/api/v1/sessions/{session.id}/room", headers=make_token(coordinator)).json
    assert body["session_id"] == session.id and body["name"] != old


def test_replacing_a_room_asks_to_confirm_first(client, login_as, world):
    session = world["today"]
    old = session.room.name
    login_as(UserFactory(role=Role.COORDINATOR))
    url = f"/rooms/{session.id}/replace"
    html = client.get(f"/rooms/{session.id}").get_data(as_text=True)
    assert f'href="{url}"' in html and f'action="{url}"' not in html
    confirm = client.get(url).get_data(as_text=True)
    assert "회의실을 새로 만들까요?" in confirm and 'method="post"' in confirm
    db.session.expire_all()
    assert db.session.get(type(session), session.id).room.name == old
    assert client.post(url, data={"csrf_token": csrf_token(client, url)}).status_code == 302
    db.session.expire_all()
    assert db.session.get(type(session), session.id).room.name != old
    client.delete_cookie("session")
    login_as(world["teacher"])
    assert client.get(url).status_code == 403  # the instructor may not replace it
