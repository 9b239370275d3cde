"""The scope matrix: the product's first promise, checked endpoint by endpoint and role by role.

"A county viewer never sees another county's centers, members or numbers; a center manager never
sees another center." Two counties (A and B), each with a center, members, a published session,
attendance and a care follow-up, plus a draft session. Every non-staff user of A asks for B's
objects (API with bearer tokens, pages through the login form): each answer is 403 or 404, lists
never carry B's ids (nor drafts), and writes to B's objects are refused and change nothing. The
coordinator row is the control: the same requests succeed for staff, so a 403/404 above is scope,
not a broken URL or body.
"""

from datetime import date, datetime, time

import pytest
import sqlalchemy as sa

from app import clock
from app.auth.models import Role, User
from app.extensions import db
from centers.attendance.models import Attendance, AttendanceMember
from centers.care.models import FollowUp
from centers.directory.models import Center
from centers.live.models import HelpRequest
from centers.members.models import Member
from programs.schedule.models import Session
from tests.conftest import csrf_token, empty_tables
from tests.factories import (
    AttendanceFactory,
    CenterFactory,
    ClosureFactory,
    CountyFactory,
    InstructorFactory,
    MemberFactory,
    ProgramFactory,
    SessionFactory,
    user_for,
)

DENIED = (403, 404)
NON_STAFF = ("viewer_a", "manager_a", "instructor_a")
ROLES = (*NON_STAFF, "coordinator")
WEEK = "2026-W48"
# Names that only B's objects (and the draft) carry: none may appear on A's pages.
B_MARKERS = ("베타센터", "베타어르신", "베타수업", "초안수업", "베타휴관", "베타 사유", "베타 도움")


def _follow_up(center, member, reason):
    item = FollowUp(
        kind="absence_streak",
        county_id=center.county_id,
        center_id=center.id,
        member_id=member.id,
        status="open",
        reason=reason,
        note="",
    )
    db.session.add(item)
    db.session.commit()
    return item


NOON = datetime(2026, 11, 24, 12, 0, tzinfo=clock.SEOUL)


def _build_world():
    """Counties A and B, their centers, members, sessions, attendance and follow-ups; users."""
    county_a = CountyFactory(name="알파군")
    county_b = CountyFactory(name="베타군")
    center_a = CenterFactory(county=county_a, name="알파센터")
    center_b = CenterFactory(county=county_b, name="베타센터")
    member_a = MemberFactory(center=center_a, name="알파어르신")
    member_b = MemberFactory(center=center_b, name="베타어르신")
    MemberFactory(center=center_b, name="베타어르신둘")
    instructor_a = InstructorFactory(name="알파강사")
    instructor_b = InstructorFactory(name="베타강사")
    session_a = SessionFactory(program=ProgramFactory(title="알파수업"), instructor=instructor_a, centers=[center_a])
    session_b = SessionFactory(
        program=ProgramFactory(title="베타수업"),
        instructor=instructor_b,
        centers=[center_b],
        start_time=time(9, 0),
    )
    # A draft that invites A's center and is taught by A's instructor: still staff-only.
    draft = SessionFactory(
        program=ProgramFactory(title="초안수업"),
        instructor=instructor_a,
        centers=[center_a],
        date=date(2026, 11, 26),
        status="draft",
        published_at=None,
    )
    # Taught by B's instructor, inviting both centers: A sees the session, never B's part of it.
    shared = SessionFactory(
        program=ProgramFactory(title="공동수업"),
        instructor=instructor_b,
        centers=[center_a, center_b],
        start_time=time(8, 0),
    )
    AttendanceFactory(session_obj=session_a, center=center_a, headcount=7)
    AttendanceFactory(session_obj=shared, center=center_a, headcount=5)
    AttendanceFactory(session_obj=shared, center=center_b, headcount=11, status="absent")
    ClosureFactory(date=date(2026, 11, 25), reason="베타휴관 경로당", center_id=center_b.id)
    ClosureFactory(date=date(2026, 11, 27), reason="베타휴관 군", county_id=county_b.id)
    record_b = AttendanceFactory(session_obj=session_b, center=center_b, headcount=9)
    record_b.members.append(AttendanceMember(member_id=member_b.id))
    db.session.add(HelpRequest(session_id=session_b.id, center_id=center_b.id, requested_at=clock.now(),
                               message="베타 도움"))
    db.session.commit()
    fu_a = _follow_up(center_a, member_a, "알파 사유")
    fu_b = _follow_up(center_b, member_b, "베타 사유")
    users = {
        "viewer_a": user_for(Role.COUNTY_VIEWER.value, county_id=county_a.id),
        "manager_a": user_for(Role.CENTER_MANAGER.value, center_id=center_a.id),
        "instructor_a": user_for(Role.INSTRUCTOR.value, instructor_id=instructor_a.id),
        "coordinator": user_for(Role.COORDINATOR.value),
    }
    ids = {
        "county_a": county_a.id,
        "county_b": county_b.id,
        "center_a": center_a.id,
        "center_b": center_b.id,
        "member_a": member_a.id,
        "member_b": member_b.id,
        "session_a": session_a.id,
        "session_b": session_b.id,
        "draft": draft.id,
        "shared": shared.id,
        "fu_a": fu_a.id,
        "fu_b": fu_b.id,
        "instructor_b": instructor_b.id,
    }
    return {role: user.id for role, user in users.items()}, ids


@pytest.fixture(scope="module")
def committed_world(session_app):
    """The world, built and committed once for the module: each test only reads it, or writes
    inside its own transaction that is rolled back. Emptied after the module."""
    with session_app.app_context():
        clock.freeze(NOON)
        try:
            user_ids, ids = _build_world()
        finally:
            clock.freeze(None)
    yield user_ids, ids
    with session_app.app_context():
        empty_tables()


@pytest.fixture
def world(app, committed_world):
    """``(users, ids)`` for one test: the committed world's users in the test's session, the
    clock at noon on the day of the sessions."""
    user_ids, ids = committed_world
    clock.freeze(NOON)
    yield {role: db.session.get(User, user_id) for role, user_id in user_ids.items()}, ids
    clock.freeze(None)


def _snapshot(ids) -> dict:
    """Everything a refused write could have changed on B's side (and the draft)."""
    db.session.expire_all()
    record = db.session.scalar(
        sa.select(Attendance).where(Attendance.session_id == ids["session_b"], Attendance.center_id == ids["center_b"])
    )
    records = db.session.scalar(
        sa.select(sa.func.count()).select_from(Attendance).where(Attendance.center_id == ids["center_b"])
    )
    members = db.session.execute(
        sa.select(Member.id, Member.name, Member.status, Member.phone)
        .where(Member.center_id == ids["center_b"])
        .order_by(Member.id)
    ).all()
    center = db.session.get(Center, ids["center_b"])
    session = db.session.get(Session, ids["session_b"])
    fu = db.session.get(FollowUp, ids["fu_b"])
    return {
        "record": (record.status, record.headcount, record.note, record.updated_at),
        "records": records,
        "shared_b": db.session.execute(
            sa.select(Attendance.status, Attendance.headcount, Attendance.updated_at).where(
                Attendance.session_id == ids["shared"], Attendance.center_id == ids["center_b"]
            )
        ).one()[:],
        "members": [tuple(m) for m in members],
        "center": (center.name, center.address, center.capacity, center.active),
        "session": (session.status, session.version if hasattr(session, "version") else None),
        "follow_up": (fu.status, fu.note, fu.outcome),
        "help": db.session.execute(
            sa.select(HelpRequest.id, HelpRequest.session_id, HelpRequest.resolved_at, HelpRequest.note)
            .where(HelpRequest.center_id == ids["center_b"])
            .order_by(HelpRequest.id)
        ).all(),
        "center_phone": center.contact_phone,
    }


def _fmt(template: str, ids: dict) -> str:
    return template.format(**ids)


# --- API reads of B's objects -------------------------------------------------------------

API_OBJECT_READS = [
    "/api/v1/counties/{county_b}",
    "/api/v1/centers/{center_b}",
    "/api/v1/centers/{center_b}/members",
    "/api/v1/centers/{center_b}/members/{member_b}",
    "/api/v1/centers/{center_a}/members/{member_b}",  # B's member through A's center
    "/api/v1/sessions/{session_b}",
    "/api/v1/sessions/{session_b}/attendance/{center_b}",
    "/api/v1/sessions/{session_a}/attendance/{center_b}",
    "/api/v1/sessions/{shared}/attendance/{center_b}",
    "/api/v1/sessions/{shared}/join?center_id={center_b}",
    "/calendar/centers/{center_b}.ics",
    "/calendar/centers/{center_b}.ics?key=wrong",
    "/api/v1/sessions/{session_b}/join",
    "/api/v1/sessions/{session_b}/join?center_id={center_b}",
    "/api/v1/sessions/{session_b}/presence",
    "/api/v1/care/follow-ups/{fu_b}",
    "/api/v1/sessions/{session_b}/live",
    "/api/v1/live/today?county_id={county_b}",
    # filters naming B: 403 (never an empty list)
    "/api/v1/centers?county_id={county_b}",
    "/api/v1/sessions?center_id={center_b}",
    "/api/v1/sessions?center_id={center_b}&status=draft",
    "/api/v1/attendance?county_id={county_b}",
    "/api/v1/attendance?center_id={center_b}",
    "/api/v1/reports/attendance?county_id={county_b}&from=2026-11-01&to=2026-11-30",
    "/api/v1/reports/attendance?center_id={center_b}&from=2026-11-01&to=2026-11-30",
    "/api/v1/care/follow-ups?county_id={county_b}",
]
# The draft: nobody but staff may know it (404, not 403).
API_DRAFT_READS = [
    "/api/v1/sessions/{draft}",
    "/api/v1/sessions/{draft}/attendance/{center_a}",
    "/api/v1/sessions/{draft}/join",
    "/api/v1/sessions/{draft}/live",
]
# Staff may read these (the control); a few are not GETs staff get 200 on for other reasons.
CONTROL_SKIP = {
    "/api/v1/sessions/{session_a}/attendance/{center_b}",  # B is not invited: 404 for everyone
    "/api/v1/sessions/{session_b}/join?center_id={center_b}",
    "/api/v1/sessions/{session_b}/join",
    "/api/v1/sessions/{draft}/join",
    "/api/v1/centers/{center_a}/members/{member_b}",  # not A's member: 404 for everyone
    "/api/v1/sessions/{draft}/attendance/{center_a}",  # no record on the draft: 404 for everyone
    "/api/v1/sessions/{shared}/join?center_id={center_b}",
    "/calendar/centers/{center_b}.ics",
    "/calendar/centers/{center_b}.ics?key=wrong",
}


@pytest.mark.parametrize("role", NON_STAFF)
@pytest.mark.parametrize("path", API_OBJECT_READS + API_DRAFT_READS)
def test_api_read_of_b_is_refused(client, make_token, world, path, role):
    users, ids = world
    response = client.get(_fmt(path, ids), headers=make_token(users[role]))
    assert response.status_code in DENIED, (path, role, response.status_code, response.get_data(as_text=True)[:300])


@pytest.mark.parametrize("role", NON_STAFF)
@pytest.mark.parametrize("path", API_DRAFT_READS)
def test_api_draft_is_not_found(client, make_token, world, path, role):
    users, ids = world
    response = client.get(_fmt(path, ids), headers=make_token(users[role]))
    # County viewers never join any session, centers have no live board: 403 for every
    # session id, which reveals nothing.
    role_refused = (path.endswith("/join") and role == "viewer_a") or (
        path.endswith("/live") and role == "manager_a"
    )
    expected = 403 if role_refused else 404
    assert response.status_code == expected, (path, role, response.status_code)


@pytest.mark.parametrize("path", [p for p in API_OBJECT_READS + API_DRAFT_READS if p not in CONTROL_SKIP])
def test_api_read_control_coordinator(client, make_token, world, path):
    users, ids = world
    response = client.get(_fmt(path, ids), headers=make_token(users["coordinator"]))
    assert response.status_code == 200, (path, response.status_code, response.get_data(as_text=True)[:300])


# --- API lists: never B's ids, never drafts -----------------------------------------------


def _ids_in(payload, key: str) -> set:
    """Every value of ``key`` anywhere in the JSON payload (ints only)."""
    found = set()
    if isinstance(payload, dict):
        for k, v in payload.items():
            if k == key and isinstance(v, int):
                found.add(v)
            elif k == key and isinstance(v, list):
                found.update(x for x in v if isinstance(x, int))
            else:
                found |= _ids_in(v, key)
    elif isinstance(payload, list):
        for item in payload:
            found |= _ids_in(item, key)
    return found


# (path, {key: [forbidden id names]})
API_LISTS = [
    ("/api/v1/counties", {"id": ["county_b"]}),
    ("/api/v1/centers", {"id": ["center_b"], "county_id": ["county_b"]}),
    ("/api/v1/sessions", {"id": ["session_b", "draft"], "center_ids": ["center_b"]}),
    ("/api/v1/sessions?status=draft", {"id": ["session_b", "draft"], "center_ids": ["center_b"]}),
    ("/api/v1/sessions?center_id={center_a}", {"id": ["session_b", "draft"], "center_ids": ["center_b"]}),
    ("/api/v1/sessions/{shared}", {"center_ids": ["center_b"]}),
    ("/api/v1/attendance?county_id={county_a}", {"center_id": ["center_b"], "member_ids": ["member_b"]}),
    ("/api/v1/attendance?center_id={center_a}", {"center_id": ["center_b"], "member_ids": ["member_b"]}),
    ("/api/v1/reports/attendance?group_by=program&from=2026-11-01&to=2026-11-30", {"key": []}),
    ("/api/v1/attendance?session_id={session_b}", {"center_id": ["center_b"], "session_id": ["session_b"]}),
    ("/api/v1/attendance?session_id={shared}", {"center_id": ["center_b"], "member_ids": ["member_b"]}),
    ("/api/v1/sessions?instructor_id={instructor_b}", {"id": ["session_b", "draft"], "center_ids": ["center_b"]}),
    ("/api/v1/care/follow-ups?county_id={county_a}", {"id": ["fu_b"], "center_id": ["center_b"]}),
    ("/api/v1/sessions?from=2026-11-01&to=2026-11-30", {"id": ["session_b", "draft"], "center_ids": ["center_b"]}),
    (f"/api/v1/weeks/{WEEK}", {"id": ["session_b", "draft"], "center_ids": ["center_b"]}),
    (
        "/api/v1/attendance",
        {"center_id": ["center_b"], "session_id": ["session_b", "draft"], "member_ids": ["member_b"]},
    ),
    ("/api/v1/attendance?from=2026-11-01&to=2026-11-30", {"center_id": ["center_b"], "session_id": ["session_b"]}),
    ("/api/v1/reports/attendance?from=2026-11-01&to=2026-11-30", {"key": ["center_b"]}),
    ("/api/v1/care/follow-ups", {"id": ["fu_b"], "center_id": ["center_b"], "member_id": ["member_b"]}),
    ("/api/v1/centers/{center_a}/members", {"id": ["member_b"], "center_id": ["center_b"]}),
    ("/api/v1/live/today", {"session_id": ["session_b", "draft"]}),
    ("/api/v1/live/today?county_id={county_a}", {"session_id": ["session_b", "draft"]}),
    ("/api/v1/sessions/{shared}/live", {"center_id": ["center_b"], "county_id": ["county_b"]}),
    ("/api/v1/sessions/{session_a}/live", {"center_id": ["center_b"], "county_id": ["county_b"]}),
]


@pytest.mark.parametrize("role", NON_STAFF)
@pytest.mark.parametrize("path,forbidden", API_LISTS, ids=[p for p, _ in API_LISTS])
def test_api_list_never_carries_b(client, make_token, world, path, forbidden, role):
    users, ids = world
    response = client.get(_fmt(path, ids), headers=make_token(users[role]))
    if response.status_code in DENIED:
        return  # the role may not list this at all (e.g. care for a manager)
    assert response.status_code == 200, (path, role, response.status_code)
    payload = response.get_json()
    for key, names in forbidden.items():
        leaked = _ids_in(payload, key) & {ids[n] for n in names}
        assert not leaked, (path, role, key, leaked)
    body = response.get_data(as_text=True)
    for marker in B_MARKERS:
        assert marker not in body, (path, role, marker)


def test_api_lists_control_coordinator(client, make_token, world):
    """Staff lists do carry B and the draft: the list checks above test something."""
    users, ids = world
    headers = make_token(users["coordinator"])
    assert ids["session_b"] in _ids_in(client.get("/api/v1/sessions", headers=headers).get_json(), "id")
    assert ids["draft"] in _ids_in(client.get("/api/v1/sessions", headers=headers).get_json(), "id")
    assert ids["center_b"] in _ids_in(client.get("/api/v1/attendance", headers=headers).get_json(), "center_id")
    assert ids["fu_b"] in _ids_in(client.get("/api/v1/care/follow-ups", headers=headers).get_json(), "id")
    assert ids["center_b"] in _ids_in(client.get("/api/v1/centers", headers=headers).get_json(), "id")


# --- API writes to B's objects --------------------------------------------------------------

API_WRITES = [
    (
        "PUT",
        "/api/v1/sessions/{session_b}/attendance/{center_b}",
        {"status": "absent", "headcount": 0, "member_ids": []},
    ),
    (
        "PUT",
        "/api/v1/sessions/{session_b}/attendance/{center_b}",
        {"status": "attended", "headcount": 3, "member_ids": [], "client_ref": "x-1"},
    ),
    ("POST", "/api/v1/centers/{center_b}/members", {"name": "침입자", "birth_year": 1950}),
    ("PATCH", "/api/v1/centers/{center_b}/members/{member_b}", {"name": "바뀐이름"}),
    ("DELETE", "/api/v1/centers/{center_b}/members/{member_b}", None),
    ("PATCH", "/api/v1/care/follow-ups/{fu_b}", {"status": "resolved", "note": "침입"}),
    ("PATCH", "/api/v1/centers/{center_b}", {"name": "바뀐센터"}),
    ("POST", "/api/v1/sessions/{session_b}/cancel", {"reason": "침입"}),
    ("PATCH", "/api/v1/sessions/{session_b}", {"version": 1, "duration_minutes": 90}),
    ("PATCH", "/api/v1/centers/{center_a}/members/{member_b}", {"name": "바뀐이름"}),
    ("DELETE", "/api/v1/centers/{center_a}/members/{member_b}", None),
    (
        "PUT",
        "/api/v1/sessions/{shared}/attendance/{center_b}",
        {"status": "attended", "headcount": 2, "member_ids": []},
    ),
    ("POST", "/api/v1/centers/{center_b}/calendar-key", None),
    ("PATCH", "/api/v1/centers/{center_b}", {"contact_phone": "010-0000-0000"}),
    ("POST", "/api/v1/sessions/{session_b}/help", {}),
    ("POST", "/api/v1/sessions/{session_b}/help", {"message": "침입"}),
    ("POST", "/api/v1/sessions/{session_b}/help/{center_b}/resolve", {"note": "침입"}),
]
CONTROL_WRITE_SKIP = {
    "/api/v1/sessions/{session_b}/help",  # only a center asks for help: 403 for staff too
    "/api/v1/centers/{center_b}/calendar-key",
    "/api/v1/centers/{center_a}/members/{member_b}",  # not A's member: 404 for everyone
}


@pytest.mark.parametrize("role", NON_STAFF)
@pytest.mark.parametrize("method,path,body", API_WRITES, ids=[f"{m} {p}" for m, p, _ in API_WRITES])
def test_api_write_to_b_is_refused_and_changes_nothing(client, make_token, world, method, path, body, role):
    users, ids = world
    before = _snapshot(ids)
    kwargs = {"headers": make_token(users[role])}
    if body is not None:
        kwargs["json"] = body
    response = client.open(_fmt(path, ids), method=method, **kwargs)
    assert response.status_code in DENIED, (method, path, role, response.status_code)
    assert _snapshot(ids) == before, (method, path, role)


API_CONTROL_WRITES = [w for w in API_WRITES if w[1] not in CONTROL_WRITE_SKIP]


@pytest.mark.parametrize("method,path,body", API_CONTROL_WRITES, ids=[f"{m} {p}" for m, p, _ in API_CONTROL_WRITES])
def test_api_write_control_coordinator(client, make_token, world, method, path, body):
    users, ids = world
    kwargs = {"headers": make_token(users["coordinator"])}
    if body is not None:
        kwargs["json"] = body
    response = client.open(_fmt(path, ids), method=method, **kwargs)
    # deleting a member with attendance history answers 409 (mark them moved): scope passed
    ok = (200, 201, 204, 409) if method == "DELETE" else (200, 201, 204)
    assert response.status_code in ok, (method, path, response.status_code, response.get_data(as_text=True)[:300])


# --- pages ------------------------------------------------------------------------------------

PAGE_OBJECT_READS = [
    "/centers/{center_b}",
    "/centers/{center_b}/members",
    "/centers/{center_b}/members/{member_b}",
    "/centers/{center_a}/members/{member_b}",
    "/centers/{center_b}/timetable",
    "/attendance/sessions/{shared}/centers/{center_b}",
    "/attendance/sessions/{session_b}",
    "/attendance/sessions/{session_b}/centers/{center_b}",
    "/attendance/sessions/{draft}",
    "/attendance/sessions/{draft}/centers/{center_a}",
    "/sessions/{session_b}",
    "/sessions/{draft}",
    "/sessions/{session_b}/join",
    "/rooms/{session_b}",
    "/tablet/sessions/{session_b}/attendance",
    "/reports/?county_id={county_b}",
    "/reports/?center_id={center_b}",
    "/reports/attendance.csv?county_id={county_b}",
    "/reports/attendance.xlsx?county_id={county_b}",
    "/reports/print?county_id={county_b}",
    "/care/?county_id={county_b}",
    "/live?session_id={session_b}",
    "/live/panel?session_id={session_b}",
    "/live/stream?session_id={session_b}",
]


@pytest.mark.parametrize("role", NON_STAFF)
@pytest.mark.parametrize("path", PAGE_OBJECT_READS)
def test_page_of_b_is_refused(login_as, world, path, role):
    users, ids = world
    client = login_as(users[role])
    # follow redirects: a page may send a role elsewhere, but where it lands must refuse too
    response = client.get(_fmt(path, ids), follow_redirects=True)
    assert response.status_code in DENIED, (path, role, response.status_code)


PAGE_CONTROL = [
    p
    for p in PAGE_OBJECT_READS
    if p
    not in (
        "/sessions/{session_b}/join",
        "/centers/{center_a}/members/{member_b}",
        "/tablet/sessions/{session_b}/attendance",
        "/attendance/sessions/{draft}",
        "/attendance/sessions/{draft}/centers/{center_a}",
        "/live/stream?session_id={session_b}",  # a coordinator's stream never ends by itself
    )
]


@pytest.mark.parametrize("path", PAGE_CONTROL)
def test_page_control_coordinator(login_as, world, path):
    users, ids = world
    client = login_as(users["coordinator"])
    response = client.get(_fmt(path, ids))
    assert response.status_code == 200, (path, response.status_code)


PAGE_LISTS = [
    "/centers",
    "/counties",
    "/members",
    "/attendance",
    "/timetable",
    "/centers/{center_a}/timetable",
    "/centers/{center_a}/members",
    "/centers/{center_a}",
    f"/weeks/{WEEK}",
    "/weeks",
    "/rooms",
    "/home",
    "/tablet/attendance",
    "/reports/?from=2026-11-01&to=2026-11-30",
    "/reports/?county_id={county_a}&from=2026-11-01&to=2026-11-30",
    "/reports/attendance.csv?from=2026-11-01&to=2026-11-30",
    "/reports/attendance.csv?county_id={county_a}&from=2026-11-01&to=2026-11-30",
    "/reports/print?from=2026-11-01&to=2026-11-30",
    "/care/",
    "/care/?view=all",
    "/calendar-feeds",
    "/live",
    "/live/panel",
    "/live?session_id={shared}",
    "/live/panel?session_id={shared}",
    "/live?session_id={session_a}",
]


@pytest.mark.parametrize("role", NON_STAFF)
@pytest.mark.parametrize("path", PAGE_LISTS)
def test_page_list_never_shows_b(login_as, world, path, role):
    users, ids = world
    client = login_as(users[role])
    response = client.get(_fmt(path, ids), follow_redirects=True)
    if response.status_code in DENIED:
        return
    assert response.status_code == 200, (path, role, response.status_code)
    body = response.get_data(as_text=True)
    for marker in B_MARKERS:
        assert marker not in body, (path, role, marker)
    assert f"/centers/{ids['center_b']}" not in body, (path, role)
    assert f"/sessions/{ids['session_b']}" not in body, (path, role)
    assert f"/sessions/{ids['draft']}" not in body, (path, role)


def test_xlsx_export_never_shows_b(login_as, world):
    import io

    from openpyxl import load_workbook

    users, ids = world
    for role in ("viewer_a", "manager_a"):
        client = login_as(users[role])
        response = client.get("/reports/attendance.xlsx?from=2026-11-01&to=2026-11-30")
        assert response.status_code == 200, role
        book = load_workbook(io.BytesIO(response.data))
        cells = " ".join(
            str(c) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for c in row if c
        )
        for marker in B_MARKERS:
            assert marker not in cells, (role, marker)
        client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/home")})


def test_page_lists_control_coordinator(login_as, world):
    users, ids = world
    client = login_as(users["coordinator"])
    assert "베타센터" in client.get("/centers").get_data(as_text=True)
    assert "베타 사유" in client.get("/care/").get_data(as_text=True)


# --- page writes to B's objects ------------------------------------------------------------


def _page_writes(ids, token):
    fu = ids["fu_b"]
    return {
        "care update": (
            f"/care/{fu}",
            {f"f{fu}-csrf_token": token, f"f{fu}-status": "resolved", f"f{fu}-note": "침입", "csrf_token": token},
        ),
        "attendance record": (
            f"/attendance/sessions/{ids['session_b']}/centers/{ids['center_b']}",
            {"csrf_token": token, "status": "absent", "headcount": "0"},
        ),
        "tablet form": (
            f"/tablet/sessions/{ids['session_b']}/attendance",
            {"csrf_token": token, "status": "absent", "headcount": "0"},
        ),
        "add member": (f"/centers/{ids['center_b']}/members", {"csrf_token": token, "name": "침입자"}),
        "edit member": (
            f"/centers/{ids['center_b']}/members/{ids['member_b']}",
            {"csrf_token": token, "name": "바뀐이름"},
        ),
        "delete member": (f"/centers/{ids['center_b']}/members/{ids['member_b']}/delete", {"csrf_token": token}),
        "cancel session": (f"/sessions/{ids['session_b']}/cancel", {"csrf_token": token, "reason": "침입"}),
        "rotate center key": (f"/calendar-feeds/centers/{ids['center_b']}/rotate", {"csrf_token": token}),
        "pair tablet": (f"/centers/{ids['center_b']}/tablets", {"csrf_token": token}),
        "help request": (f"/tablet/sessions/{ids['session_b']}/help", {"csrf_token": token}),
        "resolve help": (
            f"/live/sessions/{ids['session_b']}/help/{ids['center_b']}/resolve",
            {"csrf_token": token, "note": "침입"},
        ),
    }


PAGE_WRITES = [
    "care update",
    "attendance record",
    "tablet form",
    "add member",
    "edit member",
    "delete member",
    "cancel session",
    "rotate center key",
    "pair tablet",
    "help request",
    "resolve help",
]


@pytest.mark.parametrize("role", NON_STAFF)
@pytest.mark.parametrize("name", PAGE_WRITES)
def test_page_write_to_b_is_refused_and_changes_nothing(login_as, world, name, role):
    users, ids = world
    client = login_as(users[role])
    token = csrf_token(client, "/home")
    path, data = _page_writes(ids, token)[name]
    before = _snapshot(ids)
    response = client.post(path, data=data, follow_redirects=True)
    assert response.status_code in DENIED, (name, role, response.status_code)
    assert _snapshot(ids) == before, (name, role)


# --- numbers: A's figures are A's alone ---------------------------------------------------------

REPORT_PATHS = [
    "/api/v1/reports/attendance?from=2026-11-01&to=2026-11-30",
    "/api/v1/reports/attendance?county_id={county_a}&from=2026-11-01&to=2026-11-30",
    "/api/v1/reports/attendance?center_id={center_a}&from=2026-11-01&to=2026-11-30",
    "/api/v1/reports/attendance?group_by=program&from=2026-11-01&to=2026-11-30",
    "/api/v1/reports/attendance?group_by=week&from=2026-11-01&to=2026-11-30",
]


@pytest.mark.parametrize("role", ("viewer_a", "manager_a"))
@pytest.mark.parametrize("path", REPORT_PATHS)
def test_report_numbers_are_a_only(client, make_token, world, path, role):
    """A: session_a (7) and the shared session (5), both attended; B's 9 and 11 never count."""
    users, ids = world
    response = client.get(_fmt(path, ids), headers=make_token(users[role]))
    if response.status_code == 422:
        pytest.skip("this report filter is not offered")
    assert response.status_code == 200, (path, role, response.status_code)
    totals = response.get_json()["totals"]
    assert totals["headcount"] == 12, (path, role, totals)
    assert totals["invited"] == 2, (path, role, totals)
    assert totals["sessions"] == 2, (path, role, totals)
    assert totals["absent"] == 0, (path, role, totals)
    assert totals["members"] == 0, (path, role, totals)


def test_report_numbers_control_coordinator(client, make_token, world):
    users, ids = world
    response = client.get(
        "/api/v1/reports/attendance?from=2026-11-01&to=2026-11-30", headers=make_token(users["coordinator"])
    )
    totals = response.get_json()["totals"]
    assert (totals["headcount"], totals["invited"], totals["absent"]) == (32, 4, 1)


@pytest.mark.parametrize("role", NON_STAFF)
def test_week_hides_b_closures_and_drafts(client, make_token, world, role):
    users, ids = world
    response = client.get(f"/api/v1/weeks/{WEEK}", headers=make_token(users[role]))
    assert response.status_code == 200, role
    week = response.get_json()
    assert week["status"] != "draft", role
    closed = {day["date"]: day["closed"] for day in week["days"]}
    assert not closed["2026-11-25"] and not closed["2026-11-27"], (role, closed)


def test_week_control_coordinator(client, make_token, world):
    users, ids = world
    week = client.get(f"/api/v1/weeks/{WEEK}", headers=make_token(users["coordinator"])).get_json()
    assert week["status"] == "draft"


# --- B's member smuggled into A's attendance ------------------------------------------------


@pytest.mark.parametrize("role", ("manager_a", "coordinator"))
@pytest.mark.parametrize("session_key", ("session_a", "shared"))
def test_b_member_cannot_be_marked_present_at_a(client, make_token, world, session_key, role):
    users, ids = world
    before = _snapshot(ids)
    response = client.put(
        f"/api/v1/sessions/{ids[session_key]}/attendance/{ids['center_a']}",
        json={"status": "attended", "headcount": 3, "member_ids": [ids["member_b"]]},
        headers=make_token(users[role]),
    )
    assert response.status_code in (*DENIED, 422), (session_key, role, response.status_code)
    linked = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(AttendanceMember)
        .join(Attendance)
        .where(AttendanceMember.member_id == ids["member_b"], Attendance.center_id == ids["center_a"])
    )
    assert linked == 0
    assert _snapshot(ids) == before
