"""A volunteer reloads the call page in the very moment an organizer switches the dialing mode, mid-call
(the result not saved yet), at phone (390 px) and desktop (1280 px) sizes: the page is drawn for the new
mode, and it must come back to the call being worked (its voter, its step, its line) rather than to an
empty power page or a preview list without it; saving it then goes on in the new mode (found by a
new-user walk)."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.harness import Running
from tests.browser.scenario import open_call_page, seed_campaign, volunteer_context, wait_connected
from tests.browser.test_mode_switch import switch_mode
from tests.browser.test_own_phone import VIEWPORTS
from tests.browser.test_power_page import bridge_a_voter

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("size", sorted(VIEWPORTS))
def test_a_preview_call_survives_a_reload_into_a_power_page(
    browser: Browser, server: Running, redis_url: str, shots: Path, size: str
) -> None:
    campaign = seed_campaign(server, redis_url)
    context = volunteer_context(browser, server, f"ria-{size}@example.org", "Ria Reload", **VIEWPORTS[size])
    page = open_call_page(context, campaign)
    page.keyboard.press("Enter")
    wait_connected(page)
    page.keyboard.press("1")  # Speaking
    expect(page.locator("#step-text")).to_contain_text("library levy")
    switch_mode(server, campaign, "power")
    page.reload()  # drawn as a power page now
    expect(page.locator("#step-text")).to_contain_text("library levy", timeout=10_000)
    expect(page.locator("#call-status")).to_contain_text("Connected")
    expect(page.locator("#choices button").first).to_be_focused()
    expect(page.locator("#ready-btn")).to_be_hidden()  # the call first; taking power calls after it
    page.screenshot(path=shots / f"mode-switch-reload-to-power-{size}.png", full_page=True)
    page.keyboard.press("2")  # No: the script ends
    expect(page.locator("#finish-btn")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#ready-btn")).to_be_focused(timeout=10_000)
    with server.client() as admin:
        stats = admin.get(f"/api/campaigns/{campaign}/stats").json()
    assert stats["results"]["refused"] == 1
    context.close()


@pytest.mark.parametrize("size", sorted(VIEWPORTS))
def test_a_power_call_survives_a_reload_into_a_preview_page(
    browser: Browser, server: Running, redis_url: str, shots: Path, size: str
) -> None:
    campaign = seed_campaign(server, redis_url)
    switch_mode(server, campaign, "power")
    context = volunteer_context(browser, server, f"pia-{size}@example.org", "Pia Power", **VIEWPORTS[size])
    page = context.new_page()
    page.goto(f"/call/{campaign}")
    expect(page.locator("#ready-btn")).to_be_focused(timeout=10_000)
    page.keyboard.press("Enter")
    expect(page.locator("#dialer-state")).to_contain_text("Waiting for the next voter")
    # Playwright's sync API owns this thread's event loop: the dialer's side runs in a thread of its own.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, bridge_a_voter(redis_url, campaign)).result(timeout=30)
    expect(page.locator("#step-text")).to_contain_text("Hi, is this", timeout=5_000)
    page.keyboard.press("1")  # Speaking
    expect(page.locator("#step-text")).to_contain_text("library levy")
    switch_mode(server, campaign, "preview")
    page.reload()  # drawn as a preview page now
    expect(page.locator("#step-text")).to_contain_text("library levy", timeout=10_000)
    expect(page.locator("#choices button").first).to_be_focused()
    page.screenshot(path=shots / f"mode-switch-reload-to-preview-{size}.png", full_page=True)
    page.keyboard.press("2")  # No: the script ends
    expect(page.locator("#finish-btn")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#save-status")).to_contain_text("Saved: Refused", timeout=10_000)
    with server.client() as admin:
        stats = admin.get(f"/api/campaigns/{campaign}/stats").json()
    assert stats["results"]["refused"] == 1
    context.close()
