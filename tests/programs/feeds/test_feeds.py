"""Calendar feeds: published sessions only, stable UIDs, SEQUENCE, STATUS:CANCELLED, VTIMEZONE
Asia/Seoul, the join page URL, an ETag that changes only with the content, 304; read back by
icalendar and by an independent parser (ical.js, which Thunderbird uses)."""

import json
import shutil
import subprocess
from datetime import UTC, date, datetime, time

import icalendar
import pytest

from app import clock
from app.auth.models import Role, User
from app.extensions import db
from programs.schedule import bulk
from programs.schedule import services as scheduling
from tests.conftest import ROOT
from tests.factories import CenterFactory, InstructorFactory, ProgramFactory, SessionFactory

NODE = shutil.which("node")
ICAL_JS = ROOT / "node_modules" / "ical.js" / "dist" / "ical.js"


@pytest.fixture
def feed_world():
    clock.freeze(datetime(2026, 11, 20, 9, 0, tzinfo=UTC))
    center, other = CenterFactory(name="봉성2리 경로당"), CenterFactory()
    instructor = InstructorFactory(name="김미숙")
    program = ProgramFactory(title="웃음치료")
    coordinator = User(username="coord", role=Role.COORDINATOR)
    db.session.add(coordinator)
    db.session.commit()
    published = SessionFactory(program=program, instructor=instructor, centers=[center])
    later = SessionFactory(
        program=program,
        instructor=instructor,
        centers=[center, other],
        date=date(2026, 11, 26),
        start_time=time(14, 0),
    )
    draft = SessionFactory(
        program=program,
        instructor=instructor,
        centers=[center],
        date=date(2026, 11, 25),
        status="draft",
        published_at=None,
    )
    elsewhere = SessionFactory(
        program=program, instructor=InstructorFactory(), centers=[other], date=date(2026, 11, 27)
    )
    return {
        "center": center,
        "other": other,
        "instructor": instructor,
        "coordinator": coordinator,
        "published": published,
        "later": later,
        "draft": draft,
        "elsewhere": elsewhere,
    }


def center_url(w):
    return f"/calendar/centers/{w['center'].id}.ics?key={w['center'].calendar_key}"


def events(body: bytes) -> dict[str, icalendar.Event]:
    cal = icalendar.Calendar.from_ical(body)
    return {str(e["uid"]): e for e in cal.walk("VEVENT")}


def test_center_feed_has_its_published_sessions_in_seoul_time(client, feed_world):
    w = feed_world
    r = client.get(center_url(w))
    assert r.status_code == 200 and r.content_type == "text/calendar; charset=utf-8"
    body = r.get_data()
    found = events(body)
    assert set(found) == {f"session-{w['published'].id}@ieum", f"session-{w['later'].id}@ieum"}
    event = found[f"session-{w['published'].id}@ieum"]
    assert str(event["summary"]) == "웃음치료"
    start = event.decoded("dtstart")
    assert (
        start == datetime(2026, 11, 24, 10, 0, tzinfo=clock.SEOUL)
        and str(start.tzinfo) == "Asia/Seoul"
    )
    assert event.decoded("dtend") == datetime(2026, 11, 24, 11, 0, tzinfo=clock.SEOUL)
    assert event["status"] == "CONFIRMED" and int(event["sequence"]) == 0
    assert str(event["url"]) == f"http://localhost/sessions/{w['published'].id}/join"
    assert "김미숙" in str(event["description"]) and "/join" in str(event["description"])
    text = body.decode()
    assert "BEGIN:VTIMEZONE" in text and "TZID:Asia/Seoul" in text
    assert "DTSTART;TZID=Asia/Seoul:20261124T100000" in text
    assert "X-WR-CALNAME:이음 — 봉성2리 경로당" in text


def test_wrong_or_missing_key_is_404(client, feed_world):
    w = feed_world
    assert client.get(f"/calendar/centers/{w['center'].id}.ics").status_code == 404
    assert client.get(f"/calendar/centers/{w['center'].id}.ics?key=wrong").status_code == 404
    assert (
        client.get(
            f"/calendar/centers/{w['other'].id}.ics?key={w['center'].calendar_key}"
        ).status_code
        == 404
    )
    assert client.get("/calendar/centers/99999.ics?key=x").status_code == 404
    assert client.get(f"/calendar/instructors/{w['instructor'].id}.ics?key=nope").status_code == 404


def test_etag_changes_only_with_content_and_304(client, feed_world):
    w = feed_world
    first = client.get(center_url(w))
    tag = first.headers["ETag"]
    clock.freeze(datetime(2026, 11, 20, 15, 0, tzinfo=UTC))  # hours later: same content, same tag
    again = client.get(center_url(w))
    assert again.headers["ETag"] == tag and again.get_data() == first.get_data()
    not_modified = client.get(center_url(w), headers={"If-None-Match": tag})
    assert not_modified.status_code == 304 and not_modified.get_data() == b""
    session = db.session.get(type(w["published"]), w["published"].id)
    scheduling.update_session(
        w["coordinator"], session, {"start": time(10, 30)}, version=session.version
    )
    db.session.commit()
    changed = client.get(center_url(w), headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["ETag"] != tag
    event = events(changed.get_data())[f"session-{session.id}@ieum"]
    assert (
        int(event["sequence"]) == 1
        and event.decoded("dtstart").hour == 10
        and event.decoded("dtstart").minute == 30
    )


def test_cancelled_stays_with_status_and_raised_sequence(client, feed_world):
    w = feed_world
    session = db.session.get(type(w["later"]), w["later"].id)
    scheduling.cancel_session(w["coordinator"], session, "강사 병가")
    db.session.commit()
    event = events(client.get(center_url(w)).get_data())[f"session-{session.id}@ieum"]
    assert event["status"] == "CANCELLED" and int(event["sequence"]) == 1
    assert "강사 병가" in str(event["description"]) and str(event["summary"]).startswith("[취소]")


def test_publishing_adds_drafts_to_the_feed(client, feed_world):
    w = feed_world
    assert f"session-{w['draft'].id}@ieum" not in events(client.get(center_url(w)).get_data())
    bulk.publish_week(w["coordinator"], "2026-W48")
    db.session.commit()
    assert f"session-{w['draft'].id}@ieum" in events(client.get(center_url(w)).get_data())


def test_instructor_feed_and_key_rotation(client, feed_world, make_token):
    w = feed_world
    old_key = w["instructor"].calendar_key
    url = f"/calendar/instructors/{w['instructor'].id}.ics?key={old_key}"
    found = events(client.get(url).get_data())
    assert set(found) == {f"session-{w['published'].id}@ieum", f"session-{w['later'].id}@ieum"}
    assert "X-WR-CALNAME:이음 — 강사 김미숙" in client.get(url).get_data(as_text=True)
    me = User(username="kim", role=Role.INSTRUCTOR, instructor_id=w["instructor"].id)
    db.session.add(me)
    db.session.commit()
    new_url = client.post(
        f"/api/v1/instructors/{w['instructor'].id}/calendar-key", headers=make_token(me)
    ).json["calendar_url"]
    assert client.get(url).status_code == 404
    assert client.get(new_url.replace("http://localhost", "")).status_code == 200


def test_feeds_need_no_login_and_ignore_the_language(client, feed_world):
    w = feed_world
    body = client.get(center_url(w), headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "강사: 김미숙" in body


@pytest.mark.skipif(
    NODE is None or not ICAL_JS.exists(), reason="node or node_modules/ical.js missing"
)
def test_ical_js_reads_the_feed(client, feed_world, tmp_path):
    """An independent parser: ical.js (Mozilla Thunderbird's) reads every event with the right
    instant, time zone, status and sequence."""
    w = feed_world
    session = db.session.get(type(w["later"]), w["later"].id)
    scheduling.cancel_session(w["coordinator"], session, "폭설")
    db.session.commit()
    feed = tmp_path / "feed.ics"
    feed.write_bytes(client.get(center_url(w)).get_data())
    script = tmp_path / "read.mjs"
    script.write_text(
        f"""
import ICAL from {json.dumps(str(ICAL_JS))};
import {{ readFileSync }} from "node:fs";
const comp = new ICAL.Component(ICAL.parse(readFileSync({json.dumps(str(feed))}, "utf8")));
for (const tz of comp.getAllSubcomponents("vtimezone")) ICAL.TimezoneService.register(tz);
const out = comp.getAllSubcomponents("vevent").map((v) => {{
  const e = new ICAL.Event(v);
  return {{ uid: e.uid, summary: e.summary, tzid: e.startDate.zone ? e.startDate.zone.tzid : null,
            start: e.startDate.toJSDate().toISOString(), end: e.endDate.toJSDate().toISOString(),
            status: v.getFirstPropertyValue("status"), sequence: e.sequence,
            url: v.getFirstPropertyValue("url") }};
}});
const zones = comp.getAllSubcomponents("vtimezone").map((z) => z.getFirstPropertyValue("tzid"));
const name = comp.getFirstPropertyValue("x-wr-calname");
console.log(JSON.stringify({{ name, zones, events: out }}));
""",
        encoding="utf-8",
    )
    result = subprocess.run(
        [NODE, str(script)], capture_output=True, text=True, timeout=60, check=True
    )
    parsed = json.loads(result.stdout)
    assert parsed["zones"] == ["Asia/Seoul"] and parsed["name"] == "이음 — 봉성2리 경로당"
    by_uid = {e["uid"]: e for e in parsed["events"]}
    first = by_uid[f"session-{w['published'].id}@ieum"]
    assert first["tzid"] == "Asia/Seoul"
    assert (
        first["start"] == "2026-11-24T01:00:00.000Z" and first["end"] == "2026-11-24T02:00:00.000Z"
    )
    assert first["status"] == "CONFIRMED" and first["sequence"] == 0
    assert first["url"].endswith(f"/sessions/{w['published'].id}/join")
    cancelled = by_uid[f"session-{session.id}@ieum"]
    assert cancelled["status"] == "CANCELLED" and cancelled["sequence"] == 1
    assert cancelled["start"] == "2026-11-26T05:00:00.000Z"
