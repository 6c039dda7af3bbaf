"""An organizer switches the dialing mode while volunteers have the call page open: the page follows it (at
once between calls, after saving during one), instead of a preview page dialing on in a power campaign or a
power page waiting for a dialer that no longer calls for it (found by a new-user walk)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.harness import Running
from tests.browser.scenario import open_call_page, seed_campaign, volunteer_context, wait_connected

pytestmark = pytest.mark.browser


def switch_mode(server: Running, campaign: str, mode: str) -> None:
    with server.client() as admin:
        r = admin.patch(f"/api/campaigns/{campaign}", json={"mode": mode})
        assert r.status_code == 200, r.text


def expect_power_page(page: Page) -> None:
    expect(page.locator("#ready-btn")).to_be_visible(timeout=10_000)
    expect(page.locator("#ready-btn")).to_be_focused()
    expect(page.locator("#call-btn")).to_be_hidden()
    expect(page.locator("#notice")).to_contain_text("switched this campaign to power dialing")


def test_a_preview_page_between_calls_turns_into_a_power_page(
    browser: Browser, server: Running, redis_url: str, shots: Path
) -> None:
    campaign = seed_campaign(server, redis_url)
    context = volunteer_context(
        browser, server, "mo@example.org", "Mo Switch", viewport={"width": 390, "height": 844}
    )
    page = open_call_page(context, campaign)
    switch_mode(server, campaign, "power")
    expect_power_page(page)
    page.screenshot(path=shots / "mode-switched-idle.png", full_page=True)
    # Power to predictive: the same page (a volunteer taking calls keeps taking them), only its name changes.
    page.keyboard.press("Enter")
    expect(page.locator("#dialer-state")).to_contain_text("Waiting for the next voter")
    page.evaluate("window.notReloaded = true")
    switch_mode(server, campaign, "predictive")
    expect(page.locator("#dialer-box .phone-kind")).to_contain_text("Predictive dialing")
    expect(page.locator("#dialer-state")).to_contain_text("Waiting for the next voter")
    assert page.evaluate("window.notReloaded") is True
    context.close()


def test_a_call_in_progress_is_finished_before_the_page_follows_the_mode(
    browser: Browser, server: Running, redis_url: str, shots: Path
) -> None:
    campaign = seed_campaign(server, redis_url)
    context = volunteer_context(
        browser, server, "mia@example.org", "Mia Midcall", viewport={"width": 1280, "height": 900}
    )
    page = open_call_page(context, campaign)
    page.keyboard.press("Enter")
    wait_connected(page)
    switch_mode(server, campaign, "power")
    expect(page.locator("#notice")).to_contain_text("Finish this call", timeout=10_000)
    expect(page.locator("#choices button").first).to_be_focused()  # the call goes on, nothing moved
    page.screenshot(path=shots / "mode-switched-mid-call.png", full_page=True)
    page.keyboard.press("2")  # Not home: the script ends
    expect(page.locator("#finish-btn")).to_be_focused()
    page.keyboard.press("Enter")
    expect_power_page(page)
    with server.client() as admin:
        stats = admin.get(f"/api/campaigns/{campaign}/stats").json()
    assert stats["results"]["not_home"] == 1  # saved before the page changed over
    context.close()


def test_a_power_page_turns_into_a_preview_page(
    browser: Browser, server: Running, redis_url: str, shots: Path
) -> None:
    campaign = seed_campaign(server, redis_url)
    switch_mode(server, campaign, "power")
    context = volunteer_context(
        browser, server, "po@example.org", "Po Waiting", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.goto(f"/call/{campaign}")
    expect(page.locator("#ready-btn")).to_be_focused(timeout=10_000)
    page.keyboard.press("Enter")
    expect(page.locator("#dialer-state")).to_contain_text("Waiting for the next voter")
    switch_mode(server, campaign, "preview")
    expect(page.locator("#call-btn")).to_be_focused(timeout=10_000)
    expect(page.locator("#ready-btn")).to_be_hidden()
    expect(page.locator("#notice")).to_contain_text("switched this campaign to preview dialing")
    page.screenshot(path=shots / "mode-switched-to-preview.png", full_page=True)
    context.close()
