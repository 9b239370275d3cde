"""A closure added after publishing acts on the published sessions of its day (API.md): cancel
when every invited center is closed, else uninvite the closed centers; SEQUENCE raised, audited,
listed in ``affected``; drafts untouched; the feed and the closures page show the change."""

from datetime import date, time

import icalendar
import pytest
import sqlalchemy as sa

from app.audit import AuditLog
from app.auth.models import Role
from app.extensions import db
from programs.schedule.models import Session
from tests.factories import (
    CenterFactory,
    ClosureFactory,
    CountyFactory,
    SessionFactory,
    UserFactory,
)

DAY = date(2026, 11, 25)  # a Wednesday


@pytest.fixture
def w(make_token):
    bonghwa, buan = CountyFactory(name="봉화군"), CountyFactory(name="부안군")
    a, b = CenterFactory(county=bonghwa, name="봉성2리 경로당"), CenterFactory(county=bonghwa)
    c = CenterFactory(county=buan, name="위도 경로당")
    both = SessionFactory(date=DAY, start_time=time(10, 0), centers=[a, c])
    bonghwa_only = SessionFactory(date=DAY, start_time=time(14, 0), centers=[a, b])
    draft = SessionFactory(
        date=DAY, start_time=time(16, 0), centers=[a, b], status="draft", published_at=None
    )
    other_day = SessionFactory(date=date(2026, 11, 26), centers=[a, b])
    coordinator = UserFactory(role=Role.COORDINATOR, username="coord")
    return {
        "a": a,
        "b": b,
        "c": c,
        "bonghwa": bonghwa,
        "both": both,
        "bonghwa_only": bonghwa_only,
        "draft": draft,
        "other_day": other_day,
        "coordinator": coordinator,
        "h": make_token(coordinator),
    }


def _reload(session):
    db.session.expire_all()
    return db.session.get(Session, session.id)


def test_county_closure_cancels_and_uninvites_and_answers_affected(client, w):
    before = {k: (w[k].sequence, w[k].version) for k in ("both", "bonghwa_only", "draft")}
    r = client.post(
        "/api/v1/closures",
        json={"date": DAY.isoformat(), "reason": "농번기 휴관", "county_id": w["bonghwa"].id},
        headers=w["h"],
    )
    assert r.status_code == 201, r.json
    assert r.json["county_id"] == w["bonghwa"].id
    assert r.json["affected"] == [
        {"session_id": w["both"].id, "action": "uninvited", "center_ids": [w["a"].id]},
        {
            "session_id": w["bonghwa_only"].id,
            "action": "cancelled",
            "center_ids": sorted([w["a"].id, w["b"].id]),
        },
    ]
    both, cancelled, draft = (_reload(w[k]) for k in ("both", "bonghwa_only", "draft"))
    assert both.status == "published" and both.center_ids == [w["c"].id]
    assert both.sequence == before["both"][0] + 1 and both.version > before["both"][1]
    assert cancelled.status == "cancelled" and cancelled.cancel_reason == "농번기 휴관"
    assert cancelled.sequence == before["bonghwa_only"][0] + 1
    assert (draft.status, draft.center_ids, draft.sequence, draft.version) == (
        "draft",
        sorted([w["a"].id, w["b"].id]),
        *before["draft"],
    )
    assert _reload(w["other_day"]).status == "published"
    actions = db.session.scalars(
        sa.select(AuditLog.action)
        .where(AuditLog.entity_type == "session")
        .order_by(AuditLog.entity_id)
    ).all()
    assert sorted(actions) == ["session.cancel", "session.uninvite"]


def test_a_closure_completing_the_closed_set_cancels(client, w):
    ClosureFactory(date=DAY, center_id=w["c"].id, reason="수리")
    r = client.post(
        "/api/v1/closures",
        json={"date": DAY.isoformat(), "reason": "봉화 휴관", "center_id": w["a"].id},
        headers=w["h"],
    )
    assert r.status_code == 201
    by_session = {e["session_id"]: e for e in r.json["affected"]}
    assert by_session[w["both"].id]["action"] == "cancelled"  # c was already closed
    assert by_session[w["bonghwa_only"].id] == {
        "session_id": w["bonghwa_only"].id,
        "action": "uninvited",
        "center_ids": [w["a"].id],
    }


def test_nothing_published_that_day_affects_nothing(client, w):
    r = client.post(
        "/api/v1/closures", json={"date": "2026-11-27", "reason": "x"}, headers=w["h"]
    )
    assert r.status_code == 201 and r.json["affected"] == []


def test_the_feed_shows_the_cancellation(client, w):
    url = f"/calendar/centers/{w['a'].id}.ics?key={w['a'].calendar_key}"
    client.post(
        "/api/v1/closures", json={"date": DAY.isoformat(), "reason": "임시 휴일"}, headers=w["h"]
    )
    cal = icalendar.Calendar.from_ical(client.get(url).data)
    events = [e for e in cal.walk("VEVENT") if e.decoded("dtstart").date() == DAY]
    assert events and all(str(e["status"]) == "CANCELLED" for e in events)
    assert all(int(e["sequence"]) >= 1 for e in events)


def test_the_closures_page_says_what_changed(client, login_as, w):
    login_as(w["coordinator"])
    page = client.get("/closures").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post(
        "/closures",
        data={
            "csrf_token": token,
            "date": DAY.isoformat(),
            "reason": "농번기 휴관",
            "scope": "county",
            "county_id": w["bonghwa"].id,
            "center_id": 0,
        },
        follow_redirects=True,
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "오후 2:00" in text and "초대한 경로당이 모두 쉬어서 수업을 취소했습니다." in text
    assert "쉬는 경로당 1곳(봉성2리 경로당)을 초대에서 뺐습니다." in text
    assert "초안 1개는 그대로 두었습니다." in text
