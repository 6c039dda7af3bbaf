"""A volunteer reloads the call page mid-script: the call resumes where it was, and pressing Call again by
keyboard hands focus to the script's answers (it used to fall to the page when the button went disabled)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import make_user
from tests.browser.harness import Running
from tests.browser.scenario import seed_campaign, sign_in

pytestmark = pytest.mark.browser


def test_resumed_call_keeps_keyboard_focus(browser: Browser, server: Running, redis_url: str) -> None:
    campaign = seed_campaign(server, redis_url)
    make_user(server, "rey@example.org", "Rey Reload")
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=server.base_url)
    sign_in(context, server, "rey@example.org")
    page = context.new_page()
    page.goto(f"/call/{campaign}")
    expect(page.locator("#call-btn")).to_be_focused(timeout=10_000)
    page.keyboard.press("Enter")
    expect(page.locator("#step-text")).to_contain_text("is this", timeout=10_000)
    page.keyboard.press("1")
    expect(page.locator("#step-text")).to_contain_text("library levy")

    page.reload()
    expect(page.locator("#step-text")).to_contain_text("library levy", timeout=10_000)
    page.locator("#call-btn").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#choices button").first).to_be_focused()
    page.keyboard.press("1")
    expect(page.locator("#step-text")).to_contain_text("When will you vote?")
    context.close()
