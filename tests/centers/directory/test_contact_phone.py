"""A center's contact phone: taken by POST/PATCH /centers and the center form, shown only to
staff and the center's own county (and to the session's instructor on the live board)."""

import pytest

from app.auth.models import Role
from app.extensions import db
from centers.directory.models import Center
from tests.conftest import csrf_token
from tests.factories import CenterFactory, CountyFactory, SessionFactory, UserFactory

PHONE = "054-672-1234"


def test_post_and_patch_take_it(client, make_token):
    county = CountyFactory()
    headers = make_token(UserFactory(role=Role.COORDINATOR))
    created = client.post("/api/v1/centers", json={"county_id": county.id, "name": "봉성2리 경로당",
                                                   "contact_phone": f"  {PHONE} "}, headers=headers)
    assert created.status_code == 201, created.json
    assert created.json["contact_phone"] == PHONE
    center_id = created.json["id"]
    patched = client.patch(f"/api/v1/centers/{center_id}", json={"contact_phone": "010-1111-2222"},
                           headers=headers)
    assert patched.json["contact_phone"] == "010-1111-2222"
    assert client.get(f"/api/v1/centers/{center_id}", headers=headers).json["contact_phone"] == "010-1111-2222"
    cleared = client.patch(f"/api/v1/centers/{center_id}", json={"contact_phone": ""}, headers=headers)
    assert cleared.json["contact_phone"] is None
    assert db.session.get(Center, center_id).contact_phone is None


def test_too_long_is_invalid(client, make_token):
    center = CenterFactory()
    headers = make_token(UserFactory(role=Role.COORDINATOR))
    response = client.patch(f"/api/v1/centers/{center.id}", json={"contact_phone": "1" * 31}, headers=headers)
    assert response.status_code == 422
    assert response.json["error"]["details"]["field"] == "contact_phone"
    response = client.post("/api/v1/centers", json={"county_id": center.county_id, "name": "x",
                                                    "contact_phone": 12}, headers=headers)
    assert response.status_code == 422


@pytest.fixture
def world():
    county, other = CountyFactory(), CountyFactory()
    center = CenterFactory(county=county, contact_phone=PHONE)
    session = SessionFactory(centers=[center])
    return {
        "center": center,
        "coordinator": UserFactory(role=Role.COORDINATOR),
        "admin": UserFactory(role=Role.ADMIN),
        "own_county": UserFactory(role=Role.COUNTY_VIEWER, county_id=county.id),
        "other_county": UserFactory(role=Role.COUNTY_VIEWER, county_id=other.id),
        "manager": UserFactory(role=Role.CENTER_MANAGER, center_id=center.id),
        "instructor": UserFactory(role=Role.INSTRUCTOR, instructor_id=session.instructor_id),
    }


@pytest.mark.parametrize("who, shown", [("coordinator", True), ("admin", True), ("own_county", True),
                                        ("manager", False), ("instructor", False)])
def test_api_shows_it_to_staff_and_the_own_county_only(client, make_token, world, who, shown):
    center = world["center"]
    headers = make_token(world[who])
    one = client.get(f"/api/v1/centers/{center.id}", headers=headers)
    assert one.status_code == 200
    assert one.json["contact_phone"] == (PHONE if shown else None)
    listed = [c for c in client.get("/api/v1/centers", headers=headers).json if c["id"] == center.id]
    assert listed[0]["contact_phone"] == (PHONE if shown else None)
    assert (PHONE in client.get(f"/api/v1/centers/{center.id}", headers=headers).get_data(as_text=True)) is shown


def test_other_county_sees_no_center_at_all(client, make_token, world):
    response = client.get(f"/api/v1/centers/{world['center'].id}", headers=make_token(world["other_county"]))
    assert response.status_code == 403
    assert PHONE not in response.get_data(as_text=True)


@pytest.mark.parametrize("who, shown", [("coordinator", True), ("own_county", True), ("manager", False),
                                        ("instructor", False)])
def test_center_page_shows_it_as_a_tel_link(login_as, world, who, shown):
    client = login_as(world[who])
    body = client.get(f"/centers/{world['center'].id}").get_data(as_text=True)
    assert (f'href="tel:{PHONE}"' in body) is shown


def test_center_form_edits_it(login_as, world):
    client = login_as(world["coordinator"])
    center = world["center"]
    page = client.get(f"/centers/{center.id}")
    assert f"/centers/{center.id}/edit" in page.get_data(as_text=True)
    form = client.get(f"/centers/{center.id}/edit")
    assert form.status_code == 200 and PHONE in form.get_data(as_text=True)
    token = csrf_token(client, f"/centers/{center.id}/edit")
    data = {"csrf_token": token, "name": center.name, "address": "봉성면 1", "capacity": "30",
            "contact_phone": "054-000-9999", "active": "y"}
    response = client.post(f"/centers/{center.id}/edit", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Center, center.id)
    assert (saved.contact_phone, saved.address, saved.capacity, saved.active) == ("054-000-9999", "봉성면 1", 30, True)
    bad = client.post(f"/centers/{center.id}/edit", data={**data, "contact_phone": "9" * 31})
    assert bad.status_code == 422
    assert "전화번호가 너무 깁니다." in bad.get_data(as_text=True)
    no_csrf = client.post(f"/centers/{center.id}/edit", data={**data, "csrf_token": "", "contact_phone": "1"})
    assert no_csrf.status_code == 302  # back to the form with "the page is stale"; nothing saved
    db.session.expire_all()
    assert db.session.get(Center, center.id).contact_phone == "054-000-9999"


@pytest.mark.parametrize("who", ["own_county", "manager", "instructor"])
def test_center_form_is_for_coordinators(login_as, world, who):
    client = login_as(world[who])
    assert client.get(f"/centers/{world['center'].id}/edit").status_code == 403
