"""app.events: rows raise events only once their transaction commits (never after a rollback,
nor for a savepoint rolled back), each once per commit; the in-process hub and Redis pub/sub
deliver them to every subscription."""

import os
import threading
import time
import uuid

import pytest
import redis
import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from app import events

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


class Base(DeclarativeBase):
    pass


class Tile(Base):
    """A table of this test only (its own metadata and engine, not the app's)."""

    __tablename__ = "tiles"
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int]
    center_id: Mapped[int | None]
    label: Mapped[str] = mapped_column(default="")


events.watch(Tile, "presence", lambda row: (row.session_id, row.center_id))


@pytest.fixture
def orm():
    engine = sa.create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        yield session
    engine.dispose()


@pytest.fixture
def memory_hub(app):
    hub = events.Hub()
    previous = app.extensions.get("ieum_events")
    app.extensions["ieum_events"] = hub
    yield hub
    if previous is None:
        app.extensions.pop("ieum_events", None)
    else:
        app.extensions["ieum_events"] = previous


def drain(subscription, wait=0.0):
    found = []
    deadline = time.monotonic() + wait
    while True:
        item = subscription.get(timeout=max(0.0, deadline - time.monotonic()) or 0.01)
        if item is None:
            return found
        found.append(item)


def test_committed_rows_become_events_each_once(memory_hub, orm):
    with memory_hub.subscribe() as subscription:
        orm.add_all([Tile(session_id=7, center_id=3), Tile(session_id=7, center_id=4)])
        orm.flush()
        assert drain(subscription) == []  # flushed is not committed
        tile = orm.scalars(sa.select(Tile).where(Tile.center_id == 3)).one()
        tile.label = "joined"
        orm.flush()
        orm.commit()
        found = drain(subscription)
    assert [(e["kind"], e["session_id"], e["center_id"]) for e in found] == [
        ("presence", 7, 3),
        ("presence", 7, 4),
    ]
    assert all(e["at"].endswith("+00:00") for e in found)
    assert memory_hub.subscribers == 0  # closed by the with block


def test_a_rolled_back_write_raises_nothing(memory_hub, orm):
    with memory_hub.subscribe() as subscription:
        orm.add(Tile(session_id=1, center_id=1))
        orm.flush()
        orm.rollback()
        orm.commit()  # a later, empty commit publishes nothing left over
        assert drain(subscription) == []
        orm.add(Tile(session_id=1, center_id=2))
        orm.commit()
        assert [e["center_id"] for e in drain(subscription)] == [2]


def test_a_rolled_back_savepoint_drops_only_its_own_events(memory_hub, orm):
    with memory_hub.subscribe() as subscription:
        orm.add(Tile(session_id=5, center_id=1))
        orm.flush()
        savepoint = orm.begin_nested()
        orm.add(Tile(session_id=5, center_id=2))
        orm.flush()
        savepoint.rollback()
        kept = orm.begin_nested()
        orm.add(Tile(session_id=5, center_id=3))
        kept.commit()
        assert drain(subscription) == []  # a released savepoint is not the commit
        orm.commit()
        assert [e["center_id"] for e in drain(subscription)] == [1, 3]


def test_deletes_raise_events_and_every_subscription_gets_each(memory_hub, orm):
    tile = Tile(session_id=9, center_id=None)
    orm.add(tile)
    orm.commit()
    first, second = memory_hub.subscribe(), memory_hub.subscribe()
    orm.delete(tile)
    orm.commit()
    assert [e["session_id"] for e in drain(first)] == [9]
    assert [e["center_id"] for e in drain(second)] == [None]
    first.close()
    second.close()
    assert memory_hub.subscribers == 0


def test_a_slow_subscription_keeps_only_its_latest_events(memory_hub):
    subscription = memory_hub.subscribe()
    memory_hub.publish(events.event("help", n, None) for n in range(events.QUEUE_LENGTH + 10))
    found = drain(subscription)
    assert len(found) == events.QUEUE_LENGTH and found[-1]["session_id"] == events.QUEUE_LENGTH + 9
    subscription.close()


def test_get_waits_for_an_event_published_from_another_thread(memory_hub):
    subscription = memory_hub.subscribe()
    timer = threading.Timer(0.2, memory_hub.publish, [[events.event("attendance", 2, 3)]])
    started = time.monotonic()
    timer.start()
    item = subscription.get(timeout=5)
    assert item["kind"] == "attendance" and time.monotonic() - started < 2
    assert subscription.get(timeout=0.05) is None
    subscription.close()


def test_without_redis_url_the_hub_is_in_process(app):
    app.extensions.pop("ieum_events", None)
    assert events.hub(app).backend == "memory" and events.hub(app) is events.hub(app)


@pytest.fixture
def redis_hubs():
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    channel = f"ieum:live:test:{uuid.uuid4().hex}"
    return events.RedisHub(REDIS_URL, channel), events.RedisHub(REDIS_URL, channel)


def test_redis_carries_an_event_from_one_process_hub_to_another(redis_hubs):
    """Two hubs stand for two workers: what one publishes, the other's streams receive."""
    publisher, listener = redis_hubs
    subscription = listener.subscribe()
    started = time.monotonic()
    publisher.publish([events.event("presence", 11, 12)])
    item = subscription.get(timeout=2)
    assert item is not None and (item["kind"], item["session_id"], item["center_id"]) == ("presence", 11, 12)
    assert time.monotonic() - started < 2
    subscription.close()


def test_redis_hub_selected_by_redis_url(app, app_config):
    app_config(REDIS_URL=REDIS_URL, LIVE_EVENTS_CHANNEL="ieum:live:selected")
    app.extensions.pop("ieum_events", None)
    try:
        hub = events.hub(app)
        assert hub.backend == "redis" and hub.channel == "ieum:live:selected"
    finally:
        app.extensions.pop("ieum_events", None)


def test_redis_down_loses_the_event_but_not_the_request():
    hub = events.RedisHub("redis://127.0.0.1:1/0", "ieum:live:nowhere")
    started = time.monotonic()
    hub.publish([events.event("help", 1, 1)])  # logs a warning, raises nothing
    assert time.monotonic() - started < 2
    started = time.monotonic()
    for _ in range(20):  # the next commits do not wait on it
        hub.publish([events.event("help", 1, 1)])
    assert time.monotonic() - started < 0.1
