from datetime import timedelta

import sqlalchemy as sa

from app import clock
from app.auth.models import User
from app.extensions import db
from centers.attendance.models import Attendance
from centers.care.models import FollowUp
from centers.directory.models import Center, County
from centers.members.models import Member
from programs.schedule.models import Session


def test_demo_seed_is_idempotent_and_complete(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "seed"])
    assert first.exit_code == 0, first.output
    counts = {
        m: db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in (County, Center, Member, Session, User)
    }
    second = runner.invoke(args=["demo", "seed"])
    assert second.exit_code == 0 and "(0 new)" in second.output
    assert counts == {m: db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in counts}
    assert counts[County] == 3 and counts[Center] == 9 and counts[User] == 5
    by_county = dict(
        db.session.execute(sa.select(County.name, sa.func.count(Center.id)).join(Center).group_by(County.name)).all()
    )
    assert by_county == {"봉화군": 4, "부안군": 4, "진도군": 1}
    assert db.session.scalar(sa.select(Center.id).where(Center.name.like("위도%")))
    for username in ("admin", "coordinator", "instructor", "manager", "county"):
        assert username in first.output
    sessions = list(db.session.scalars(sa.select(Session)))
    assert sessions and all(s.date.weekday() < 5 and s.status == "published" and s.room for s in sessions)
    assert min(s.date for s in sessions) < clock.today() - timedelta(weeks=3)  # a history to report on
    assert db.session.scalar(sa.select(sa.func.count(Attendance.id))) > 100
    # The story the county pages tell: Jindo's center went silent, a regular at 봉성2리 stopped coming.
    silent = db.session.scalars(sa.select(FollowUp).where(FollowUp.kind == "center_silent")).all()
    assert [db.session.get(Center, f.center_id).county.name for f in silent] == ["진도군"]
    first_center = db.session.scalar(sa.select(Center).where(Center.name == "봉성2리 경로당"))
    regular = db.session.scalar(sa.select(Member.id).where(Member.center_id == first_center.id).order_by(Member.id))
    assert db.session.scalar(
        sa.select(FollowUp.id).where(FollowUp.kind == "absence_streak", FollowUp.member_id == regular)
    )


def test_cli_creates_users_and_tokens(app, client):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "boss", "--role", "admin", "--password", "long-password"])
    assert result.exit_code == 0, result.output
    token = runner.invoke(args=["users", "token", "boss"]).output.strip().splitlines()[-1]
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json["username"] == "boss"
    short = runner.invoke(args=["users", "create", "x", "--role", "admin", "--password", "short"])
    assert short.exit_code != 0 and "password" in short.output
    unknown = runner.invoke(args=["users", "token", "nobody"])
    assert unknown.exit_code != 0
