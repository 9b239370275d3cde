"""The tablet's day from the cache: every change that alters the page or /join reaches it.

Each test warms the cache through the page (or /join), changes the schedule through the real
API, and reads the page again: it fails when that change's invalidation is missing."""

import re
from datetime import date, time, timedelta

import pytest
import sqlalchemy as sa

from app import clock
from app.auth.models import Role
from app.cache import cache
from app.extensions import db
from centers.tablet import day_cache
from centers.tablet import services as tablet
from centers.tablet.models import TabletDevice
from tests.conftest import login
from tests.factories import CenterFactory, SessionFactory, UserFactory

TODAY = SessionFactory.date  # Tuesday 2026-11-24
START = clock.local_datetime(TODAY, SessionFactory.start_time)


@pytest.fixture
def w(app, make_token):
    clock.freeze(START - timedelta(minutes=30))  # 09:30 Seoul
    a, b = CenterFactory(name="가나 경로당"), CenterFactory(name="다라 경로당")
    session = SessionFactory(centers=[a])
    manager = UserFactory(role=Role.CENTER_MANAGER, center_id=a.id)
    tablet_client = app.test_client()
    assert login(tablet_client, manager.username).status_code == 302
    return {
        "a": a,
        "b": b,
        "session": session,
        "manager": manager,
        "tablet": tablet_client,
        "h": make_token(UserFactory(role=Role.COORDINATOR)),
        "manager_h": make_token(manager),
    }


def page(w) -> str:
    response = w["tablet"].get("/tablet")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def cached(w, day=TODAY) -> bool:
    return cache.get(day_cache.day_key(w["a"].id, day)) is not None


def warm(w) -> str:
    html = page(w)
    assert cached(w)
    return html


def test_the_page_is_served_from_the_cache_once_warm(w, monkeypatch):
    warm(w)
    monkeypatch.setattr(day_cache, "build", lambda *a: pytest.fail("built again"))
    assert w["session"].program.title in page(w)


def test_publish(w, client):
    draft = SessionFactory(centers=[w["a"]], status="draft", published_at=None, start_time=time(14))
    assert draft.program.title not in warm(w)
    r = client.post("/api/v1/weeks/2026-W48/publish", headers=w["h"])
    assert r.status_code == 200 and r.json["published"] == 1
    assert draft.program.title in page(w)


def test_edit(w, client):
    assert "오전 11:30" not in warm(w)
    s = w["session"]
    r = client.patch(f"/api/v1/sessions/{s.id}", json={"version": s.version, "start": "11:30"}, headers=w["h"])
    assert r.status_code == 200
    assert "오전 11:30" in page(w)


def test_cancel(w, client):
    assert 'data-state="cancelled"' not in warm(w)
    r = client.post(f"/api/v1/sessions/{w['session'].id}/cancel", json={}, headers=w["h"])
    assert r.status_code == 200
    assert 'data-state="cancelled"' in page(w)


def test_reschedule_away_from_today(w, client):
    assert 'data-state="cancelled"' not in warm(w)
    r = client.post(
        f"/api/v1/sessions/{w['session'].id}/reschedule", json={"date": "2026-11-27"}, headers=w["h"]
    )
    assert r.status_code == 201
    assert 'data-state="cancelled"' in page(w)


def test_reschedule_onto_today(w, client):
    other = SessionFactory(centers=[w["a"]], date=date(2026, 11, 26), start_time=time(15))
    assert "오후 3:00" not in warm(w)
    r = client.post(
        f"/api/v1/sessions/{other.id}/reschedule", json={"date": TODAY.isoformat()}, headers=w["h"]
    )
    assert r.status_code == 201, r.json
    assert "오후 3:00" in page(w)


def test_reschedule_reaches_the_new_day_too(w, client):
    tomorrow = TODAY + timedelta(days=1)
    warm(w)
    clock.freeze(START + timedelta(days=1) - timedelta(minutes=30))
    assert "오전 10:00" not in page(w) and cached(w, tomorrow)
    clock.freeze(START - timedelta(minutes=30))
    r = client.post(
        f"/api/v1/sessions/{w['session'].id}/reschedule",
        json={"date": tomorrow.isoformat()},
        headers=w["h"],
    )
    assert r.status_code == 201
    clock.freeze(START + timedelta(days=1) - timedelta(minutes=30))
    assert "오전 10:00" in page(w)


def test_closure_that_cancels(w, client):
    assert 'data-state="cancelled"' not in warm(w)
    r = client.post(
        "/api/v1/closures",
        json={"date": TODAY.isoformat(), "reason": "정전", "center_id": w["a"].id},
        headers=w["h"],
    )
    assert r.status_code == 201 and r.json["affected"][0]["action"] == "cancelled"
    assert 'data-state="cancelled"' in page(w)


def test_closure_that_uninvites(w, client):
    shared = SessionFactory(centers=[w["a"], w["b"]], start_time=time(14))
    assert shared.program.title in warm(w)
    r = client.post(
        "/api/v1/closures",
        json={"date": TODAY.isoformat(), "reason": "정전", "center_id": w["a"].id},
        headers=w["h"],
    )
    assert r.status_code == 201
    assert {"session_id": shared.id, "action": "uninvited", "center_ids": [w["a"].id]} in r.json["affected"]
    assert shared.program.title not in page(w)


def test_invitation_added(w, client):
    theirs = SessionFactory(centers=[w["b"]], start_time=time(14))
    assert theirs.program.title not in warm(w)
    r = client.patch(
        f"/api/v1/sessions/{theirs.id}",
        json={"version": theirs.version, "center_ids": [w["b"].id, w["a"].id]},
        headers=w["h"],
    )
    assert r.status_code == 200
    assert theirs.program.title in page(w)


def test_invitation_removed(w, client):
    shared = SessionFactory(centers=[w["a"], w["b"]], start_time=time(14))
    assert shared.program.title in warm(w)
    r = client.patch(
        f"/api/v1/sessions/{shared.id}",
        json={"version": shared.version, "center_ids": [w["b"].id]},
        headers=w["h"],
    )
    assert r.status_code == 200
    assert shared.program.title not in page(w)


def test_program_renamed(w, client):
    warm(w)
    r = client.patch(f"/api/v1/programs/{w['session'].program_id}", json={"title": "새 이름 체조"}, headers=w["h"])
    assert r.status_code == 200
    assert "새 이름 체조" in page(w)


def test_instructor_renamed(w, client):
    warm(w)
    r = client.patch(f"/api/v1/instructors/{w['session'].instructor_id}", json={"name": "김새이름"}, headers=w["h"])
    assert r.status_code == 200
    assert "김새이름" in page(w)


def test_center_renamed(w, client):
    warm(w)
    r = client.patch(f"/api/v1/centers/{w['a'].id}", json={"name": "새이름 경로당"}, headers=w["h"])
    assert r.status_code == 200
    assert "새이름 경로당" in page(w)


def test_next_session_on_another_day(w, client):
    """An empty day names the next class: a change on that later day reaches today's page."""
    clock.freeze(START - timedelta(days=2))  # Sunday
    assert "다음 수업:" in page(w) and "오전 10:00" in page(w)
    r = client.post(f"/api/v1/sessions/{w['session'].id}/cancel", json={}, headers=w["h"])
    assert r.status_code == 200
    assert "다음 수업:" not in page(w)


# --- /join -------------------------------------------------------------------------------


def join(w, session_id=None):
    session_id = session_id or w["session"].id
    return w["tablet"].get(f"/api/v1/sessions/{session_id}/join", headers=w["manager_h"])


def test_join_is_served_from_the_cache(w, count_queries, monkeypatch):
    session_id = w["session"].id
    first = join(w, session_id)
    assert first.status_code == 200 and cached(w)
    monkeypatch.setattr(day_cache, "build", lambda *a: pytest.fail("built again"))
    with count_queries() as statements:
        again = join(w, session_id)
    assert again.status_code == 200 and again.json["room"] == first.json["room"]
    assert again.json["display_name"] == "가나 경로당"
    schedule = [s for s in statements if "sessions" in s or "video_rooms" in s or "centers" in s]
    assert schedule == []


def test_join_after_room_replacement(w, client):
    before = join(w).json["room"]
    r = client.post(f"/api/v1/sessions/{w['session'].id}/room", headers=w["h"])
    assert r.status_code == 200 and r.json["name"] != before
    assert join(w).json["room"] == r.json["name"]


def test_join_after_cancel_is_refused(w, client):
    assert join(w).status_code == 200
    client.post(f"/api/v1/sessions/{w['session'].id}/cancel", json={}, headers=w["h"])
    refused = join(w)
    assert refused.status_code == 422 and refused.json["error"]["details"]["field"] == "session"


def test_join_of_another_center_or_day_takes_the_checked_path(w):
    theirs = SessionFactory(centers=[w["b"]])
    later = SessionFactory(centers=[w["a"]], date=date(2026, 11, 26))
    assert join(w, theirs.id).status_code == 404
    assert join(w, later.id).status_code == 200
    other = w["tablet"].get(
        f"/api/v1/sessions/{w['session'].id}/join?center_id={w['b'].id}", headers=w["manager_h"]
    )
    assert other.status_code == 403


# --- no SQL for the schedule, no write for last-seen -------------------------------------------


def test_warm_page_runs_no_schedule_sql(w, count_queries):
    warm(w)
    with count_queries() as statements:
        html = page(w)
    assert w["session"].program.title in html and 'name="csrf-token"' in html
    # Only the signed-in user is loaded (the login session); nothing of the schedule.
    assert all("FROM users" in s for s in statements), statements


def test_the_page_is_rendered_per_request(w):
    """The cache holds the schedule, not the page: the clock and the CSRF token are the
    request's own."""
    first = warm(w)
    clock.freeze(clock.now() + timedelta(minutes=1))
    second = page(w)
    assert 'data-server-now="' in second and first != second
    token = re.search(r'name="csrf-token" content="([^"]+)"', second).group(1)
    with w["tablet"].session_transaction() as cookie_session:
        assert cookie_session.get("csrf_token")
    assert token


def test_last_seen_is_written_at_most_every_few_minutes(w, app, count_queries):
    device = TabletDevice(center_id=w["a"].id, user_id=w["manager"].id, paired_at=clock.now(),
                          last_seen_at=clock.now() - timedelta(hours=1))
    db.session.add(device)
    db.session.commit()
    page(w)
    db.session.expire_all()
    first = db.session.get(TabletDevice, device.id).last_seen_at
    assert first == clock.now()
    clock.freeze(clock.now() + timedelta(minutes=2))
    with count_queries() as statements:
        page(w)
    assert not [s for s in statements if "tablet_devices" in s]
    clock.freeze(clock.now() + tablet.SEEN_EVERY)
    page(w)
    db.session.expire_all()
    assert db.session.get(TabletDevice, device.id).last_seen_at == clock.now()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TabletDevice)) == 1


def test_publish_of_many_sessions_moves_the_dates(w, client, monkeypatch):
    """A national publish names dates, not centers: the day changes all the same."""
    from programs.schedule import changes

    monkeypatch.setattr(changes, "BROAD_SESSIONS", 0)
    draft = SessionFactory(centers=[w["a"]], status="draft", published_at=None, start_time=time(14))
    assert draft.program.title not in warm(w)
    assert client.post("/api/v1/weeks/2026-W48/publish", headers=w["h"]).json["published"] == 1
    assert draft.program.title in page(w)
