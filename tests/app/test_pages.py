from app.auth.models import Role
from tests.conftest import csrf_token, login
from tests.factories import CenterFactory, CountyFactory, InstructorFactory, UserFactory


def test_login_page_is_korean(client):
    html = client.get("/auth/login").get_data(as_text=True)
    assert '<html lang="ko">' in html
    assert "로그인" in html and "아이디" in html and "비밀번호" in html


def test_wrong_password_is_refused_in_korean(client):
    UserFactory(username="kim")
    response = login(client, "kim", "wrong-password")
    assert response.status_code == 401
    assert "아이디 또는 비밀번호가 맞지 않습니다." in response.get_data(as_text=True)
    assert client.get("/home").status_code == 302


def test_missing_fields_show_errors(client):
    token = csrf_token(client)
    response = client.post("/auth/login", data={"username": "", "password": "", "csrf_token": token})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "아이디를 입력하세요." in html and 'aria-invalid="true"' in html


def test_login_without_csrf_is_refused(client):
    UserFactory(username="kim")
    response = client.post("/auth/login", data={"username": "kim", "password": "ieum-demo-1234"})
    assert response.status_code == 302 and "/home" not in response.location
    assert client.get("/home").status_code == 302


def test_next_redirect_is_same_site_only(client):
    UserFactory(username="kim")
    token = csrf_token(client)
    response = client.post(
        "/auth/login?next=https://evil.example/x",
        data={"username": "kim", "password": "ieum-demo-1234", "csrf_token": token, "next": "https://evil.example/x"},
    )
    assert response.status_code == 302 and response.location == "/home"
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/home")})
    token = csrf_token(client)
    response = client.post(
        "/auth/login", data={"username": "kim", "password": "ieum-demo-1234", "csrf_token": token, "next": "/counties"}
    )
    assert response.location == "/counties"


def test_each_role_has_its_home(client):
    center = CenterFactory(name="봉성2리 경로당")
    instructor = InstructorFactory()
    cases = {
        Role.ADMIN: ({}, "협력 군"),
        Role.COORDINATOR: ({}, "협력 군"),
        Role.INSTRUCTOR: ({"instructor_id": instructor.id}, "나의 수업"),
        Role.CENTER_MANAGER: ({"center_id": center.id, "county_id": center.county_id}, "봉성2리 경로당"),
        Role.COUNTY_VIEWER: ({"county_id": center.county_id}, "우리 군 경로당"),
    }
    for role, (scope, expected) in cases.items():
        user = UserFactory(role=role, **scope)
        client.cookie_jar.clear() if hasattr(client, "cookie_jar") else None
        assert login(client, user.username).status_code == 302
        html = client.get("/home").get_data(as_text=True)
        assert expected in html, role
        client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/home")})


def test_pages_are_scoped(client):
    mine, other = CenterFactory(), CenterFactory(name="다른 경로당")
    user = UserFactory(role=Role.COUNTY_VIEWER, county_id=mine.county_id)
    login(client, user.username)
    assert client.get(f"/centers/{mine.id}").status_code == 200
    assert client.get(f"/centers/{other.id}").status_code == 403
    assert client.get("/centers/99999").status_code == 404
    listing = client.get("/counties").get_data(as_text=True)
    assert mine.name in listing and "다른 경로당" not in listing
    assert client.get(f"/centers?county_id={other.county_id}").status_code == 403


def test_unknown_page_is_a_korean_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "페이지를 찾을 수 없습니다" in response.get_data(as_text=True)


def test_language_switch_to_english(client):
    UserFactory(username="kim")
    login(client, "kim")
    client.post("/lang/en", data={"csrf_token": csrf_token(client, "/home"), "next": "/home"})
    html = client.get("/home").get_data(as_text=True)
    assert '<html lang="en">' in html and "Log out" in html


def test_member_names_only_within_scope(client):
    county = CountyFactory()
    center = CenterFactory(county=county)
    from tests.factories import MemberFactory

    MemberFactory(center=center, name="김순자")
    instructor = InstructorFactory()
    viewer = UserFactory(role=Role.COUNTY_VIEWER, county_id=county.id)
    login(client, viewer.username)
    assert "김순자" in client.get(f"/centers/{center.id}").get_data(as_text=True)
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/home")})
    coord = UserFactory(role=Role.INSTRUCTOR, instructor_id=instructor.id)
    login(client, coord.username)
    assert client.get(f"/centers/{center.id}").status_code == 403
