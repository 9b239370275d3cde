"""GET /live/stream: who may open it, that each viewer is told only of its own scope, that an
event follows the commit (never a rollback), heartbeats, the retry hint, the maximum lifetime,
the end of a stream whose user signed out, and a disconnect freeing its subscription.

The stream's view subscribes before answering, so a test opens the stream, makes its changes,
then reads what the stream delivered, and closes it (the stream keeps its own app context,
as a worker does)."""

import json
import time
from datetime import datetime, timedelta

import pytest

from app import clock, events
from app.auth.models import Role, User
from app.extensions import db
from centers.live import services as live
from centers.presence import services as presence
from tests.factories import AttendanceFactory, CenterFactory, CountyFactory, SessionFactory, UserFactory

START = datetime(2026, 11, 24, 10, 0, tzinfo=clock.SEOUL)


@pytest.fixture(autouse=True)
def memory_hub(app):
    """This test's own in-process hub, whatever REDIS_URL the environment has (other xdist
    workers publish to the same Redis channel)."""
    previous = app.extensions.get("ieum_events")
    app.extensions["ieum_events"] = events.Hub()
    yield app.extensions["ieum_events"]
    if previous is None:
        app.extensions.pop("ieum_events", None)
    else:
        app.extensions["ieum_events"] = previous


@pytest.fixture
def world(app_config):
    app_config(LIVE_STREAM_HEARTBEAT=0.05, LIVE_STREAM_MAX_AGE=5, LIVE_STREAM_RECHECK=60)
    clock.freeze(START + timedelta(minutes=10))
    bonghwa, buan = CountyFactory(name="봉화군"), CountyFactory(name="부안군")
    a = CenterFactory(county=bonghwa, name="가 경로당")
    b = CenterFactory(county=bonghwa, name="나 경로당")
    c = CenterFactory(county=buan, name="다 경로당")
    session = SessionFactory(centers=[a, b, c])
    other = SessionFactory(centers=[c], start_time=datetime(2026, 11, 24, 14, 0).time())
    return {
        "a": a, "b": b, "c": c, "session": session, "other": other,
        "coordinator": UserFactory(role=Role.COORDINATOR),
        "instructor": UserFactory(role=Role.INSTRUCTOR, instructor_id=session.instructor_id),
        "other_instructor": UserFactory(role=Role.INSTRUCTOR, instructor_id=other.instructor_id),
        "bonghwa": UserFactory(role=Role.COUNTY_VIEWER, county_id=bonghwa.id),
        "buan": UserFactory(role=Role.COUNTY_VIEWER, county_id=buan.id),
        "manager": UserFactory(role=Role.CENTER_MANAGER, center_id=a.id),
    }


def join(session, center, occupant=None):
    presence.joined(session, occupant=occupant or f"jid:{center.id}", participant=f"center-{center.id}",
                    center_id=center.id, at=clock.now(), source="jitsi")


def parse(frame: str) -> dict:
    found = {"comments": []}
    for line in frame.splitlines():
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if name == "":
            found["comments"].append(value)
        elif name == "data":
            found["data"] = json.loads(value)
        else:
            found[name] = value
    return found


def read(app, response, until=None, timeout=2.0) -> list[dict]:
    """The frames the stream sends until ``until(frames)`` holds, it ends, or ``timeout``."""
    frames, buffer = [], ""
    deadline = time.monotonic() + timeout
    for chunk in response.response:
        buffer += chunk.decode() if isinstance(chunk, bytes) else chunk
        while "\n\n" in buffer:
            frame, buffer = buffer.split("\n\n", 1)
            frames.append(parse(frame))
        if (until and until(frames)) or time.monotonic() > deadline:
            break
    return frames


def delivered(frames) -> list[tuple]:
    return [(f["event"], f["data"]["session_id"], f["data"]["center_id"]) for f in frames if "event" in f]


def open_stream(client, headers, query=""):
    response = client.get(f"/live/stream{query}", headers=headers, buffered=False)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response


def test_an_event_follows_the_commit_with_its_fields(app, client, make_token, world):
    session, a = world["session"], world["a"]
    response = open_stream(client, make_token(world["coordinator"]))
    assert response.mimetype == "text/event-stream"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Accel-Buffering"] == "no"
    join(session, a)
    db.session.commit()
    frames = read(app, response, until=lambda f: len(delivered(f)) >= 2)
    response.close()
    assert frames[0]["retry"] == "3000"
    sent = [f for f in frames if "event" in f]
    # The join opened a presence row and set the attendance record's join time: one event each.
    assert sorted(delivered(sent)) == [("attendance", session.id, a.id), ("presence", session.id, a.id)]
    assert sent[0]["data"] == {
        "kind": sent[0]["event"], "session_id": session.id, "center_id": a.id,
        "at": clock.now().isoformat(),
    }


def test_no_event_for_a_rolled_back_change(app, client, make_token, world):
    session, a, b = world["session"], world["a"], world["b"]
    response = open_stream(client, make_token(world["coordinator"]))
    join(session, a)
    db.session.rollback()
    join(session, b)  # committed: the marker that the stream did run
    db.session.commit()
    frames = read(app, response, until=lambda f: len(delivered(f)) >= 2, timeout=1.0)
    response.close()
    assert {center for _, _, center in delivered(frames)} == {b.id}


def test_help_and_attendance_rows_raise_their_kinds(app, client, make_token, world):
    session, a, c = world["session"], world["a"], world["c"]
    response = open_stream(client, make_token(world["coordinator"]), f"?session_id={session.id}")
    live.request_help(world["manager"], session.id, a.id, "소리가 안 나요")
    db.session.commit()
    AttendanceFactory(session_obj=session, center=c, status="attended", headcount=5)
    db.session.commit()
    frames = read(app, response, until=lambda f: len(delivered(f)) >= 2)
    response.close()
    assert delivered(frames) == [("help", session.id, a.id), ("attendance", session.id, c.id)]


@pytest.mark.parametrize(
    "who, sees",
    [
        ("coordinator", {"a", "c", "other_c"}),
        ("instructor", {"a", "c"}),
        ("other_instructor", {"other_c"}),
        ("bonghwa", {"a"}),
        ("buan", {"c", "other_c"}),
    ],
)
def test_each_viewer_is_told_of_its_own_scope_only(app, client, make_token, world, who, sees):
    session, other, a, c = world["session"], world["other"], world["a"], world["c"]
    response = open_stream(client, make_token(world[who]))
    join(session, a)
    join(session, c)
    join(other, c, occupant="jid:other-c")
    db.session.commit()
    frames = read(app, response, timeout=0.6)
    response.close()
    names = {(s, cid): n for n, (s, cid) in {
        "a": (session.id, a.id), "c": (session.id, c.id), "other_c": (other.id, c.id)}.items()}
    assert {names[(s, cid)] for _, s, cid in delivered(frames)} == sees


def test_the_instructors_presence_reaches_a_county_viewer_of_an_invited_center(app, client, make_token, world):
    session = world["session"]
    bonghwa = open_stream(client, make_token(world["bonghwa"]))
    presence.joined(session, occupant="jid:teacher", participant=f"instructor-{session.instructor_id}",
                    center_id=None, at=clock.now(), source="jitsi")
    db.session.commit()
    frames = read(app, bonghwa, until=lambda f: delivered(f), timeout=1.0)
    bonghwa.close()
    assert delivered(frames) == [("presence", session.id, None)]


def test_a_session_stream_carries_that_session_only(app, client, make_token, world):
    session, other, c = world["session"], world["other"], world["c"]
    response = open_stream(client, make_token(world["buan"]), f"?session_id={other.id}")
    join(session, c)
    join(other, c, occupant="jid:other-c")
    db.session.commit()
    frames = read(app, response, timeout=0.6)
    response.close()
    assert {s for _, s, _ in delivered(frames)} == {other.id}


def test_the_page_session_opens_the_stream_too(app, client, login_as, world):
    login_as(world["bonghwa"])
    response = client.get("/live/stream", buffered=False)
    assert response.status_code == 200
    join(world["session"], world["a"])
    db.session.commit()
    frames = read(app, response, until=lambda f: delivered(f))
    response.close()
    assert ("presence", world["session"].id, world["a"].id) in delivered(frames)


@pytest.mark.parametrize(
    "who, query, status, code",
    [
        (None, "", 401, "unauthorized"),
        ("manager", "", 403, "forbidden"),
        ("coordinator", "?session_id=abc", 422, "invalid"),
        ("coordinator", "?session_id=999999", 404, "not_found"),
        ("other_instructor", "?session_id={session}", 404, "not_found"),
        ("buan", "?session_id={session}", 200, None),
        ("bonghwa", "?session_id={other}", 404, "not_found"),
    ],
)
def test_who_may_open_the_stream(client, make_token, world, who, query, status, code):
    headers = make_token(world[who]) if who else {}
    query = query.format(session=world["session"].id, other=world["other"].id)
    response = client.get(f"/live/stream{query}", headers=headers, buffered=False)
    assert response.status_code == status
    if code:
        body = response.get_json()
        assert body["error"]["code"] == code
        if code == "invalid":
            assert body["error"]["details"]["field"] == "session_id"
    response.close()


def test_a_wrong_token_is_refused(client, world):
    response = client.get("/live/stream", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "unauthorized"


def test_heartbeats_then_the_stream_ends_at_its_maximum_age(app, app_config, client, make_token, world):
    app_config(LIVE_STREAM_MAX_AGE=0.4, LIVE_STREAM_RETRY_MS=1500)
    hub = events.hub(app)
    before = hub.subscribers
    response = open_stream(client, make_token(world["coordinator"]))
    assert hub.subscribers == before + 1
    started = time.monotonic()
    frames = read(app, response, timeout=5)
    assert time.monotonic() - started < 2  # it ended by itself
    response.close()
    assert frames[0]["retry"] == "1500"
    assert sum("keep-alive" in f["comments"] for f in frames) >= 3
    assert frames[-1]["comments"] == ["max age, reconnect"]
    assert hub.subscribers == before


def test_a_client_that_goes_away_frees_its_subscription(app, client, make_token, world):
    hub = events.hub(app)
    before = hub.subscribers
    response = open_stream(client, make_token(world["coordinator"]))
    read(app, response, timeout=0.2)
    assert hub.subscribers == before + 1
    response.close()  # what the server does when the write fails
    assert hub.subscribers == before


def test_a_revoked_token_ends_the_stream(app, app_config, client, make_token, world):
    from app.auth.models import ApiToken

    app_config(LIVE_STREAM_RECHECK=0.1)
    response = open_stream(client, make_token(world["coordinator"]))
    token = db.session.query(ApiToken).filter_by(user_id=world["coordinator"].id).one()
    token.revoke()
    db.session.commit()
    frames = read(app, response, timeout=3)
    response.close()
    assert frames[-1].get("event") == "end"


def test_signing_out_ends_a_page_sessions_stream(app, app_config, client, login_as, world):
    app_config(LIVE_STREAM_RECHECK=0.1)
    login_as(world["coordinator"])
    response = client.get("/live/stream", buffered=False)
    # What signing out does (read afresh: the open stream's app context is the current one).
    db.session.get(User, world["coordinator"].id).end_sessions()
    db.session.commit()
    frames = read(app, response, timeout=3)
    response.close()
    assert frames[-1].get("event") == "end"


def test_the_scope_cache_reads_a_session_once_for_all_streams(app, world, count_queries):
    from centers.live.stream import ScopeCache

    cache = ScopeCache(ttl=60)
    session = world["session"]
    session_id, instructor_id, center_ids = session.id, session.instructor_id, sorted(session.center_ids)
    counties = {world["a"].county_id, world["c"].county_id}
    with count_queries() as first:
        info = cache.get(session_id)
    with count_queries() as again:
        for _ in range(50):
            assert cache.get(session_id) is info
    assert len(first) == 2 and again == []
    assert info.published and info.instructor_id == instructor_id
    assert sorted(info.counties) == center_ids
    assert set(info.counties.values()) == counties
    assert cache.get(999999) is None
