"""A button that is disabled while its request runs (no second press) gives the keyboard back afterwards: a
disabled button loses the focus to the page, and a keyboard or screen-reader user then starts over at the top
of the page after every upload or failed sign-in; a refused sign-up puts it in the field to fix (found by a
new-user walk)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import make_user
from tests.browser.harness import Running
from tests.browser.scenario import organizer_on_settings, seed_campaign

pytestmark = pytest.mark.browser


def test_a_failed_sign_in_keeps_the_keyboard_on_the_form(browser: Browser, server: Running) -> None:
    make_user(server, "sam@example.org", "Sam Signin")
    context = browser.new_context(base_url=server.base_url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto("/signin")
    page.locator("#email").fill("sam@example.org")
    page.locator("#password").fill("not the password")
    page.keyboard.press("Tab")
    button = page.get_by_role("button", name="Sign in")
    expect(button).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#form-error")).to_be_visible()
    expect(button).to_be_focused()
    context.close()


def test_uploads_on_the_settings_page_keep_the_keyboard_on_their_button(
    browser: Browser, server: Running, redis_url: str, tmp_path: Path
) -> None:
    campaign = seed_campaign(server, redis_url)
    context, page = organizer_on_settings(browser, server, campaign, viewport={"width": 1280, "height": 900})
    calls = tmp_path / "list.csv"
    calls.write_text("phone,first_name\n(202) 555-0150,Uma\nnot a phone,Bad\n", encoding="utf-8")
    page.locator("#contacts-file").set_input_files(calls)
    upload = page.get_by_role("button", name="Upload call list")
    upload.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#import-report")).to_contain_text("1 contact imported")
    expect(upload).to_be_focused()

    dnc = tmp_path / "dnc.csv"
    dnc.write_text("phone\n(202) 555-0177\n", encoding="utf-8")
    page.locator("#dnc-file").set_input_files(dnc)
    dnc_upload = page.get_by_role("button", name="Upload do-not-call list")
    dnc_upload.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#dnc-report")).to_contain_text("1 number added")
    expect(dnc_upload).to_be_focused()
    context.close()


def test_a_refused_sign_up_points_at_the_field(browser: Browser, server: Running) -> None:
    """A password the server refuses: the field is marked and the keyboard is in it, and the message names
    the field as the form does ("Password", not the API's "password:")."""
    context = browser.new_context(base_url=server.base_url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto("/signup")
    expect(page.locator("#name")).to_be_focused()
    page.keyboard.type("Sky Signup")
    page.keyboard.press("Tab")
    page.keyboard.type("sky@example.org")
    page.keyboard.press("Tab")
    page.keyboard.type("password123")  # among the most common ones
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # on "Create account"
    error = page.locator("#form-error")
    expect(error).to_contain_text("Password: is one of the most common passwords")
    password = page.locator("#password")
    expect(password).to_be_focused()
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#email")).not_to_have_attribute("aria-invalid", "true")
    page.keyboard.press("Control+a")
    page.keyboard.type("three quiet library cats")
    page.keyboard.press("Enter")
    expect(page).not_to_have_url(f"{server.base_url}/signup")
    context.close()
