"""On a 390 px phone the controls a volunteer taps all day are at least 44 px tall (the usual size for a
fingertip): the menu at the top (Campaigns, their name, Sign out), "About this voter" and the names in
"Your list". The menu's links were 25 px tall with Sign out next to the volunteer's own name, and the
list's names 33 px (found by a new-user walk)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.harness import Running
from tests.browser.scenario import open_call_page, seed_campaign, volunteer_context
from tests.browser.test_phone_viewport import no_sideways_scroll

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}

HEIGHTS = """(selector) => [...document.querySelectorAll(selector)]
  .filter((e) => e.getClientRects().length > 0)
  .map((e) => [e.textContent.trim().slice(0, 24), Math.round(e.getBoundingClientRect().height)])"""


def test_a_volunteers_targets_fit_a_finger(
    browser: Browser, server: Running, redis_url: str, shots: Path
) -> None:
    campaign = seed_campaign(server, redis_url)
    context = volunteer_context(
        browser, server, "fin@example.org", "Finn Finger", viewport=PHONE, has_touch=True
    )
    page = open_call_page(context, campaign)
    page.screenshot(path=shots / "targets-phone.png", full_page=True)
    no_sideways_scroll(page)
    for selector in (".top .brand, .top nav a, .top nav button", "#about > summary", "#contact-list button"):
        heights = page.evaluate(HEIGHTS, selector)
        assert heights, selector
        small = [(text, height) for text, height in heights if height < 44]
        assert not small, f"{selector}: under 44 px: {small}"
    context.close()


def test_the_buttons_of_a_call_fit_a_finger(
    browser: Browser, server: Running, redis_url: str, shots: Path
) -> None:
    """Mid-call on a phone: Hang up was 43 px tall (the page shrinks the phone's buttons to make room for
    the script) and "Change an answer", at the end of the script, 35 px, right above Save (found by the
    volunteer walk)."""
    campaign = seed_campaign(server, redis_url)
    context = volunteer_context(
        browser, server, "tap@example.org", "Tam Tap", viewport=PHONE, has_touch=True, is_mobile=True
    )
    page = open_call_page(context, campaign)
    page.locator("#call-btn").tap()
    expect(page.locator("#call-status")).to_contain_text("Connected", timeout=10_000)
    for selector in ("#hangup-btn", "#choices button", "#back-btn"):
        heights = page.evaluate(HEIGHTS, selector)
        assert heights, selector
        small = [(text, height) for text, height in heights if height < 44]
        assert not small, f"connected: {selector}: under 44 px: {small}"
    page.locator("#choices button", has_text="Speaking").tap()
    page.locator("#choices button", has_text="No").tap()  # the script ends: Save, or change the answer
    expect(page.locator("#finish-btn")).to_be_visible()
    page.screenshot(path=shots / "targets-phone-done.png", full_page=True)
    for selector in ("#change-btn", "#finish-btn"):
        heights = page.evaluate(HEIGHTS, selector)
        assert heights, selector
        small = [(text, height) for text, height in heights if height < 44]
        assert not small, f"done: {selector}: under 44 px: {small}"
    context.close()
