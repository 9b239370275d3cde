"""app.cache on both backends (Redis: TEST_REDIS_URL, db 10 by default): values, expiry,
prefixes, the after-commit deletes and their rollback, Redis down as a miss."""

import logging
import os
import time

import pytest
import redis

from app import cache as cache_module
from app.cache import EXTENSION, MemoryBackend, RedisBackend, cache, make_backend
from app.extensions import db
from centers.directory.models import County

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/10")
PREFIX = "ieum-test-cache-" + os.environ.get("PYTEST_XDIST_WORKER", "main") + f"-{os.getpid()}:"


def _redis_backend(url=REDIS_URL, **kw):
    return RedisBackend(url, timeout=kw.get("timeout", 0.5), retry_seconds=kw.get("retry_seconds", 5))


@pytest.fixture(params=["memory", "redis"])
def backend(request, app, monkeypatch):
    chosen = MemoryBackend() if request.param == "memory" else _redis_backend()
    monkeypatch.setitem(app.extensions, EXTENSION, (chosen, PREFIX))
    cache.clear()
    yield chosen
    cache.clear()


def _write() -> None:
    """A pending write, so that the session is inside a transaction."""
    db.session.add(County(name=f"캐시{time.monotonic_ns()}군", province="경상북도"))
    db.session.flush()


def test_config_chooses_the_backend():
    assert isinstance(make_backend({}), MemoryBackend)
    assert isinstance(make_backend({"REDIS_URL": REDIS_URL}), RedisBackend)
    assert isinstance(make_backend({"CACHE_REDIS_URL": REDIS_URL}), RedisBackend)
    assert isinstance(make_backend({"REDIS_URL": REDIS_URL, "CACHE_BACKEND": "memory"}), MemoryBackend)


def test_production_without_redis_keeps_entries_briefly(app, monkeypatch):
    backend = make_backend({"IEUM_ENV": "production"})
    assert isinstance(backend, MemoryBackend) and backend._max_ttl == cache_module.PRODUCTION_MEMORY_TTL
    monkeypatch.setitem(app.extensions, EXTENSION, (MemoryBackend(max_ttl=1), PREFIX))
    cache.set("day", "x", ttl=3600)
    time.sleep(1.2)
    assert cache.get("day") is None
    assert make_backend({})._max_ttl is None


def test_values_round_trip_as_json(backend):
    value = {"sessions": [{"id": 3, "title": "체조", "at": "09:30"}], "n": 1.5, "ok": True}
    cache.set("day:1", value)
    assert cache.get("day:1") == value
    assert cache.get("day:2") is None
    cache.set("copy", [1])
    got = cache.get("copy")
    got.append(2)
    assert cache.get("copy") == [1]  # a stored copy, not the caller's object


def test_values_must_be_json(backend):
    with pytest.raises(TypeError):
        cache.set("bad", object())
    assert cache.get("bad") is None


def test_get_many_delete_many(backend):
    cache.set_many({"a": 1, "b": 2, "c": 3})
    assert cache.get_many(["a", "b", "x"]) == {"a": 1, "b": 2, "x": None}
    cache.delete_many(["a", "b"])
    assert cache.get_many(["a", "b", "c"]) == {"a": None, "b": None, "c": 3}
    cache.delete("c")
    assert cache.get("c") is None
    assert cache.get_many([]) == {}


def test_many_keys_at_once(backend):
    keys = [f"day:{i}" for i in range(2500)]
    cache.set_many(dict.fromkeys(keys, 1))
    cache.delete_many(keys[:2400])
    found = cache.get_many(keys)
    assert [k for k, v in found.items() if v] == keys[2400:]


def test_expiry(backend):
    cache.set("short", "x", ttl=1)
    cache.set("long", "y", ttl=60)
    assert cache.get("short") == "x"
    time.sleep(1.3)
    assert cache.get("short") is None
    assert cache.get("long") == "y"


def test_prefix_keeps_apps_apart(backend, app, monkeypatch):
    cache.set("k", "mine")
    monkeypatch.setitem(app.extensions, EXTENSION, (backend, PREFIX + "other:"))
    assert cache.get("k") is None
    cache.set("k", "theirs")
    cache.clear()
    monkeypatch.setitem(app.extensions, EXTENSION, (backend, PREFIX))
    assert cache.get("k") == "mine"


def test_redis_backend_stores_under_the_prefix(app, monkeypatch):
    monkeypatch.setitem(app.extensions, EXTENSION, (_redis_backend(), PREFIX))
    cache.set("seen", {"a": 1}, ttl=30)
    raw = redis.Redis.from_url(REDIS_URL)
    assert raw.get(PREFIX + "seen") == b'{"a":1}'
    assert 0 < raw.ttl(PREFIX + "seen") <= 30
    cache.clear()
    assert raw.get(PREFIX + "seen") is None


def test_invalidate_after_commit_deletes_now_and_after_commit(backend):
    cache.set("day", "old")
    _write()
    cache.invalidate_after_commit("day")
    assert cache.get("day") is None
    db.session.flush()
    cache.set("day", "refilled between flush and commit")
    db.session.commit()
    assert cache.get("day") is None
    cache.set("day", "after")
    db.session.commit()  # the callbacks ran once; a later commit deletes nothing
    assert cache.get("day") == "after"


def test_a_late_delete_takes_away_what_a_slow_reader_stored(backend, app_config):
    app_config(CACHE_LATE_DELETE_SECONDS=0.3)
    cache.set("day", "old")
    _write()
    cache.invalidate_after_commit("day")
    db.session.commit()
    cache.set("day", "read before the commit, stored after it")
    assert cache.get("day") is not None
    time.sleep(0.6)
    assert cache.get("day") is None


def test_rotate_after_commit_moves_a_generation_now_and_after_the_commit(backend):
    cache.set("gen", "g0")
    _write()
    cache.rotate_after_commit("gen")
    during = cache.get("gen")
    assert during not in (None, "g0")
    db.session.commit()
    after = cache.get("gen")
    assert after not in (None, "g0", during)
    _write()
    cache.rotate_after_commit("gen")
    db.session.rollback()
    assert cache.get("gen") != after  # moved at once; the rollback only drops the second move


def test_rollback_drops_the_second_delete(backend):
    cache.set("day", "old")
    _write()
    cache.invalidate_after_commit("day")
    cache.set("day", "refilled")
    db.session.rollback()
    db.session.commit()
    assert cache.get("day") == "refilled"


def test_after_commit_runs_a_function_once(backend):
    calls = []
    _write()
    cache.after_commit(lambda: calls.append(1))
    db.session.rollback()
    db.session.commit()
    assert calls == []
    cache.after_commit(lambda: calls.append(2))
    _write()
    db.session.commit()
    db.session.commit()
    assert calls == [2]


def test_a_nested_rollback_keeps_the_outer_deletes(backend):
    cache.set("day", "old")
    _write()
    cache.invalidate_after_commit("day")
    with db.session.begin_nested() as nested:
        _write()
        nested.rollback()
    cache.set("day", "refilled")
    db.session.commit()
    assert cache.get("day") is None


def test_redis_down_is_a_miss_logged_once(app, monkeypatch, caplog):
    down = _redis_backend("redis://127.0.0.1:1/0", timeout=0.2, retry_seconds=60)
    monkeypatch.setitem(app.extensions, EXTENSION, (down, PREFIX))
    with caplog.at_level(logging.WARNING, logger=cache_module.__name__):
        cache.set("k", 1)
        assert cache.get("k") is None
        assert cache.get_many(["a", "b"]) == {"a": None, "b": None}
        cache.delete("k")
    assert len([r for r in caplog.records if "unreachable" in r.getMessage()]) == 1


def test_deletes_missed_while_redis_was_down_are_sent_when_it_answers(app, monkeypatch):
    backend = _redis_backend(retry_seconds=60)
    monkeypatch.setitem(app.extensions, EXTENSION, (backend, PREFIX))
    cache.set("day", "stale")
    backend._down_until = time.monotonic() + 60  # as if a call had just failed
    cache.delete("day")
    assert cache.get("day") is None  # skipped while down
    backend._down_until = 0.0
    assert cache.get("day") is None  # the missed delete went first
    assert redis.Redis.from_url(REDIS_URL).get(PREFIX + "day") is None


def test_a_page_is_served_when_redis_is_down(client, app, monkeypatch):
    down = _redis_backend("redis://127.0.0.1:1/0", timeout=0.2, retry_seconds=60)
    monkeypatch.setitem(app.extensions, EXTENSION, (down, PREFIX))
    assert client.get("/auth/login").status_code == 200
