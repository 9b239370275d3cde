"""A center's roster: API and pages, kept by its manager, personal data only within scope."""

import pytest
import sqlalchemy as sa

from app.audit import AuditLog
from app.auth.models import Role
from app.extensions import db
from centers.attendance.models import AttendanceMember
from centers.members.models import Member
from tests.conftest import csrf_token
from tests.factories import (
    AttendanceFactory,
    CenterFactory,
    CountyFactory,
    InstructorFactory,
    MemberFactory,
    SessionFactory,
    UserFactory,
)


@pytest.fixture
def roster():
    county, other_county = CountyFactory(), CountyFactory()
    center, neighbour = CenterFactory(county=county), CenterFactory(county=county)
    far = CenterFactory(county=other_county)
    kim = MemberFactory(center=center, name="김순자", birth_year=1941, phone="010-1111-2222")
    lee = MemberFactory(center=center, name="이영수", birth_year=1938)
    park = MemberFactory(center=neighbour, name="박말순")
    return {
        "county": county,
        "center": center,
        "neighbour": neighbour,
        "far": far,
        "kim": kim,
        "lee": lee,
        "park": park,
        "manager": UserFactory(role=Role.CENTER_MANAGER, center_id=center.id, county_id=county.id),
    }


def api(center, member=None) -> str:
    base = f"/api/v1/centers/{center.id}/members"
    return base if member is None else f"{base}/{member.id}"


def test_manager_lists_adds_and_edits_members(client, make_token, roster):
    headers = make_token(roster["manager"])
    center = roster["center"]
    listing = client.get(api(center), headers=headers)
    assert listing.status_code == 200
    assert [m["name"] for m in listing.json] == ["김순자", "이영수"]
    assert (
        listing.json[0]["phone"] == "010-1111-2222" and listing.json[0]["has_attendance"] is False
    )

    created = client.post(
        api(center),
        json={"name": " 최복례 ", "birth_year": 1944, "phone": "010-3333-4444"},
        headers=headers,
    )
    assert created.status_code == 201, created.json
    assert created.json["name"] == "최복례" and created.json["status"] == "active"
    assert created.json["center_id"] == center.id

    member_id = created.json["id"]
    patched = client.patch(
        f"{api(center)}/{member_id}", json={"birth_year": 1945, "note": "보청기"}, headers=headers
    )
    assert (
        patched.status_code == 200
        and patched.json["birth_year"] == 1945
        and patched.json["note"] == "보청기"
    )
    actions = list(
        db.session.scalars(
            sa.select(AuditLog.action).where(
                AuditLog.entity_type == "member", AuditLog.entity_id == member_id
            )
        )
    )
    assert actions == ["member.create", "member.update"]


def test_mark_moved_or_deceased_keeps_the_member(client, make_token, roster):
    headers = make_token(roster["manager"])
    center, kim, lee = roster["center"], roster["kim"], roster["lee"]
    assert (
        client.patch(api(center, kim), json={"status": "deceased"}, headers=headers).json["status"]
        == "deceased"
    )
    assert (
        client.patch(api(center, lee), json={"status": "moved"}, headers=headers).json["status"]
        == "moved"
    )
    assert (
        client.patch(api(center, lee), json={"status": "gone"}, headers=headers).status_code == 422
    )
    active = client.get(api(center) + "?status=active", headers=headers).json
    assert active == []
    everyone = client.get(api(center), headers=headers).json
    assert {m["name"]: m["status"] for m in everyone} == {"김순자": "deceased", "이영수": "moved"}
    entry = db.session.scalar(
        sa.select(AuditLog).where(AuditLog.action == "member.status").limit(1)
    )
    assert entry.before["status"] == "active" and entry.after["status"] == "deceased"


def test_someone_with_attendance_is_never_deleted(client, make_token, roster):
    headers = make_token(roster["manager"])
    center, kim, lee = roster["center"], roster["kim"], roster["lee"]
    session = SessionFactory(centers=[center])
    record = AttendanceFactory(session_obj=session, center=center)
    db.session.add(AttendanceMember(attendance_id=record.id, member_id=kim.id))
    db.session.commit()
    refused = client.delete(api(center, kim), headers=headers)
    assert refused.status_code == 409 and refused.json["error"]["code"] == "conflict"
    assert db.session.get(Member, kim.id) is not None
    assert client.get(api(center, kim), headers=headers).json["has_attendance"] is True
    lee_id = lee.id
    assert client.delete(api(center, lee), headers=headers).status_code == 204
    assert db.session.get(Member, lee_id) is None


def test_validation(client, make_token, roster):
    headers = make_token(roster["manager"])
    center = roster["center"]
    for body, field in [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "가", "birth_year": 1800}, "birth_year"),
        ({"name": "가", "birth_year": "1940"}, "birth_year"),
        ({"name": "가" * 51}, "name"),
    ]:
        response = client.post(api(center), json=body, headers=headers)
        assert response.status_code == 422, body
        assert response.json["error"]["details"]["field"] == field, body
    assert db.session.scalar(sa.select(sa.func.count(Member.id))) == 3


def test_scope(client, make_token, roster):
    center, neighbour, far, park = (
        roster["center"],
        roster["neighbour"],
        roster["far"],
        roster["park"],
    )
    manager = make_token(roster["manager"])
    # Another center's roster: neither read nor write.
    assert client.get(api(neighbour), headers=manager).status_code == 403
    assert client.post(api(neighbour), json={"name": "가"}, headers=manager).status_code == 403
    assert (
        client.patch(api(neighbour, park), json={"name": "나"}, headers=manager).status_code == 403
    )
    assert (
        client.get(api(center, park), headers=manager).status_code == 404
    )  # not a member of this center
    assert client.get("/api/v1/centers/999999/members", headers=manager).status_code == 404

    viewer = make_token(UserFactory(role=Role.COUNTY_VIEWER, county_id=roster["county"].id))
    names = client.get(api(center), headers=viewer).json
    assert [m["name"] for m in names] == ["김순자", "이영수"] and all(
        m["phone"] is None for m in names
    )
    assert client.post(api(center), json={"name": "가"}, headers=viewer).status_code == 403
    assert (
        client.patch(
            api(center, roster["kim"]), json={"status": "moved"}, headers=viewer
        ).status_code
        == 403
    )
    assert client.get(api(far), headers=viewer).status_code == 403

    instructor = UserFactory(role=Role.INSTRUCTOR, instructor_id=InstructorFactory().id)
    SessionFactory(centers=[center], instructor_id=instructor.instructor_id)
    assert client.get(api(center), headers=make_token(instructor)).status_code == 403

    coordinator = make_token(UserFactory(role=Role.COORDINATOR))
    assert client.post(api(far), json={"name": "정갑순"}, headers=coordinator).status_code == 201
    assert client.get(api(center)).status_code == 401


# --- pages -----------------------------------------------------------------------------


def test_manager_keeps_the_roster_on_pages(client, login_as, roster):
    center = roster["center"]
    login_as(roster["manager"])
    assert client.get("/members").location.endswith(f"/centers/{center.id}/members")
    page = client.get(f"/centers/{center.id}/members").get_data(as_text=True)
    assert "김순자" in page and "010-1111-2222" in page and "어르신 등록" in page

    token = csrf_token(client, f"/centers/{center.id}/members")
    added = client.post(
        f"/centers/{center.id}/members",
        data={"name": "한점례", "birth_year": "1939", "phone": "", "note": "", "csrf_token": token},
    )
    assert added.status_code == 302
    member = db.session.scalar(sa.select(Member).where(Member.name == "한점례"))
    assert member.center_id == center.id and member.birth_year == 1939 and member.phone is None

    empty = client.post(f"/centers/{center.id}/members", data={"name": "", "csrf_token": token})
    assert empty.status_code == 422 and "이름을 입력하세요." in empty.get_data(as_text=True)

    edited = client.post(
        f"/centers/{center.id}/members/{member.id}",
        data={
            "name": "한점례",
            "birth_year": "1939",
            "phone": "",
            "note": "",
            "status": "moved",
            "csrf_token": token,
        },
    )
    assert edited.status_code == 302
    db.session.refresh(member)
    assert member.status == "moved"

    member_id = member.id
    deleted = client.post(
        f"/centers/{center.id}/members/{member_id}/delete", data={"csrf_token": token}
    )
    assert deleted.status_code == 302 and db.session.get(Member, member_id) is None


def test_roster_pages_are_scoped(client, login_as, roster):
    neighbour, park = roster["neighbour"], roster["park"]
    login_as(roster["manager"])
    assert client.get(f"/centers/{neighbour.id}/members").status_code == 403
    assert client.get(f"/centers/{neighbour.id}/members/{park.id}").status_code == 403
    token = csrf_token(client, "/home")
    assert (
        client.post(
            f"/centers/{neighbour.id}/members", data={"name": "가", "csrf_token": token}
        ).status_code
        == 403
    )
    assert (
        client.post(
            f"/centers/{neighbour.id}/members/{park.id}/delete", data={"csrf_token": token}
        ).status_code
        == 403
    )
    assert db.session.get(Member, park.id) is not None


def test_county_viewer_reads_names_without_contact_or_forms(client, login_as, roster):
    center = roster["center"]
    login_as(UserFactory(role=Role.COUNTY_VIEWER, county_id=roster["county"].id))
    page = client.get(f"/centers/{center.id}/members")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "김순자" in html
    assert "010-1111-2222" not in html and "어르신 등록" not in html
    assert client.get(f"/centers/{center.id}/members/{roster['kim'].id}").status_code == 403
    token = csrf_token(client, "/home")
    assert (
        client.post(
            f"/centers/{center.id}/members", data={"name": "가", "csrf_token": token}
        ).status_code
        == 403
    )


def test_birth_year_runs_from_1900_to_the_current_year(client, make_token, login_as, roster):
    from datetime import datetime

    from app import clock

    clock.freeze(datetime(2026, 11, 24, 10, 0, tzinfo=clock.SEOUL))
    center, kim = roster["center"], roster["kim"]
    headers = make_token(roster["manager"])
    for year in (2090, 2027, 1899):
        response = client.post(api(center), json={"name": "가", "birth_year": year}, headers=headers)
        assert response.status_code == 422, year
        assert response.json["error"]["details"]["field"] == "birth_year"
        assert "1900년부터 2026년 사이" in response.json["error"]["message"]
    patched = client.patch(api(center, kim), json={"birth_year": 2090}, headers=headers)
    assert patched.status_code == 422
    assert client.post(api(center), json={"name": "가", "birth_year": 2026}, headers=headers).status_code == 201

    login_as(roster["manager"])
    token = csrf_token(client, f"/centers/{center.id}/members")
    refused = client.post(
        f"/centers/{center.id}/members",
        data={"name": "한점례", "birth_year": "2090", "phone": "", "note": "", "csrf_token": token},
    )
    assert refused.status_code == 422
    assert "출생 연도는 1900년부터 2026년 사이로 입력하세요." in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Member, kim.id).birth_year == 1941
    assert db.session.scalar(sa.select(sa.func.count(Member.id)).where(Member.name == "한점례")) == 0


def test_deleting_a_member_asks_to_confirm_first(client, login_as, roster):
    center, lee = roster["center"], roster["lee"]
    lee_id = lee.id
    login_as(roster["manager"])
    url = f"/centers/{center.id}/members/{lee_id}/delete"
    edit = client.get(f"/centers/{center.id}/members/{lee_id}").get_data(as_text=True)
    assert f'href="{url}"' in edit and f'action="{url}"' not in edit
    asked = client.get(url).get_data(as_text=True)
    assert "이영수 어르신을 명단에서 삭제할까요?" in asked and 'method="post"' in asked
    assert db.session.get(Member, lee_id) is not None
    assert client.post(url, data={"csrf_token": csrf_token(client, url)}).status_code == 302
    db.session.expire_all()
    assert db.session.scalar(sa.select(Member.id).where(Member.id == lee_id)) is None
