"""A volunteer reloads the call page mid-script: the call resumes where it was, with the voter still on the
line, and the keyboard lands on the script's answers."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.harness import Running
from tests.browser.scenario import open_call_page, seed_campaign, volunteer_context, wait_connected

pytestmark = pytest.mark.browser


def test_resumed_call_keeps_keyboard_focus(browser: Browser, server: Running, redis_url: str) -> None:
    campaign = seed_campaign(server, redis_url)
    context = volunteer_context(
        browser, server, "rey@example.org", "Rey Reload", viewport={"width": 1280, "height": 900}
    )
    page = open_call_page(context, campaign)
    page.keyboard.press("Enter")
    expect(page.locator("#step-text")).to_contain_text("is this", timeout=10_000)
    wait_connected(page)
    page.keyboard.press("1")
    expect(page.locator("#step-text")).to_contain_text("library levy")

    page.reload()
    expect(page.locator("#step-text")).to_contain_text("library levy", timeout=10_000)
    wait_connected(page)  # the carrier's status came with the resumed step
    expect(page.locator("#call-btn")).to_be_hidden()  # no second call while the voter is on the line
    page.keyboard.press("1")
    expect(page.locator("#step-text")).to_contain_text("When will you vote?")
    context.close()
