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


def test_a_reload_mid_call_while_paused_gives_the_keyboard_back_to_the_script(
    browser: Browser, server: Running, redis_url: str
) -> None:
    """The organizers paused during a call and the volunteer reloaded: the call came back, but the keyboard
    stayed on the pause notice (Call was disabled when the voter was shown), so the answer keys and Enter
    went nowhere until a Tab walk to the question (found by the new-volunteer walk). The voter on the line
    takes the keyboard, as after any reload mid-call; the notice is still shown and read out."""
    campaign = seed_campaign(server, redis_url)
    context = volunteer_context(
        browser, server, "rey@example.org", "Rey Reload", viewport={"width": 1366, "height": 768}
    )
    page = open_call_page(context, campaign)
    page.keyboard.press("Enter")  # Call
    wait_connected(page)
    page.keyboard.press("1")  # Speaking
    expect(page.locator("#step-text")).to_contain_text("library levy")
    with server.client() as admin:
        assert admin.patch(f"/api/campaigns/{campaign}", json={"status": "paused"}).status_code == 200
    expect(page.locator("#notice")).to_contain_text("paused the campaign")

    page.reload()
    expect(page.locator("#notice")).to_contain_text("paused the campaign", timeout=10_000)
    expect(page.locator("#step-text")).to_contain_text("library levy")
    expect(page.locator("#call-status")).to_contain_text("Connected")
    expect(page.locator("#choices button").first).to_be_focused()
    page.keyboard.press("2")  # No: the script ends from the keyboard
    expect(page.locator("#finish-btn")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#save-status")).to_contain_text("Saved: Refused", timeout=10_000)
    expect(page.locator("#notice")).to_be_focused()  # nothing to call while paused: what says why
    context.close()
