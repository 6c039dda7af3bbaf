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


def test_a_reload_after_the_voter_hung_up_keeps_the_conversation(
    browser: Browser, server: Running, redis_url: str
) -> None:
    """The page reloaded after a connected voter hung up: still a conversation to finish (it once came back
    as "nobody answered", and saving that dropped the answers given)."""
    campaign = seed_campaign(server, redis_url)
    context = volunteer_context(
        browser, server, "ria@example.org", "Ria Reload", viewport={"width": 1280, "height": 900}
    )
    page = open_call_page(context, campaign)
    page.locator("#call-btn").click()
    wait_connected(page)
    page.keyboard.press("1")  # Speaking
    expect(page.locator("#step-text")).to_contain_text("library levy")
    page.locator("#hangup-btn").click()
    expect(page.locator("#call-status")).to_contain_text("finish the script, or save what happened")

    page.reload()
    expect(page.locator("#step-text")).to_contain_text("library levy", timeout=10_000)
    expect(page.locator("#call-status")).to_contain_text("finish the script, or save what happened")
    expect(page.locator("#manual-result")).to_have_value("contacted")
    page.locator("#manual-save").click()
    expect(page.locator("#save-status")).to_contain_text("Saved: Contacted", timeout=10_000)
    with server.client() as admin:
        rows = admin.get(f"/api/campaigns/{campaign}/results.csv").text.splitlines()
    assert len(rows) == 2 and ",contacted," in rows[1] and "Speaking" in rows[1]
    context.close()
