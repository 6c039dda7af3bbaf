"""The roster is drawn anew with every push (a volunteer's call moves on, a hand goes up): an organizer
working it with the keyboard keeps their place, on the same button of the same volunteer's row. The focus
fell to the page with each push, every few seconds on a busy call day, so Listen, Coach or Answer could
hardly be reached without a mouse (found by a new-user walk)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import make_user
from tests.browser.harness import Running
from tests.browser.scenario import open_call_page, seed_campaign, sign_in, volunteer_context, wait_connected

pytestmark = pytest.mark.browser


def test_the_keyboard_keeps_its_place_in_the_roster(
    browser: Browser, server: Running, redis_url: str
) -> None:
    campaign = seed_campaign(server, redis_url)
    make_user(server, "kim@example.org", "Kim Keyboard", role="organizer")
    organizer = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=server.base_url)
    sign_in(organizer, server, "kim@example.org")
    dashboard = organizer.new_page()
    dashboard.goto(f"/campaigns/{campaign}/dashboard")
    expect(dashboard.locator("#live")).to_have_text("live", timeout=10_000)

    calling = volunteer_context(browser, server, "vi@example.org", "Vi Volunteer")
    page = open_call_page(calling, campaign)
    row = dashboard.locator("#roster tbody tr", has_text="Vi Volunteer")
    expect(row).to_contain_text("Waiting", timeout=5_000)
    row.get_by_role("button", name="Coach").focus()

    page.locator("#call-btn").click()  # the row is drawn again: Ringing, then Talking
    wait_connected(page)
    expect(row).to_contain_text("Talking", timeout=5_000)
    expect(row.get_by_role("button", name="Coach")).to_be_focused()

    page.locator("#hand-btn").click()
    answer = row.get_by_role("button", name="Answer Vi")
    expect(answer).to_be_visible(timeout=5_000)
    expect(row.get_by_role("button", name="Coach")).to_be_focused()
    dashboard.keyboard.press("Shift+Tab")  # from Coach back to Listen, then to Answer
    dashboard.keyboard.press("Shift+Tab")
    expect(answer).to_be_focused()
    dashboard.keyboard.press("Enter")
    expect(page.locator("#hand-status")).to_contain_text("is coming to help", timeout=5_000)
    expect(answer).to_be_hidden()
    expect(row.get_by_role("button", name="Listen")).to_be_focused()  # the row's first button, not the page

    # A click elsewhere on the page lets go: the next push does not pull the keyboard back into the roster.
    dashboard.locator("h1").click()
    page.locator("#hand-btn").click()  # the hand goes up again: another push, the row drawn anew
    expect(row.get_by_role("button", name="Answer Vi")).to_be_visible(timeout=5_000)
    assert dashboard.evaluate("!document.getElementById('roster').contains(document.activeElement)")
    calling.close()
    organizer.close()
