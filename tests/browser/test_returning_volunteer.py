"""A volunteer with an account comes back through the campaign's join link, signed out (a new phone, another
browser): the link shows the sign-up form, and they fill it in. Their own password takes them on to the
campaign; another sends them to sign in, with their email filled in and a word on getting a new password.
Before, both met "An account with this email exists; sign in instead." and had to find the link and type it
all again."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import make_user
from tests.browser.harness import Running
from tests.browser.scenario import seed_campaign

pytestmark = pytest.mark.browser


def _sign_up_again(page: Page, campaign: str, password: str) -> None:
    page.goto(f"/join/{campaign}")
    page.get_by_label("Your name").fill("Vic Volunteer")
    page.get_by_label("Email").fill("vic@example.org")
    page.get_by_label("Password").fill(password)
    page.keyboard.press("Enter")


def test_a_returning_volunteer_on_the_sign_up_form_is_signed_in_or_sent_to_sign_in(
    browser: Browser, server: Running, redis_url: str, shots: Path
) -> None:
    campaign = seed_campaign(server, redis_url)
    make_user(server, "vic@example.org", "Vic Volunteer")  # password "a long password"

    context = browser.new_context(viewport={"width": 390, "height": 844}, base_url=server.base_url)
    page = context.new_page()
    _sign_up_again(page, campaign, "a long password")
    expect(page).to_have_url(f"{server.base_url}/join/{campaign}")
    expect(page.get_by_role("link", name="Start calling")).to_be_visible()
    context.close()

    context = browser.new_context(viewport={"width": 390, "height": 844}, base_url=server.base_url)
    page = context.new_page()
    _sign_up_again(page, campaign, "not my password")
    error = page.locator("#form-error")
    expect(error).to_contain_text("An account with this email exists")
    expect(error).to_contain_text("An organizer of your campaign can send you a reset link")
    expect(error.get_by_role("link", name="Sign in")).to_be_focused()
    page.screenshot(path=shots / "signup-email-taken.png", full_page=True)
    page.keyboard.press("Enter")
    expect(page.get_by_label("Email")).to_have_value("vic@example.org")
    expect(page.get_by_label("Password")).to_be_focused()
    expect(page.locator("#forgot")).to_contain_text("reset link")
    page.keyboard.type("a long password")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{server.base_url}/join/{campaign}")
    context.close()
