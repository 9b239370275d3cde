"""Words people read: plural forms in English, no sequence numbers or Jitsi jargon, a tablet
list that does not say "join now" beside a button it cannot press."""

from datetime import UTC, datetime

from app import clock
from app.auth.models import Role
from tests.conftest import csrf_token
from tests.factories import CenterFactory, CountyFactory, SessionFactory, UserFactory


def test_the_picker_counts_centers_with_plural_forms(client, login_as):
    clock.freeze(datetime(2026, 11, 20, 0, 0, tzinfo=UTC))
    CenterFactory(county=CountyFactory(name="진도군"))
    two = CountyFactory(name="봉화군")
    CenterFactory(county=two), CenterFactory(county=two)
    login_as(UserFactory(role=Role.COORDINATOR))
    korean = client.get("/sessions/new?date=2026-11-24").get_data(as_text=True)
    assert "진도군 전체 (1곳)" in korean and "봉화군 전체 (2곳)" in korean
    client.post("/lang/en", data={"csrf_token": csrf_token(client, "/home"), "next": "/home"})
    english = client.get("/sessions/new?date=2026-11-24").get_data(as_text=True)
    assert "All of 진도군 (1 center)" in english and "All of 봉화군 (2 centers)" in english
    assert "(1 centers)" not in english


def test_the_session_form_shows_no_sequence_number(client, login_as):
    clock.freeze(datetime(2026, 11, 20, 0, 0, tzinfo=UTC))
    session = SessionFactory(centers=[CenterFactory()])
    login_as(UserFactory(role=Role.COORDINATOR))
    page = client.get(f"/sessions/{session.id}").get_data(as_text=True)
    assert "순번" not in page and "구독한 캘린더에 변경으로 알려집니다" in page


def test_the_instructor_sees_no_jitsi_jargon(app_config, client, login_as):
    app_config(JITSI_APP_SECRET=None, JITSI_PRIVATE_KEY=None, JITSI_PRIVATE_KEY_PATH=None)
    clock.freeze(datetime(2026, 11, 24, 0, 50, tzinfo=UTC))
    session = SessionFactory(centers=[CenterFactory()])
    login_as(UserFactory(role=Role.INSTRUCTOR, instructor_id=session.instructor_id))
    page = client.get("/rooms").get_data(as_text=True)
    assert "JITSI" not in page and "이음 운영자에게 알려 주세요" in page
