"""The line drops in the middle of the script (the voter hangs up, or the volunteer does): the page asks
to finish the script or save; once the script is finished it asks only to save. It went on saying "finish
the script" above a finished one, with Save the one thing left to do (found by a new-user walk)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.harness import Running
from tests.browser.scenario import open_call_page, seed_campaign, volunteer_context, wait_connected

pytestmark = pytest.mark.browser


def test_a_call_that_ended_mid_script_asks_only_to_save_once_it_is_finished(
    browser: Browser, server: Running, redis_url: str
) -> None:
    campaign = seed_campaign(server, redis_url)
    context = volunteer_context(
        browser,
        server,
        "hal@example.org",
        "Hal Hangup",
        viewport={"width": 390, "height": 844},
        has_touch=True,
    )
    page = open_call_page(context, campaign)
    page.locator("#call-btn").click()
    wait_connected(page)
    page.locator("#choices button", has_text="Speaking").click()
    expect(page.locator("#step-text")).to_contain_text("library levy")
    page.locator("#hangup-btn").click()
    status = page.locator("#call-status")
    expect(status).to_have_text("The call ended: finish the script, or save what happened below")
    page.locator("#choices button", has_text="No").click()  # what they had said: the script ends
    expect(page.locator("#finish-btn")).to_have_text("Save: Refused & next")
    expect(status).to_have_text("The call ended: save what happened below")
    page.locator("#change-btn").click()  # a wrong last answer: back into the script
    expect(status).to_have_text("The call ended: finish the script, or save what happened below")
    page.locator("#choices button", has_text="No").click()
    expect(status).to_have_text("The call ended: save what happened below")
    page.locator("#finish-btn").click()
    expect(page.locator("#save-status")).to_contain_text("Saved: Refused")
    context.close()


def test_hanging_up_from_the_keyboard_leaves_the_keyboard_on_the_script(
    browser: Browser, server: Running, redis_url: str
) -> None:
    """Hang up pressed with the keyboard goes disabled (hidden in power mode) under it: the focus fell to
    the page's body, so the next Tab started from the top of the page and a screen reader lost its place
    (found by the volunteer walk). It goes to the script's answers, which the status asks to finish."""
    campaign = seed_campaign(server, redis_url)
    context = volunteer_context(
        browser, server, "kim@example.org", "Kim Keys", viewport={"width": 1280, "height": 800}
    )
    page = open_call_page(context, campaign)
    page.keyboard.press("Enter")  # Call
    wait_connected(page)
    page.keyboard.press("1")  # Speaking
    expect(page.locator("#step-text")).to_contain_text("library levy")
    page.locator("#hangup-btn").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#call-status")).to_have_text(
        "The call ended: finish the script, or save what happened below"
    )
    expect(page.locator("#choices button", has_text="Yes")).to_be_focused()
    page.keyboard.press("Enter")  # what they had said: the script goes on from the keyboard
    expect(page.locator("#step-text")).to_contain_text("When will you vote")
    expect(page.locator("#step-input")).to_be_focused()
    context.close()
