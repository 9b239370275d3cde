"""The feed's events are written by hand (programs/feeds/ical.py, for speed): byte for byte
what icalendar's components write (tests/programs/feeds/ical_reference.py), on titles, names
and reasons that need escaping and folding at every offset; and in two statements, whatever
the number of events."""

import random
from datetime import UTC, date, datetime, time, timedelta

import pytest

from app import clock
from app.extensions import db
from tests.factories import CenterFactory, InstructorFactory, ProgramFactory, SessionFactory
from tests.programs.feeds import ical_reference

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
# Characters that need TEXT escaping or end a folded piece, and Korean (3 octets each).
PIECES = ["가", "나다", "a", "\\", ",", ";", "\n", "\r\n", "^", "\\N", " ", "é", "𝄞", ":", '"']


def _phrase(rng: random.Random, size: int) -> str:
    return "".join(rng.choice(PIECES) for _ in range(size)).strip() or "수업"


def _world(rng: random.Random, count: int):
    clock.freeze(NOW)
    center, other = CenterFactory(name="봉성2리, 경로당; \\ 이름"), CenterFactory()
    sessions = []
    for i in range(count):
        program = ProgramFactory(title=_phrase(rng, rng.randint(1, 60))[:120],
                                 category=rng.choice(["leisure", "health"]))
        instructor = InstructorFactory(name=_phrase(rng, rng.randint(1, 30))[:80])
        session = SessionFactory(
            program=program,
            instructor=instructor,
            centers=[center] + ([other] if i % 2 else []),
            date=date(2026, 9, 1) + timedelta(days=i),
            start_time=time(8 + i % 9, 30 * (i % 2)),
            duration_minutes=rng.choice([30, 60, 90, 150]),
        )
        if i % 3 == 0:
            session.status = "cancelled"
            session.cancelled_at = NOW - timedelta(hours=i, microseconds=i)
            session.cancel_reason = _phrase(rng, rng.randint(0, 40)) if i % 2 else None
            session.sequence = i % 4
        sessions.append(session)
    db.session.commit()
    return center


def _compare(client, center):
    ours = client.get(f"/calendar/centers/{center.id}.ics?key={center.calendar_key}").data
    with client.application.test_request_context("/"):
        name = f"이음 — {center.name}"
        theirs = ical_reference.build(name, ical_reference.center_sessions(center.id))
    assert ours.count(b"BEGIN:VEVENT") == theirs.count(b"BEGIN:VEVENT") > 0
    assert ours == theirs


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_events_are_the_bytes_icalendar_writes(client, seed):
    _compare(client, _world(random.Random(seed), 40))


def test_with_an_organizer_and_a_long_base_url(client, app_config):
    app_config(
        CALENDAR_ORGANIZER="부천시 복지정책과, 노인복지팀; \"이음\" <mailto:welfare@bucheon.example>",
        PUBLIC_BASE_URL="https://ieum.example.org/" + "a" * 37 + "\\b^c",
    )
    _compare(client, _world(random.Random(7), 12))


def test_one_statement_for_the_events_whatever_their_number(client, count_queries):
    counts = []
    for size in (3, 30):
        center = _world(random.Random(size), size)
        url = f"/calendar/centers/{center.id}.ics?key={center.calendar_key}"
        with count_queries() as statements:
            body = client.get(url).data
        assert body.count(b"BEGIN:VEVENT") == size
        counts.append(len(statements))
    assert counts[0] == counts[1] == 2, statements  # the center's key, then the events
