"""An attendance submission is applied once per idempotency key, and the database itself keeps
that (migration 0005: ``attendance_submissions``, primary key (record, client_ref)): shown by
writing directly, past the services."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app import audit
from app.auth.models import Role
from app.extensions import db
from centers.attendance import services as attendance
from centers.attendance.models import AttendanceSubmission
from tests.centers.attendance.test_attendance_api import AFTER_CLASS, make_world
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _request(app):
    with app.test_request_context():
        yield


def _submit(user, w, client_ref, headcount=5, minutes=0):
    return attendance.record_attendance(
        user,
        w["session"].id,
        w["center"].id,
        status="attended",
        headcount=headcount,
        client_ref=client_ref,
        recorded_at=AFTER_CLASS - timedelta(minutes=30 - minutes),
    )


def test_an_applied_submission_is_a_row_the_database_will_not_take_twice():
    w = make_world()
    coordinator = UserFactory(role=Role.COORDINATOR)
    first = _submit(coordinator, w, "tablet-1")
    db.session.commit()
    assert first.result == "recorded"
    [row] = db.session.scalars(sa.select(AttendanceSubmission)).all()
    assert (row.attendance_id, row.client_ref) == (first.record.id, "tablet-1")

    insert = sa.insert(AttendanceSubmission).values(
        attendance_id=first.record.id, client_ref="tablet-1", applied_at=AFTER_CLASS
    )
    with pytest.raises(IntegrityError):
        db.session.execute(insert)
    db.session.rollback()


def test_an_old_key_is_a_duplicate_after_later_corrections_without_reading_the_audit_log(
    monkeypatch,
):
    w = make_world()
    coordinator = UserFactory(role=Role.COORDINATOR)
    assert _submit(coordinator, w, "a", headcount=5).result == "recorded"
    assert _submit(coordinator, w, "b", headcount=6, minutes=1).result == "corrected"
    db.session.commit()
    monkeypatch.setattr(audit, "history", lambda *a, **k: pytest.fail("audit log scanned"))
    again = _submit(coordinator, w, "a", headcount=5)
    assert again.result == "duplicate" and again.record.headcount == 6
    # A submission that changed nothing (same content) was not applied: its key is not kept.
    assert _submit(coordinator, w, "c", headcount=6, minutes=2).result == "unchanged"
    keys = set(db.session.scalars(sa.select(AttendanceSubmission.client_ref)))
    assert keys == {"a", "b"}
