"""A volunteer with the call page open in two tabs, one call between them. The second tab saves the voter's
result; the first, left behind on an earlier question, is walked to the end and saved too. The server keeps
the first result and refuses the second (409 already_completed), yet the first tab said "Saved: Contacted."
and moved on: the answers and the notes typed there were dropped while the page said they were kept (found
by the new-volunteer walk, phone size). It now says they were not saved, and why."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.harness import Running
from tests.browser.scenario import open_call_page, seed_campaign, volunteer_context, wait_connected

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}


def test_a_result_refused_because_another_tab_saved_the_voter_is_not_called_saved(
    browser: Browser, server: Running, redis_url: str
) -> None:
    campaign = seed_campaign(server, redis_url)
    context = volunteer_context(browser, server, "tove@example.org", "Tove Tabs", **PHONE)
    first = open_call_page(context, campaign)
    first.locator("#call-btn").tap()
    wait_connected(first)
    first.locator("#choices button").first.tap()  # Speaking
    expect(first.locator("#step-text")).to_contain_text("library levy")
    first.locator("#notes").fill("Wants a yard sign")

    # The same page in a second tab: it takes up the call where it is, and saves "No".
    second = context.new_page()
    second.goto(f"/call/{campaign}")
    expect(second.locator("#step-text")).to_contain_text("library levy", timeout=10_000)
    wait_connected(second)
    second.locator("#choices button", has_text="No").tap()
    expect(second.locator("#finish-btn")).to_have_text("Save: Refused & next")
    second.locator("#finish-btn").tap()
    expect(second.locator("#save-status")).to_contain_text("Saved: Refused", timeout=10_000)

    # Back to the first tab, still on the question: the volunteer finishes the script there and saves.
    first.bring_to_front()
    # Saving there hung up the voter: this tab hears it and says to finish the script or save.
    expect(first.locator("#call-status")).to_contain_text("The call ended", timeout=10_000)
    first.locator("#choices button", has_text="Yes").tap()
    first.locator("#step-input").fill("Saturday morning")
    first.locator("#step-input").press("Enter")
    expect(first.locator("#step-text")).to_contain_text("Thank you")
    # Continue, from the keyboard: a tap this soon where "Yes" was would count as its double tap.
    expect(first.locator("#choices button").first).to_be_focused()
    first.keyboard.press("Enter")
    expect(first.locator("#finish-btn")).to_have_text("Save: Contacted & next")
    first.locator("#finish-btn").tap()
    status = first.locator("#save-status")
    expect(status).to_contain_text(
        "Not saved: a result for Ada was already saved in another tab", timeout=10_000
    )
    expect(status).to_have_class("save-status error")
    expect(status).not_to_contain_text("Saved: Contacted")
    # The page goes on to the next voter; the list does not claim this tab's result for Ada.
    expect(first.locator("#position")).to_have_text("Contact 2 of 3")
    chip = first.locator("#contact-list li").first.locator(".chip")
    expect(chip).to_have_text("Saved elsewhere")
    expect(first.locator("#notes")).to_have_value("")

    with server.client() as admin:
        stats = admin.get(f"/api/campaigns/{campaign}/stats").json()
        rows = admin.get(f"/api/campaigns/{campaign}/results.csv").text.splitlines()
    recorded = {code: n for code, n in stats["results"].items() if n}
    assert recorded == {"refused": 1}, stats  # the result that was saved, and only it
    assert len(rows) == 2 and "Wants a yard sign" not in rows[1], rows
    context.close()
