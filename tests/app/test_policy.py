import pytest
import sqlalchemy as sa

from app.auth import policy
from app.auth.models import Role
from app.errors import Forbidden, NotFound
from app.extensions import db
from centers.directory import scope as center_scope
from centers.directory.models import Center, County
from centers.members import scope as member_scope
from programs.schedule import scope as session_scope
from programs.schedule.models import Session
from tests.factories import CenterFactory, CountyFactory, InstructorFactory, SessionFactory, UserFactory


@pytest.fixture
def world():
    north, south = CountyFactory(name="봉화군"), CountyFactory(name="진도군")
    a1, a2 = CenterFactory(county=north), CenterFactory(county=north)
    b1 = CenterFactory(county=south)
    teacher, other_teacher = InstructorFactory(), InstructorFactory()
    published = SessionFactory(instructor=teacher, centers=[a1])
    draft = SessionFactory(instructor=teacher, centers=[a1, b1], status="draft", published_at=None)
    elsewhere = SessionFactory(instructor=other_teacher, centers=[b1])
    return locals()


def centers_seen(user):
    return set(db.session.scalars(center_scope.scope_centers(sa.select(Center.id), user)))


def sessions_seen(user):
    return set(db.session.scalars(session_scope.scope_sessions(sa.select(Session.id), user)))


def test_staff_see_everything(world):
    for role in (Role.ADMIN, Role.COORDINATOR):
        user = UserFactory(role=role)
        assert centers_seen(user) == {world["a1"].id, world["a2"].id, world["b1"].id}
        assert sessions_seen(user) == {world["published"].id, world["draft"].id, world["elsewhere"].id}


def test_county_viewer_sees_its_county_and_no_drafts(world):
    viewer = UserFactory(role=Role.COUNTY_VIEWER, county_id=world["north"].id)
    assert centers_seen(viewer) == {world["a1"].id, world["a2"].id}
    assert sessions_seen(viewer) == {world["published"].id}
    assert set(db.session.scalars(center_scope.scope_counties(sa.select(County.id), viewer))) == {world["north"].id}
    with pytest.raises(Forbidden):
        center_scope.get_center(viewer, world["b1"].id)
    with pytest.raises(Forbidden):
        center_scope.get_county(viewer, world["south"].id)
    with pytest.raises(NotFound):
        center_scope.get_center(viewer, 999999)


def test_center_manager_sees_only_its_center(world):
    manager = UserFactory(role=Role.CENTER_MANAGER, center_id=world["a1"].id, county_id=world["north"].id)
    assert centers_seen(manager) == {world["a1"].id}
    assert sessions_seen(manager) == {world["published"].id}
    assert center_scope.can_manage_center(manager, world["a1"])
    assert not center_scope.can_manage_center(manager, world["a2"])


def test_instructor_sees_own_published_sessions_and_their_centers(world):
    user = UserFactory(role=Role.INSTRUCTOR, instructor_id=world["teacher"].id)
    assert sessions_seen(user) == {world["published"].id}
    assert centers_seen(user) == {world["a1"].id}
    assert not member_scope.can_see_member_names(user, world["a1"])


def test_member_names_follow_scope(world):
    viewer = UserFactory(role=Role.COUNTY_VIEWER, county_id=world["north"].id)
    assert member_scope.can_see_member_names(viewer, world["a1"])
    assert not member_scope.can_see_member_names(viewer, world["b1"])


def test_role_checks():
    coordinator = UserFactory(role=Role.COORDINATOR)
    policy.require_staff(coordinator)
    with pytest.raises(Forbidden):
        policy.require_admin(coordinator)
