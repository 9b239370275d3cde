"""factory_boy factories for every model. Rows are committed so threads (live server) see them."""

from datetime import date, time

import factory
from factory.alchemy import SQLAlchemyModelFactory

from app import clock
from app.auth.models import Role, User
from app.extensions import db
from centers.attendance.models import Attendance
from centers.directory.models import Center, County, SupportPeriod
from centers.members.models import Member
from programs.catalog.models import Instructor, Program
from programs.rooms.models import VideoRoom
from programs.schedule.models import Closure, Session, SessionCenter

DEFAULT_PASSWORD = "ieum1234"


class Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"


class CountyFactory(Base):
    class Meta:
        model = County

    name = factory.Sequence(lambda n: f"시험{n}군")
    province = "경상북도"

    @factory.post_generation
    def support(obj, create, extracted, **kwargs):
        """A support period covering 2025-10-01..2027-09-30 unless ``support=[(start, end), …]``."""
        periods = extracted if extracted is not None else [(date(2025, 10, 1), date(2027, 9, 30))]
        for start, end in periods:
            obj.support_periods.append(SupportPeriod(start=start, end=end))
        if create:
            db.session.commit()


class CenterFactory(Base):
    class Meta:
        model = Center

    county = factory.SubFactory(CountyFactory)
    name = factory.Sequence(lambda n: f"시험{n}리 경로당")
    address = "경상북도 시험군 시험면"
    capacity = 30


class MemberFactory(Base):
    class Meta:
        model = Member

    center = factory.SubFactory(CenterFactory)
    name = factory.Sequence(lambda n: f"어르신{n}")
    birth_year = 1945


class InstructorFactory(Base):
    class Meta:
        model = Instructor

    name = factory.Sequence(lambda n: f"강사{n}")
    phone = "010-0000-0000"


class ProgramFactory(Base):
    class Meta:
        model = Program

    title = factory.Sequence(lambda n: f"프로그램 {n}")
    category = "leisure"
    description = ""
    duration_minutes = 60


class UserFactory(Base):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.LazyAttribute(lambda o: o.username)
    role = Role.COORDINATOR.value

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or DEFAULT_PASSWORD)
        if create:
            db.session.commit()


class SessionFactory(Base):
    """A published session on Tuesday 2026-11-24 at 10:00 (a weekday, no holiday)."""

    class Meta:
        model = Session

    program = factory.SubFactory(ProgramFactory)
    instructor = factory.SubFactory(InstructorFactory)
    date = date(2026, 11, 24)
    start_time = time(10, 0)
    duration_minutes = 60
    status = "published"
    published_at = factory.LazyFunction(clock.now)
    room = factory.LazyFunction(lambda: VideoRoom(name=VideoRoom.generate_name()))

    @factory.post_generation
    def centers(obj, create, extracted, **kwargs):
        """``SessionFactory(centers=[c1, c2])`` invites those centers."""
        for center in extracted or []:
            obj.invitations.append(SessionCenter(center_id=center.id))
        if create and extracted:
            db.session.commit()


class ClosureFactory(Base):
    class Meta:
        model = Closure

    date = date(2026, 11, 25)
    reason = "임시 휴관"


class AttendanceFactory(Base):
    class Meta:
        model = Attendance

    session_id = factory.LazyAttribute(lambda o: o.session_obj.id)
    center_id = factory.LazyAttribute(lambda o: o.center.id)
    session_date = factory.LazyAttribute(lambda o: o.session_obj.date)
    status = "attended"
    headcount = 10

    class Params:
        session_obj = None
        center = None


def user_for(role: str, **scope) -> User:
    """A user of ``role`` with its scope (county_id / center_id / instructor_id)."""
    return UserFactory(role=role, **scope)
