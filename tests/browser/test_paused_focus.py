"""Keyboard only: the organizers pause the campaign during a call; the volunteer saves it with Enter. The
keyboard lands on the notice that says calls are paused (Call cannot take it), and on Call again when
they resume. It fell to the page itself, so the next Tab started from the top menu (found by a new-user
walk)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.harness import Running
from tests.browser.scenario import open_call_page, seed_campaign, volunteer_context, wait_connected

pytestmark = pytest.mark.browser


def test_the_keyboard_waits_on_the_pause_notice_then_goes_back_to_call(
    browser: Browser, server: Running, redis_url: str
) -> None:
    campaign = seed_campaign(server, redis_url)
    context = volunteer_context(
        browser, server, "kay@example.org", "Kay Keys", viewport={"width": 1280, "height": 800}
    )
    page = open_call_page(context, campaign)
    page.keyboard.press("Enter")  # Call
    wait_connected(page)
    with server.client() as admin:
        assert admin.patch(f"/api/campaigns/{campaign}", json={"status": "paused"}).status_code == 200
    notice = page.locator("#notice")
    expect(notice).to_contain_text("paused the campaign")
    page.keyboard.press("2")  # not home: the script ends, Save has the keyboard
    expect(page.locator("#finish-btn")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#save-status")).to_contain_text("Saved: Not home")
    expect(page.locator("#call-btn")).to_be_disabled()
    expect(notice).to_be_focused()

    with server.client() as admin:
        assert admin.patch(f"/api/campaigns/{campaign}", json={"status": "active"}).status_code == 200
    expect(page.locator("#call-btn")).to_be_enabled()
    expect(page.locator("#call-btn")).to_be_focused()
    page.keyboard.press("Enter")  # and the next call goes from the keyboard
    wait_connected(page)
    context.close()
