"""The live board page (/live) and its fragment (/live/panel): the server's first paint with a
tile per center in the viewer's scope, each state in words, the help requests with a resolve form
(posted without script, CSRF-checked), the session picker, the nav entry, English, and a number of
queries that does not grow with the centers."""

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from app import clock
from app.auth.models import Role
from app.extensions import db
from centers.live import services as live
from centers.live.models import HelpRequest
from centers.live.views import phone_href
from centers.presence import services as presence
from tests.conftest import csrf_token
from tests.factories import AttendanceFactory, CenterFactory, CountyFactory, SessionFactory, UserFactory

START = datetime(2026, 11, 24, 10, 0, tzinfo=clock.SEOUL)


@pytest.fixture
def world():
    clock.freeze(START + timedelta(minutes=10))
    bonghwa, buan = CountyFactory(name="봉화군"), CountyFactory(name="부안군")
    a = CenterFactory(county=bonghwa, name="가 경로당", contact_phone="054-111-2222")
    b = CenterFactory(county=bonghwa, name="나 경로당")
    c = CenterFactory(county=buan, name="다 경로당", contact_phone="063 555 6666")
    d = CenterFactory(county=buan, name="라 경로당")
    e = CenterFactory(county=buan, name="마 경로당")
    session = SessionFactory(centers=[a, b, c, d, e])
    later = SessionFactory(centers=[c], start_time=datetime(2026, 11, 24, 14, 0).time())
    return {
        "a": a, "b": b, "c": c, "d": d, "e": e, "session": session, "later": later,
        "coordinator": UserFactory(role=Role.COORDINATOR),
        "instructor": UserFactory(role=Role.INSTRUCTOR, instructor_id=later.instructor_id),
        "bonghwa": UserFactory(role=Role.COUNTY_VIEWER, county_id=bonghwa.id),
        "manager": UserFactory(role=Role.CENTER_MANAGER, center_id=a.id),
    }


def _join(session, center, at, occupant=None):
    presence.joined(session, occupant=occupant or f"jid:{center.id}", participant=f"center-{center.id}",
                    center_id=center.id, at=at, source="jitsi")


def _leave(session, center, at, occupant=None):
    presence.left(session, occupant=occupant or f"jid:{center.id}", participant=f"center-{center.id}",
                  center_id=center.id, at=at, source="jitsi")


@pytest.fixture
def underway(world):
    """a in the room (it dropped out once), b left, c reported, d never joined (late), e
    waiting for nothing (never joined either); a asked for help."""
    session, a, b, c = world["session"], world["a"], world["b"], world["c"]
    _join(session, a, START, occupant="jid:a1")
    _leave(session, a, START + timedelta(minutes=2), occupant="jid:a1")
    _join(session, a, START + timedelta(minutes=3), occupant="jid:a2")
    _join(session, b, START + timedelta(minutes=1))
    _leave(session, b, START + timedelta(minutes=4))
    AttendanceFactory(session_obj=session, center=c, status="technical_issue", headcount=None)
    live.request_help(world["manager"], session.id, a.id, "소리가 안 나요")
    db.session.commit()
    return world


def _tile(html: str, center) -> str:
    start = html.index(f'id="tile-{center.id}"')
    return html[start:html.index("</li>", start)]


def test_the_coordinators_board_paints_every_center_in_words(client, login_as, underway):
    world = underway
    login_as(world["coordinator"])
    response = client.get("/live")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<h1>실시간 현황</h1>" in html and "2026년 11월 24일 (화)" in html
    a, b, c, d = (_tile(html, world[k]) for k in "abcd")
    assert 'data-state="in_room"' in a and "회의실에 있음" in a and "오전 10:00" in a
    assert "<dd>1번</dd>" in a  # dropped out and came back once
    assert 'href="tel:0541112222">054-111-2222</a>' in a
    assert 'data-help-open="true"' in a and "도움 요청 중" in a
    assert 'data-state="left"' in b and "나감" in b and "오전 10:04" in b
    assert 'data-state="reported"' in c and "출석 보고함" in c and "<dd>접속 장애</dd>" in c
    assert 'href="tel:0635556666"' in c
    assert 'data-state="late"' in d and "늦음" in d and "보고 전" in d
    # The help request, prominent, with the resolve form for coordinators.
    assert "소리가 안 나요" in html
    assert f'action="/live/sessions/{world["session"].id}/help/{world["a"].id}/resolve"' in html
    assert f'data-api="/api/v1/sessions/{world["session"].id}/help/{world["a"].id}/resolve"' in html
    # Today's sessions, the chosen one marked, with their counts (API.md's: c, reported without
    # ever joining, counts as late there; its tile says what it is now, reported).
    assert 'aria-current="true"' in html and "접속 1 / 5곳" in html and "늦음 3곳" in html
    assert "도움 요청 1곳" in html and "보고 1곳" in html
    assert 'src="/assets/live-board/live.js"' in html
    assert 'data-stream-url="/live/stream"' in html


def test_a_county_viewer_sees_its_own_centers_and_cannot_resolve(client, login_as, underway):
    world = underway
    login_as(world["bonghwa"])
    html = client.get("/live").get_data(as_text=True)
    assert "가 경로당" in html and "나 경로당" in html
    assert "다 경로당" not in html and "라 경로당" not in html and "063" not in html
    assert "소리가 안 나요" in html and "live-resolve" not in html
    # The later session invites only Buan's center: not on Bonghwa's board.
    assert f"session_id={world['later'].id}" not in html
    response = client.get(f"/live?session_id={world['later'].id}")
    assert response.status_code == 404


def test_an_instructor_sees_own_sessions_only(client, login_as, underway):
    world = underway
    login_as(world["instructor"])
    html = client.get("/live").get_data(as_text=True)
    assert f'data-session-id="{world["later"].id}"' in html
    assert f"session_id={world['session'].id}\"" not in html
    assert client.get(f"/live?session_id={world['session'].id}").status_code == 404


def test_managers_have_no_board_and_strangers_sign_in_first(client, login_as, world):
    assert client.get("/live").status_code == 302
    assert client.get("/live/panel").status_code == 302
    login_as(world["manager"])
    assert client.get("/live").status_code == 403
    assert client.get("/live/panel").status_code == 403


def test_the_nav_entry_for_the_board_roles(client, login_as, world):
    login_as(world["bonghwa"])
    assert 'href="/live"' in client.get("/home").get_data(as_text=True)
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/home")})
    login_as(world["manager"])
    assert 'href="/live"' not in client.get("/home").get_data(as_text=True)


def test_the_session_picker_and_the_panel_fragment(client, login_as, underway):
    world = underway
    login_as(world["coordinator"])
    html = client.get(f"/live/panel?session_id={world['later'].id}").get_data(as_text=True)
    assert html.lstrip().startswith("{#") is False and "<html" not in html
    assert f'data-session-id="{world["later"].id}"' in html
    assert 'id="tile-' in html and html.count('class="live-tile ') == 1
    # Not yet started: the one center is waiting, and the board looks again when it turns late.
    assert 'data-state="waiting"' in html and "아직 안 들어옴" in html
    assert 'data-next-change="14101"' in html  # 14:05:01 - 10:10:00
    assert client.get("/live?session_id=abc").status_code in (302, 422)


def test_resolving_with_the_form(client, login_as, underway):
    world = underway
    session, a = world["session"], world["a"]
    login_as(world["coordinator"])
    url = f"/live/sessions/{session.id}/help/{a.id}/resolve"
    refused = client.post(url, data={"note": "x"})  # no CSRF token
    assert refused.status_code == 302
    assert db.session.scalar(sa.select(HelpRequest.resolved_at)) is None
    token = csrf_token(client, "/live")
    too_long = client.post(url, data={"note": "가" * 501, "csrf_token": token})
    assert too_long.status_code == 302 and db.session.scalar(sa.select(HelpRequest.resolved_at)) is None
    done = client.post(url, data={"note": "전화로 안내함", "csrf_token": token})
    assert done.status_code == 302 and done.headers["Location"].endswith(
        f"/live?session_id={session.id}#tile-{a.id}"
    )
    db.session.expire_all()
    row = db.session.scalars(sa.select(HelpRequest)).one()
    assert row.resolved_at == clock.now() and row.note == "전화로 안내함"
    html = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "도움 요청을 해결됨으로 표시했습니다." in html and "열린 도움 요청이 없습니다." in html


def test_only_coordinators_resolve_with_the_form(client, login_as, underway):
    world = underway
    login_as(world["bonghwa"])
    token = csrf_token(client, "/live")
    url = f"/live/sessions/{world['session'].id}/help/{world['a'].id}/resolve"
    assert client.post(url, data={"csrf_token": token}).status_code == 403
    assert db.session.scalar(sa.select(HelpRequest.resolved_at)) is None


def test_the_board_in_english(client, login_as, underway):
    login_as(underway["coordinator"])
    client.post("/lang/en", data={"csrf_token": csrf_token(client, "/home"), "next": "/home"})
    html = client.get("/live").get_data(as_text=True)
    assert "<h1>Live board</h1>" in html
    assert "In the room" in html and "Late" in html and "Left" in html and "Reported" in html
    assert "Calls for help" in html and "asked for help at" in html and "Center phone" in html
    assert "실시간" not in html and "늦음" not in html


def test_the_board_takes_the_same_queries_for_more_centers(client, login_as, underway, count_queries):
    world = underway
    more = [CenterFactory() for _ in range(15)]
    big = SessionFactory(centers=more, start_time=datetime(2026, 11, 24, 10, 5).time())
    for center in more[:8]:
        _join(big, center, START + timedelta(minutes=6))
    AttendanceFactory(session_obj=big, center=more[9], status="attended", headcount=3)
    db.session.commit()
    login_as(world["coordinator"])
    client.get("/live")
    with count_queries() as few:
        assert client.get(f"/live?session_id={world['session'].id}").status_code == 200
    with count_queries() as many:
        html = client.get(f"/live?session_id={big.id}").get_data(as_text=True)
    assert html.count('class="live-tile ') == 15 and html.count('data-state="in_room"') == 8
    assert len(many) == len(few), many


@pytest.mark.parametrize(
    "phone, href", [("054-111-2222", "0541112222"), ("+82 54 111 2222", "+82541112222"), ("", None), ("없음", None)]
)
def test_phone_href(phone, href):
    assert phone_href(phone) == href


def test_a_coordinator_filters_the_board_by_county(client, login_as, underway):
    world = underway
    buan, bonghwa = world["c"].county_id, world["a"].county_id
    login_as(world["coordinator"])
    html = client.get("/live").get_data(as_text=True)
    assert '<select id="live-county" name="county_id">' in html and "부안군" in html
    html = client.get(f"/live?county_id={buan}&session_id={world['session'].id}").get_data(as_text=True)
    names = {name for name in ("가 경로당", "나 경로당", "다 경로당", "라 경로당", "마 경로당") if name in html}
    assert names == {"다 경로당", "라 경로당", "마 경로당"}
    assert f'data-county-id="{buan}"' in html
    assert f'href="/live?session_id={world["later"].id}&amp;county_id={buan}"' in html
    panel = client.get(f"/live/panel?county_id={bonghwa}").get_data(as_text=True)
    # Bonghwa's centers are invited only to the morning session: the later one is not listed.
    assert f'data-live-session="{world["later"].id}"' not in panel and "가 경로당" in panel
    assert "다 경로당" not in panel
    assert client.get("/live?county_id=999999").status_code == 404


def test_a_county_viewer_has_no_county_filter_and_no_other_county(client, login_as, underway):
    world = underway
    login_as(world["bonghwa"])
    html = client.get("/live").get_data(as_text=True)
    assert 'id="live-county"' not in html
    assert client.get(f"/live?county_id={world['c'].county_id}").status_code == 403
