"""A double tap (or a double click, or a held number key) on an answer answers that question only. The next
question's first answer appears right where the tapped one was, so the second tap answered it too: "Speaking"
double-tapped recorded "Yes, definitely" for a voter who was never asked (found by the volunteer walk)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.harness import Running
from tests.browser.scenario import open_call_page, seed_campaign, volunteer_context, wait_connected

pytestmark = pytest.mark.browser


def answer_no_and_check_saved(page: Page, server: Running, campaign: str) -> None:
    # Still on the question the second tap would have answered: "No" is on it, and ends the script.
    expect(page.locator("#step-text")).to_have_text("Will you vote for the library levy?")
    page.locator("#choices button", has_text="No").click()
    page.locator("#finish-btn").click()
    expect(page.locator("#save-status")).to_contain_text("Saved: Refused", timeout=10_000)
    with server.client() as admin:
        rows = admin.get(f"/api/campaigns/{campaign}/results.csv").text.splitlines()
    assert ",refused," in rows[-1] and ",no" in rows[-1] and ",yes" not in rows[-1], rows


def test_a_double_tap_on_a_phone_answers_one_question(
    browser: Browser, server: Running, redis_url: str
) -> None:
    campaign = seed_campaign(server, redis_url)
    context = volunteer_context(
        browser,
        server,
        "dot@example.org",
        "Dot Tapper",
        viewport={"width": 390, "height": 844},
        has_touch=True,
        is_mobile=True,
    )
    page = open_call_page(context, campaign)
    page.locator("#call-btn").tap()
    wait_connected(page)
    box = page.locator("#choices button", has_text="Speaking").bounding_box()
    assert box
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.touchscreen.tap(x, y)
    page.touchscreen.tap(x, y)  # the finger's second tap lands on "Yes", in Speaking's place
    answer_no_and_check_saved(page, server, campaign)
    context.close()


def test_a_double_click_or_a_held_key_answers_one_question(
    browser: Browser, server: Running, redis_url: str
) -> None:
    campaign = seed_campaign(server, redis_url)
    context = volunteer_context(
        browser, server, "dee@example.org", "Dee Clicker", viewport={"width": 1280, "height": 900}
    )
    page = open_call_page(context, campaign)
    page.locator("#call-btn").click()
    wait_connected(page)
    page.locator("#choices button", has_text="Speaking").dblclick()
    answer_no_and_check_saved(page, server, campaign)

    page.locator("#call-btn").click()  # the next voter: "1" held down repeats
    wait_connected(page)
    page.keyboard.down("1")
    page.keyboard.down("1")  # the key's auto-repeat
    page.keyboard.up("1")
    answer_no_and_check_saved(page, server, campaign)
    context.close()
