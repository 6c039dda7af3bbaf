"""A voter in the volunteer's list goes on the do-not-call list (an organizer uploads it mid-day), and the
volunteer presses Call: no call is placed, and the page shows the way on. It said only "Could not place the
call: This number is on the do not call list" above a script waiting for the voter, and its Skip button,
still shown, did nothing: the volunteer was stuck on that name (found by a new-user walk)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.harness import Running
from tests.browser.scenario import CONTACTS, open_call_page, seed_campaign, volunteer_context, wait_connected

pytestmark = pytest.mark.browser


def test_a_name_put_on_the_do_not_call_list_is_saved_or_skipped(
    browser: Browser, server: Running, redis_url: str, shots: Path
) -> None:
    campaign = seed_campaign(server, redis_url)
    context = volunteer_context(
        browser,
        server,
        "dee@example.org",
        "Dee Nocall",
        viewport={"width": 390, "height": 844},
        has_touch=True,
    )
    page = open_call_page(context, campaign)
    expect(page.locator("#contact-name")).to_have_text("Ada Lovelace")
    with server.client() as admin:  # Ada and Grace, already in the volunteer's list
        phones = [CONTACTS[0][0], CONTACTS[1][0]]
        assert admin.post("/api/dnc", json={"phones": phones}).status_code == 200

    page.keyboard.press("Enter")  # Call
    status = page.locator("#call-status")
    expect(status).to_contain_text("do not call list")
    # The way on is offered, and taken from the keyboard: "Do not call" picked, its Save focused.
    expect(page.locator("#manual")).to_have_attribute("open", "")
    expect(page.locator("#manual-result")).to_have_value("do_not_call")
    expect(page.locator("#manual-save")).to_be_focused()
    page.screenshot(path=shots / "refused-do-not-call.png", full_page=True)
    page.keyboard.press("Enter")
    expect(page.locator("#save-status")).to_contain_text("Saved: Do not call")

    expect(page.locator("#contact-name")).to_have_text("Grace Hopper")
    page.locator("#call-btn").click()
    expect(status).to_contain_text("do not call list")
    page.locator("#skip-btn").click()  # or Skip, which works as before any call
    expect(page.locator("#save-status")).to_contain_text("Skipped Grace")
    expect(page.locator("#contact-name")).to_have_text("Katherine Johnson")
    page.locator("#call-btn").click()  # and the next voter's call goes as any other
    wait_connected(page)
    expect(page.locator("#step-text")).to_contain_text("Hi, is this Katherine?")
    context.close()
