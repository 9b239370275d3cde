"""The calendar feeds page: a copy button (static script) and a webcal:// link per address."""

from playwright.sync_api import expect

from app.auth.models import Role
from tests.browser.conftest import assert_accessible, login
from tests.factories import InstructorFactory, UserFactory


def test_the_copy_button_copies_the_address_and_webcal_opens_it(live_server, page):
    instructor = InstructorFactory(name="김미숙")
    me = UserFactory(role=Role.INSTRUCTOR, instructor_id=instructor.id)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    login(page, live_server, me.username)
    page.goto(f"{live_server.url}/calendar-feeds")
    address = page.locator(f"#instructor-feed-{instructor.id}").input_value()
    assert address.startswith("http") and f"/calendar/instructors/{instructor.id}.ics?key=" in address

    button = page.locator(f'button[data-copy-target="instructor-feed-{instructor.id}"]')
    assert button.is_visible()  # shown by the script (hidden without it)
    button.click()
    status = page.locator(f"#instructor-feed-{instructor.id}-status")
    expect(status).to_have_text("주소를 복사했습니다.")  # once the clipboard has answered
    assert page.evaluate("() => navigator.clipboard.readText()") == address

    webcal = page.locator(".feed-tools a", has_text="캘린더 앱에서 열기").first.get_attribute("href")
    assert webcal == "webcal://" + address.split("://", 1)[1]
    assert_accessible(page)
