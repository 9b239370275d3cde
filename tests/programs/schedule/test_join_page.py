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
