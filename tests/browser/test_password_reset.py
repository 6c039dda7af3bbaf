"""The forgotten password on a call day, at a phone's width and a laptop's: the organizer makes a reset
link on the People page (by keyboard) and copies it; the volunteer opens it in another browser, sets a new
password and is signed in; the session they had before is signed out, and the link does not work twice."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, expect

from tests.browser.conftest import make_user
from tests.browser.harness import Running
from tests.browser.scenario import sign_in

pytestmark = pytest.mark.browser


def has_keyboard(locator: Locator) -> None:
    """The element is the page's active element: where the keyboard types. (Playwright's to_be_focused also
    wants the window focused, which a headless page with others open now and then reports "inactive".)"""
    handle = locator.element_handle()
    locator.page.wait_for_function("el => document.activeElement === el", arg=handle, timeout=5_000)


@pytest.mark.parametrize("width", [390, 1280])
def test_organizer_hands_over_a_reset_link_and_the_volunteer_gets_back_in(
    browser: Browser, server: Running, shots: Path, width: int
) -> None:
    make_user(server, "olive@example.org", "Olive Organizer", role="organizer")
    make_user(server, "vera@example.org", "Vera Volunteer")
    viewport = {"width": width, "height": 800}

    old = browser.new_context(viewport=viewport, base_url=server.base_url)  # the session she had
    sign_in(old, server, "vera@example.org")
    old_page = old.new_page()
    old_page.goto("/profile")
    expect(old_page.get_by_role("heading", name="Vera Volunteer")).to_be_visible()
    old_page.close()  # one page open at a time: a page in the background reports its focus "inactive"

    organizer = browser.new_context(viewport=viewport, base_url=server.base_url)
    sign_in(organizer, server, "olive@example.org")
    people = organizer.new_page()
    people.goto("/people")
    people.get_by_label("Search people").fill("vera")
    people.keyboard.press("Enter")
    expect(people.locator("#people-status")).to_contain_text("shown for “vera”")  # the search's list is in
    reset = people.get_by_role("button", name="Reset password of Vera Volunteer")
    expect(people.get_by_role("button", name="Reset password of Olive Organizer")).to_have_count(0)
    reset.focus()
    people.keyboard.press("Enter")
    link = people.get_by_label("Reset link", exact=True)
    has_keyboard(link)
    expect(people.locator("#reset-for")).to_contain_text("Vera Volunteer (vera@example.org)")
    url = link.input_value()
    assert url.startswith(f"{server.base_url}/reset/"), url
    people.screenshot(path=str(shots / f"password-reset-link-{width}.png"), full_page=True)
    assert people.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    people.get_by_role("button", name="Done").click()
    expect(people.locator("#reset-box")).to_be_hidden()
    has_keyboard(reset)
    organizer.close()

    phone = browser.new_context(viewport=viewport, base_url=server.base_url)  # the link, opened elsewhere
    page = phone.new_page()
    page.goto(url)
    expect(page.get_by_role("heading", name="Set a new password")).to_be_visible()
    new = page.get_by_label("New password")
    has_keyboard(new)
    new.fill("vera@example.org")
    new.press("Enter")
    expect(new).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#new_password-error")).to_be_visible()
    page.screenshot(path=str(shots / f"password-reset-page-{width}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    new.fill("violet kettle harbour")
    new.press("Enter")
    page.wait_for_url("**/campaigns")
    page.goto("/profile")
    expect(page.get_by_role("heading", name="Vera Volunteer")).to_be_visible()  # she is in

    assert old.request.get("/api/me").status == 401  # the session she had was signed out

    again = browser.new_context(viewport=viewport, base_url=server.base_url)
    used = again.new_page()
    response = used.goto(url)
    assert response is not None and response.status == 410
    expect(used.get_by_text("This reset link has been used")).to_be_visible()
    for context in (old, phone, again):
        context.close()
