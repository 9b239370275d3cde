"""Stored feeds: a 304 and an unchanged 200 render nothing and query nothing; every change the
feed text holds replaces the stored feed (each test fails when its invalidation is missing)."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from app import clock
from app.auth.models import Role
from app.cache import cache
from programs.feeds import ical, stored
from tests.factories import CenterFactory, InstructorFactory, ProgramFactory, SessionFactory, UserFactory


@pytest.fixture
def w(make_token):
    clock.freeze(datetime(2026, 11, 20, 9, 0, tzinfo=UTC))
    center, other = CenterFactory(name="봉성2리 경로당"), CenterFactory(name="옆마을 경로당")
    instructor = InstructorFactory(name="김미숙")
    program = ProgramFactory(title="웃음치료")
    session = SessionFactory(program=program, instructor=instructor, centers=[center])
    return {
        "center": center,
        "other": other,
        "instructor": instructor,
        "program": program,
        "session": session,
        "h": make_token(UserFactory(role=Role.COORDINATOR)),
    }


def center_url(w, key=None):
    return f"/calendar/centers/{w['center'].id}.ics?key={key or w['center'].calendar_key}"


def instructor_url(w, key=None):
    return f"/calendar/instructors/{w['instructor'].id}.ics?key={key or w['instructor'].calendar_key}"


def text(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True).replace("\r\n ", "")


def warm(client, url) -> str:
    body = text(client, url)
    kind, feed_id = re.search(r"/calendar/(center|instructor)s/(\d+)\.ics", url).groups()
    assert cache.get(stored.feed_key(kind, int(feed_id)))
    return body


def no_render(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("rendered")

    monkeypatch.setattr(ical, "build", refuse)


def test_304_renders_nothing_and_queries_nothing(client, w, monkeypatch, count_queries):
    url = center_url(w)
    first = client.get(url)
    tag = first.headers["ETag"]
    no_render(monkeypatch)
    with count_queries() as statements:
        not_modified = client.get(url, headers={"If-None-Match": tag})
        again = client.get(url)
    assert not_modified.status_code == 304 and not_modified.get_data() == b""
    assert again.status_code == 200 and again.get_data() == first.get_data()
    assert again.headers["ETag"] == tag
    assert statements == []


def test_a_wrong_key_is_404_when_warm_too(client, w, count_queries):
    client.get(center_url(w))
    wrong, missing = center_url(w, "wrong"), f"/calendar/centers/{w['center'].id}.ics"
    with count_queries() as statements:
        assert client.get(wrong).status_code == 404
        assert client.get(missing).status_code == 404
    assert statements == []


def test_center_key_rotation(client, w):
    old = w["center"].calendar_key
    warm(client, center_url(w, old))
    r = client.post(f"/api/v1/centers/{w['center'].id}/calendar-key", headers=w["h"])
    assert r.status_code == 200
    assert client.get(center_url(w, old)).status_code == 404
    new = r.json["calendar_url"].split("key=")[1]
    assert client.get(center_url(w, new)).status_code == 200


def test_instructor_key_rotation(client, w):
    old = w["instructor"].calendar_key
    warm(client, instructor_url(w, old))
    r = client.post(f"/api/v1/instructors/{w['instructor'].id}/calendar-key", headers=w["h"])
    assert r.status_code == 200
    assert client.get(instructor_url(w, old)).status_code == 404
    new = r.json["calendar_url"].split("key=")[1]
    assert client.get(instructor_url(w, new)).status_code == 200


@pytest.mark.parametrize("url", [center_url, instructor_url])
def test_edit(client, w, url):
    assert "T103000" not in warm(client, url(w))
    s = w["session"]
    r = client.patch(f"/api/v1/sessions/{s.id}", json={"version": s.version, "start": "10:30"}, headers=w["h"])
    assert r.status_code == 200
    assert "DTSTART;TZID=Asia/Seoul:20261124T103000" in text(client, url(w))


@pytest.mark.parametrize("url", [center_url, instructor_url])
def test_cancel(client, w, url):
    warm(client, url(w))
    r = client.post(f"/api/v1/sessions/{w['session'].id}/cancel", json={"reason": "강사 병가"}, headers=w["h"])
    assert r.status_code == 200
    assert "STATUS:CANCELLED" in text(client, url(w))


def test_publish(client, w):
    draft = SessionFactory(program=w["program"], instructor=w["instructor"], centers=[w["center"]],
                           date=date(2026, 11, 25), status="draft", published_at=None)
    assert f"session-{draft.id}@" not in warm(client, center_url(w))
    assert client.post("/api/v1/weeks/2026-W48/publish", headers=w["h"]).json["published"] == 1
    assert f"session-{draft.id}@" in text(client, center_url(w))
    assert f"session-{draft.id}@" in text(client, instructor_url(w))


def test_reschedule(client, w):
    warm(client, center_url(w))
    r = client.post(f"/api/v1/sessions/{w['session'].id}/reschedule", json={"date": "2026-11-27"}, headers=w["h"])
    assert r.status_code == 201
    body = text(client, center_url(w))
    assert f"session-{r.json['id']}@" in body and "STATUS:CANCELLED" in body


def test_closure(client, w):
    warm(client, center_url(w))
    r = client.post("/api/v1/closures", json={"date": "2026-11-24", "reason": "정전"}, headers=w["h"])
    assert r.status_code == 201 and r.json["affected"]
    assert "STATUS:CANCELLED" in text(client, center_url(w))


def test_invitation_added_changes_every_invited_feed(client, w):
    """The invited count is in each invited center's feed, and the new center gets the event."""
    other_url = f"/calendar/centers/{w['other'].id}.ics?key={w['other'].calendar_key}"
    assert "1곳" in warm(client, center_url(w))
    assert f"session-{w['session'].id}@" not in text(client, other_url)
    s = w["session"]
    r = client.patch(f"/api/v1/sessions/{s.id}",
                     json={"version": s.version, "center_ids": [w["center"].id, w["other"].id]}, headers=w["h"])
    assert r.status_code == 200
    assert "2곳" in text(client, center_url(w))
    assert f"session-{s.id}@" in text(client, other_url)


def test_invitation_removed(client, w):
    s = SessionFactory(program=w["program"], instructor=w["instructor"], centers=[w["center"], w["other"]],
                       date=date(2026, 11, 26))
    assert f"session-{s.id}@" in warm(client, center_url(w))
    r = client.patch(f"/api/v1/sessions/{s.id}", json={"version": s.version, "center_ids": [w["other"].id]},
                     headers=w["h"])
    assert r.status_code == 200
    assert f"session-{s.id}@" not in text(client, center_url(w))


@pytest.mark.parametrize("url", [center_url, instructor_url])
def test_program_renamed(client, w, url):
    warm(client, url(w))
    r = client.patch(f"/api/v1/programs/{w['program'].id}", json={"title": "노래교실"}, headers=w["h"])
    assert r.status_code == 200
    assert "SUMMARY:노래교실" in text(client, url(w))


def test_program_category_changed(client, w):
    warm(client, center_url(w))
    assert client.patch(f"/api/v1/programs/{w['program'].id}", json={"category": "health"},
                        headers=w["h"]).status_code == 200
    assert "CATEGORIES:health" in text(client, center_url(w))


@pytest.mark.parametrize("url", [center_url, instructor_url])
def test_instructor_renamed(client, w, url):
    warm(client, url(w))
    r = client.patch(f"/api/v1/instructors/{w['instructor'].id}", json={"name": "박새롬"}, headers=w["h"])
    assert r.status_code == 200
    assert "박새롬" in text(client, url(w))


def test_center_renamed(client, w):
    warm(client, center_url(w))
    r = client.patch(f"/api/v1/centers/{w['center'].id}", json={"name": "새이름 경로당"}, headers=w["h"])
    assert r.status_code == 200
    assert "X-WR-CALNAME:이음 — 새이름 경로당" in text(client, center_url(w))


def test_old_sessions_leave_the_feed_as_days_pass(client, w):
    old = SessionFactory(program=w["program"], instructor=w["instructor"], centers=[w["center"]],
                         date=date(2026, 8, 25))
    assert f"session-{old.id}@" in warm(client, center_url(w))
    clock.freeze(datetime(2026, 11, 24, 9, 0, tzinfo=UTC))
    assert f"session-{old.id}@" not in text(client, center_url(w))


def test_the_base_url_is_part_of_the_stored_feed(client, w, app_config):
    assert "http://localhost/sessions/" in warm(client, center_url(w))
    app_config(PUBLIC_BASE_URL="https://ieum.example.kr")
    assert "https://ieum.example.kr/sessions/" in text(client, center_url(w))


def test_etag_is_the_same_for_the_same_content(client, w):
    """API.md: the ETag changes only with the content (a rebuilt entry keeps its tag)."""
    tag = client.get(center_url(w)).headers["ETag"]
    cache.clear()
    clock.freeze(clock.now() + timedelta(hours=3))
    assert client.get(center_url(w)).headers["ETag"] == tag


def test_publish_of_many_sessions_moves_every_feed(client, w, monkeypatch):
    from programs.schedule import changes

    monkeypatch.setattr(changes, "BROAD_SESSIONS", 0)
    draft = SessionFactory(program=w["program"], instructor=w["instructor"], centers=[w["center"]],
                           date=date(2026, 11, 25), status="draft", published_at=None)
    assert f"session-{draft.id}@" not in warm(client, center_url(w))
    assert f"session-{draft.id}@" not in warm(client, instructor_url(w))
    assert client.post("/api/v1/weeks/2026-W48/publish", headers=w["h"]).json["published"] == 1
    assert f"session-{draft.id}@" in text(client, center_url(w))
    assert f"session-{draft.id}@" in text(client, instructor_url(w))
