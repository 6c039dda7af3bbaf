"""A volunteer's notes on a call outlive a reload mid-call. The call resumed where it was (the server keeps
the answers) but the notes box came back empty: what the volunteer typed about the voter was lost without a
word, and the result saved without it (found by the volunteer walk)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.harness import Running
from tests.browser.scenario import open_call_page, seed_campaign, volunteer_context, wait_connected

pytestmark = pytest.mark.browser

NOTE = "Asked about the library's evening hours; prefers a text"


def test_notes_typed_before_a_reload_are_saved_with_the_result(
    browser: Browser, server: Running, redis_url: str
) -> None:
    campaign = seed_campaign(server, redis_url)
    context = volunteer_context(
        browser, server, "noa@example.org", "Noa Notes", viewport={"width": 1280, "height": 900}
    )
    page = open_call_page(context, campaign)
    page.locator("#call-btn").click()
    wait_connected(page)
    page.keyboard.press("1")  # Speaking
    expect(page.locator("#step-text")).to_contain_text("library levy")
    page.locator("#notes").fill(NOTE)

    page.reload()
    expect(page.locator("#step-text")).to_contain_text("library levy", timeout=10_000)
    wait_connected(page)
    expect(page.locator("#notes")).to_have_value(NOTE)
    page.keyboard.press("2")  # No: the script ends
    page.locator("#finish-btn").click()
    expect(page.locator("#save-status")).to_contain_text("Saved: Refused", timeout=10_000)
    # The next voter's box starts empty: the note belonged to the call just saved.
    expect(page.locator("#notes")).to_have_value("")
    with server.client() as admin:
        rows = admin.get(f"/api/campaigns/{campaign}/results.csv").text.splitlines()
    assert len(rows) == 2 and NOTE in rows[1], rows

    page.reload()  # and it does not come back for the next voter after a reload either
    expect(page.locator("#call-btn")).to_be_focused(timeout=10_000)
    expect(page.locator("#notes")).to_have_value("")
    context.close()


def test_an_answer_typed_but_not_yet_sent_outlives_a_reload(
    browser: Browser, server: Running, redis_url: str
) -> None:
    """The voter said when they will vote, the volunteer typed it and the page reloaded before Enter: the
    call resumed at the question with the field empty, what the voter said lost (found by the volunteer
    walk). It comes back, is sent and saved; the next voter's field starts empty."""
    campaign = seed_campaign(server, redis_url)
    context = volunteer_context(
        browser, server, "tia@example.org", "Tia Typed", viewport={"width": 1280, "height": 900}
    )
    page = open_call_page(context, campaign)
    page.locator("#call-btn").click()
    wait_connected(page)
    page.keyboard.press("1")  # Speaking
    expect(page.locator("#step-text")).to_contain_text("library levy")
    page.keyboard.press("1")  # Yes
    expect(page.locator("#step-text")).to_contain_text("When will you vote?")
    page.locator("#step-input").fill("Saturday morning, early voting")

    page.reload()
    expect(page.locator("#step-text")).to_contain_text("When will you vote?", timeout=10_000)
    expect(page.locator("#step-input")).to_have_value("Saturday morning, early voting")
    page.locator("#step-input").press("Enter")
    expect(page.locator("#step-text")).to_contain_text("Thank you")
    page.keyboard.press("1")  # the closing words read: the script's end
    expect(page.locator("#finish-btn")).to_be_focused()
    page.locator("#finish-btn").click()
    expect(page.locator("#save-status")).to_contain_text("Saved: Contacted", timeout=10_000)
    with server.client() as admin:
        rows = admin.get(f"/api/campaigns/{campaign}/results.csv").text.splitlines()
    assert len(rows) == 2 and "Saturday morning, early voting" in rows[1], rows

    page.reload()  # the next voter: nothing typed for them
    expect(page.locator("#call-btn")).to_be_focused(timeout=10_000)
    page.locator("#call-btn").click()
    wait_connected(page)
    page.keyboard.press("1")
    expect(page.locator("#step-text")).to_contain_text("library levy")
    page.keyboard.press("1")
    expect(page.locator("#step-text")).to_contain_text("When will you vote?")
    expect(page.locator("#step-input")).to_have_value("")
    context.close()
