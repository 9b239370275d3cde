from app.audit import AuditLog
from app.auth.models import Role
from app.extensions import db
from centers.directory.models import Center, County
from tests.factories import CenterFactory, CountyFactory, UserFactory


def test_coordinator_creates_a_county_and_a_center(client, make_token):
    headers = make_token(UserFactory(role=Role.COORDINATOR))
    response = client.post(
        "/api/v1/counties",
        json={
            "name": "봉화군",
            "province": "경상북도",
            "support_start": "2026-10-01",
            "support_end": "2027-09-30",
        },
        headers=headers,
    )
    assert response.status_code == 201, response.json
    county = response.json
    assert county["support_start"] == "2026-10-01" and county["support_end"] == "2027-09-30"
    response = client.post(
        "/api/v1/centers", json={"county_id": county["id"], "name": "봉성2리 경로당", "capacity": 25}, headers=headers
    )
    assert response.status_code == 201, response.json
    center = response.json
    assert center["county_id"] == county["id"] and center["capacity"] == 25
    assert center["calendar_url"].startswith("http://localhost/calendar/centers/")
    assert f"/calendar/centers/{center['id']}.ics?key=" in center["calendar_url"]
    assert db.session.query(AuditLog).filter_by(action="center.create").count() == 1


def test_duplicates_and_bad_fields(client, make_token):
    headers = make_token(UserFactory(role=Role.COORDINATOR))
    body = {"name": "봉화군", "province": "경상북도"}
    assert client.post("/api/v1/counties", json=body, headers=headers).status_code == 201
    dup = client.post("/api/v1/counties", json=body, headers=headers)
    assert dup.status_code == 409 and dup.json["error"]["code"] == "conflict"
    same_name_other_province = client.post(
        "/api/v1/counties", json={"name": "봉화군", "province": "전라남도"}, headers=headers
    )
    assert same_name_other_province.status_code == 201
    reversed_period = client.post(
        "/api/v1/counties",
        json={**body, "name": "x", "support_start": "2027-01-01", "support_end": "2026-01-01"},
        headers=headers,
    )
    assert reversed_period.status_code == 422 and reversed_period.json["error"]["details"]["field"] == "support_end"
    bad_date = client.post(
        "/api/v1/counties",
        json={**body, "name": "y", "support_start": "2026-13-01", "support_end": "2027-01-01"},
        headers=headers,
    )
    assert bad_date.status_code == 422 and bad_date.json["error"]["details"]["field"] == "support_start"
    no_county = client.post("/api/v1/centers", json={"county_id": 9999, "name": "x"}, headers=headers)
    assert no_county.status_code == 422 and no_county.json["error"]["details"]["field"] == "county_id"
    too_big = client.post("/api/v1/centers", json={"county_id": 1, "name": "x", "capacity": 501}, headers=headers)
    assert too_big.status_code == 422 and too_big.json["error"]["details"]["field"] == "capacity"
    assert db.session.query(Center).count() == 0
    assert db.session.query(County).filter_by(name="x").count() == 0


def test_patch_center(client, make_token):
    center = CenterFactory(name="옛 이름")
    headers = make_token(UserFactory(role=Role.COORDINATOR))
    response = client.patch(f"/api/v1/centers/{center.id}", json={"name": "새 이름", "active": False}, headers=headers)
    assert response.status_code == 200
    assert response.json["name"] == "새 이름" and response.json["active"] is False
    other = CenterFactory(county=center.county, name="다른 곳")
    clash = client.patch(f"/api/v1/centers/{other.id}", json={"name": "새 이름"}, headers=headers)
    assert clash.status_code == 409
    assert client.patch("/api/v1/centers/99999", json={"name": "z"}, headers=headers).status_code == 404


def test_reads_are_scoped_and_writes_are_for_coordinators(client, make_token):
    mine, theirs = CenterFactory(), CenterFactory()
    viewer = make_token(UserFactory(role=Role.COUNTY_VIEWER, county_id=mine.county_id))
    assert [c["id"] for c in client.get("/api/v1/centers", headers=viewer).json] == [mine.id]
    assert [c["id"] for c in client.get("/api/v1/counties", headers=viewer).json] == [mine.county_id]
    assert client.get(f"/api/v1/centers?county_id={theirs.county_id}", headers=viewer).status_code == 403
    assert client.get("/api/v1/centers?county_id=99999", headers=viewer).status_code == 404
    assert client.get(f"/api/v1/centers/{theirs.id}", headers=viewer).status_code == 403
    assert client.get(f"/api/v1/centers/{mine.id}", headers=viewer).status_code == 200
    assert client.post("/api/v1/counties", json={"name": "a", "province": "b"}, headers=viewer).status_code == 403
    assert client.patch(f"/api/v1/centers/{mine.id}", json={"name": "z"}, headers=viewer).status_code == 403
    manager = make_token(UserFactory(role=Role.CENTER_MANAGER, center_id=mine.id, county_id=mine.county_id))
    assert [c["id"] for c in client.get("/api/v1/centers", headers=manager).json] == [mine.id]


def test_lists_take_limit_and_offset(client, make_token):
    county = CountyFactory()
    for i in range(5):
        CenterFactory(county=county, name=f"경로당 {i}")
    headers = make_token(UserFactory(role=Role.COORDINATOR))
    page = client.get("/api/v1/centers?limit=2&offset=1", headers=headers).json
    assert [c["name"] for c in page] == ["경로당 1", "경로당 2"]
    assert client.get("/api/v1/centers?limit=0", headers=headers).status_code == 422


def test_ids_and_offsets_past_the_integer_range(client, make_token):
    # These answered 500 (the database could not bind the number).
    headers = make_token(UserFactory(role=Role.COORDINATOR))
    huge = 2**80
    r = client.get(f"/api/v1/centers/{huge}", headers=headers)
    assert r.status_code == 404 and r.json["error"]["code"] == "not_found"
    r = client.get(f"/api/v1/centers?county_id={huge}", headers=headers)
    assert r.status_code == 422 and r.json["error"]["code"] == "invalid"
    assert r.json["error"]["details"]["field"] == "county_id"
    r = client.get(f"/api/v1/centers?offset={huge}", headers=headers)
    assert r.status_code == 422 and r.json["error"]["details"]["field"] == "offset"
    r = client.post("/api/v1/centers", json={"county_id": huge, "name": "큰 번호"}, headers=headers)
    assert r.status_code == 422 and r.json["error"]["code"] == "invalid"
    assert r.json["error"]["details"]["field"] == "county_id"
