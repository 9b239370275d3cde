"""Each status or kind is declared once: its CHECK constraint, validation, form choices and
labels come from one enumeration; each range is one constant; one published test."""

from datetime import date, time

import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from sqlalchemy.exc import IntegrityError

from app.auth.models import Role, User
from app.database import CodedEnum
from app.extensions import db
from app.labels import label
from centers.attendance.forms import AttendanceForm
from centers.attendance.models import Attendance, AttendanceStatus
from centers.care.models import FollowUp, FollowUpKind, FollowUpStatus
from centers.directory import scope as center_scope
from centers.directory.models import CAPACITY, HEADCOUNT, Center
from centers.members.models import Member, MemberStatus
from programs.catalog.forms import ProgramForm
from programs.catalog.models import DURATION_MINUTES, Category, Program
from programs.catalog.schemas import ProgramCreateSchema
from programs.schedule import scope as session_scope
from programs.schedule.models import Session, SessionStatus
from tests.factories import CenterFactory, InstructorFactory, ProgramFactory, SessionFactory

DECLARED = [
    (Session, "status", SessionStatus),
    (Program, "category", Category),
    (Attendance, "status", AttendanceStatus),
    (Member, "status", MemberStatus),
    (FollowUp, "kind", FollowUpKind),
    (FollowUp, "status", FollowUpStatus),
    (User, "role", Role),
]


def _check_sql(model, name: str) -> str:
    [check] = [
        c for c in model.__table__.constraints
        if isinstance(c, sa.CheckConstraint) and c.name.endswith(name)
    ]
    return str(check.sqltext)


@pytest.mark.parametrize(("model", "column", "codes"), DECLARED)
def test_the_check_constraint_lists_exactly_the_enumeration(model, column, codes):
    assert issubclass(codes, CodedEnum)
    sql = _check_sql(model, f"{column}_known")
    assert sorted(x.strip(" '") for x in sql.split("IN (")[1].rstrip(")").split(",")) == sorted(
        codes.values()
    )


@pytest.mark.parametrize(("model", "column", "codes"), DECLARED)
def test_every_member_has_a_korean_and_an_english_label(app, model, column, codes):
    with app.test_request_context():
        for member in codes:
            with force_locale("ko"):
                korean = member.label
            with force_locale("en"):
                english = member.label
            assert korean and english and korean != english, member
            assert label(codes, member.value) == member.label
        assert label(codes, "nonsense") == "nonsense"


def test_form_choices_and_schema_validation_come_from_the_enumeration(app):
    with app.test_request_context():
        assert [c.value for c in AttendanceForm().status.choices] == list(AttendanceStatus.values())
        assert [c.value for c in ProgramForm().category.choices] == list(Category.values())
    errors = ProgramCreateSchema().validate({"title": "x", "category": "sports"})
    assert "category" in errors
    errors = ProgramCreateSchema().validate(
        {"title": "x", "category": "health", "duration_minutes": DURATION_MINUTES.max + 1}
    )
    assert "duration_minutes" in errors


def test_the_database_refuses_an_unknown_code_and_an_out_of_range_value():
    center = CenterFactory()
    db.session.execute(sa.update(Center).where(Center.id == center.id).values(capacity=CAPACITY.max))
    db.session.commit()
    for stmt in (
        sa.update(Center).where(Center.id == center.id).values(capacity=CAPACITY.max + 1),
        sa.insert(Member).values(center_id=center.id, name="x", status="gone", note=""),
        sa.update(Program).values(duration_minutes=DURATION_MINUTES.min - 1),
    ):
        ProgramFactory()
        with pytest.raises(IntegrityError):
            db.session.execute(stmt)
        db.session.rollback()
    assert HEADCOUNT.min == 0 and HEADCOUNT.max == CAPACITY.max


def test_one_published_rule_a_cancelled_draft_shows_no_center_to_its_instructor():
    instructor = InstructorFactory()
    center = CenterFactory()
    session = SessionFactory(
        instructor=instructor, centers=[center], date=date(2026, 11, 24), start_time=time(10, 0)
    )
    session.status, session.published_at = "cancelled", None  # cancelled before publishing
    db.session.commit()
    user = User(username="inst", role=Role.INSTRUCTOR, instructor_id=instructor.id)
    visible = set(db.session.scalars(center_scope.visible_center_ids(user)))
    assert center.id not in visible
    assert not session.was_published
    assert db.session.scalar(
        session_scope.scope_sessions(sa.select(Session.id), user)
    ) is None
