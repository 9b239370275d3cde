from app.extensions import db
from centers.attendance.models import Attendance
from centers.attendance.records import ensure_record
from tests.factories import CenterFactory, SessionFactory


def test_ensure_record_makes_one_row_and_returns_it_again():
    center = CenterFactory()
    session = SessionFactory(centers=[center])
    first = ensure_record(session, center.id)
    db.session.commit()
    assert first.status is None and first.headcount is None and first.session_date == session.date
    second = ensure_record(session, center.id)
    db.session.commit()
    assert second.id == first.id
    assert db.session.query(Attendance).count() == 1
