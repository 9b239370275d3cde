"""The calendar events' link lands each role where it joins the class."""

from app.auth.models import Role
from tests.factories import CenterFactory, InstructorFactory, SessionFactory, UserFactory


def test_join_link_sends_each_role_to_its_room_page(client, login_as):
    center = CenterFactory()
    instructor = InstructorFactory()
    session = SessionFactory(centers=[center], instructor=instructor)
    cases = [
        (UserFactory(role=Role.CENTER_MANAGER, center_id=center.id, county_id=center.county_id), "/tablet"),
        (UserFactory(role=Role.INSTRUCTOR, instructor_id=instructor.id), f"/rooms/{session.id}"),
        (UserFactory(role=Role.COORDINATOR), f"/rooms/{session.id}"),
        (UserFactory(role=Role.COUNTY_VIEWER, county_id=center.county_id), f"/sessions/{session.id}"),
    ]
    for user, target in cases:
        login_as(user)
        response = client.get(f"/sessions/{session.id}/join")
        assert response.status_code == 302 and response.location == target, (user.role, response.location)
        client.delete_cookie("session")


def test_the_county_viewer_is_told_why_the_join_link_shows_the_session(client, login_as):
    center = CenterFactory()
    session = SessionFactory(centers=[center])
    login_as(UserFactory(role=Role.COUNTY_VIEWER, county_id=center.county_id))
    page = client.get(f"/sessions/{session.id}/join", follow_redirects=True).get_data(as_text=True)
    assert "군 담당자는 화상 수업에 들어가지 않습니다. 대신 수업 정보를 보여 드립니다." in page
    with client.session_transaction() as browser_session:
        browser_session["lang"] = "en"
    english = client.get(f"/sessions/{session.id}/join", follow_redirects=True).get_data(as_text=True)
    assert "County officers do not enter the video class" in english
