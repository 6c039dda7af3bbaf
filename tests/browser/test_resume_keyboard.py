"""A volunteer reloads the call page mid-script: the call resumes where it was, and pressing Call again by
keyboard hands focus to the script's answers (it used to fall to the page when the button went disabled)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.harness import Running
from tests.browser.scenario import open_call_page, seed_campaign, volunteer_context

pytestmark = pytest.mark.browser


def test_resumed_call_keeps_keyboard_focus(browser: Browser, server: Running, redis_url: str) -> None:
    campaign = seed_campaign(server, redis_url)
    context = volunteer_context(
        browser, server, "rey@example.org", "Rey Reload", viewport={"width": 1280, "height": 900}
    )
    page = open_call_page(context, campaign)
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
