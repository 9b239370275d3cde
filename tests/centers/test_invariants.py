"""The invariants the database keeps by itself (migration 0005): an attendance submission is
applied once per idempotency key, one open follow-up per case, 64-bit ids for the audit log and
room presence. Each is shown by writing directly, past the services."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app import audit
from app.auth.models import Role
from app.extensions import db
from centers import attendance, care
from centers.models import AttendanceSubmission, FollowUp
from centers.presence import RoomPresence
from tests.centers.test_attendance_api import AFTER_CLASS, make_world
from tests.factories import CenterFactory, MemberFactory, UserFactory


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


def _follow_up(center, member=None, kind="absence_streak", status="open"):
    return FollowUp(
        kind=kind,
        county_id=center.county_id,
        center_id=center.id,
        member_id=member.id if member else None,
        status=status,
        reason="시험",
    )


def test_one_open_follow_up_per_member_and_kind():
    center = CenterFactory()
    member = MemberFactory(center=center)
    db.session.add_all(
        [
            _follow_up(center, member, status="resolved"),
            _follow_up(center, member, status="resolved"),  # resolved ones may repeat
            _follow_up(center, member, status="open"),
            _follow_up(center, member, kind="attendance_drop", status="in_progress"),
        ]
    )
    db.session.commit()
    db.session.add(_follow_up(center, member, status="in_progress"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_one_open_silent_center_follow_up_per_center():
    center = CenterFactory()
    db.session.add(_follow_up(center, kind="center_silent"))
    db.session.commit()
    db.session.add(_follow_up(CenterFactory(), kind="center_silent"))  # another center: fine
    db.session.commit()
    db.session.add(_follow_up(center, kind="center_silent", status="in_progress"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_reopening_a_case_that_is_open_again_is_a_conflict_not_a_second_open_one():
    center = CenterFactory()
    member = MemberFactory(center=center)
    old = _follow_up(center, member, status="resolved")
    db.session.add_all([old, _follow_up(center, member, status="open")])
    db.session.commit()
    coordinator = UserFactory(role=Role.COORDINATOR)
    with pytest.raises(care.Conflict) as refused:
        care.update_follow_up(coordinator, old, status="in_progress")
    assert refused.value.status == 409
    db.session.rollback()
    assert db.session.scalar(
        sa.select(sa.func.count()).where(FollowUp.status.in_(care.ACTIVE))
    ) == 1


def test_scan_skips_a_case_already_open_through_the_index(monkeypatch):
    center = CenterFactory()
    member = MemberFactory(center=center)
    db.session.add(_follow_up(center, member, status="open"))
    db.session.commit()
    found = {"member_id": member.id, "center_id": center.id}
    monkeypatch.setattr(care, "attendance_drops", lambda as_of: [])
    monkeypatch.setattr(care.reports, "silent_centers", lambda *a, **k: [])
    # Another scan's view of the world: it did not see the open follow-up (read too early).
    monkeypatch.setattr(care, "_existing", lambda *a, **k: [])
    rows = [dict(found, present=3, last_present=AFTER_CLASS.date(),
                 missed_from=AFTER_CLASS.date(), missed_to=AFTER_CLASS.date())]
    monkeypatch.setattr(care, "absence_streaks", lambda as_of: rows)
    assert care.scan(AFTER_CLASS.date())["absence_streak"] == 0
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(FollowUp.id))) == 1


def test_audit_and_presence_ids_are_64_bit():
    big = 2**31 + 7
    db.session.add(audit.AuditLog(id=big, action="x", entity_type="x", source="system"))
    db.session.commit()
    assert db.session.get(audit.AuditLog, big).id == big
    columns = {
        t: {c["name"]: c["type"] for c in sa.inspect(db.engine).get_columns(t)}
        for t in ("audit_log", "room_presence")
    }
    expected = sa.BigInteger if db.engine.dialect.name == "postgresql" else sa.Integer
    assert all(isinstance(c["id"], expected) for c in columns.values())
    assert isinstance(RoomPresence.__table__.c.id.type.dialect_impl(db.engine.dialect), expected)
