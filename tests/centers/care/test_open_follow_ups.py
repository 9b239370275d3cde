"""At most one open (or in progress) follow-up per case, kept by the database itself (migration
0005: partial unique indexes on ``follow_ups``): shown by writing directly, past the services."""

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.auth.models import Role
from app.extensions import db
from centers.care import services as care
from centers.care.models import FollowUp
from tests.centers.attendance.test_attendance_api import AFTER_CLASS
from tests.factories import CenterFactory, MemberFactory, UserFactory


@pytest.fixture(autouse=True)
def _request(app):
    with app.test_request_context():
        yield


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
