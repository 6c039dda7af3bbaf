"""With a screen reader, the Call button says whom it calls. After Save the keyboard lands on Call, which
was read as just "Call, button": the next voter's name, drawn in the card's heading, was not read, so a
volunteer who cannot see the page had to go looking for whom they were about to call (found by the
volunteer walk)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.harness import Running
from tests.browser.scenario import open_call_page, seed_campaign, volunteer_context

pytestmark = pytest.mark.browser


def test_call_is_described_by_the_voter_it_calls(browser: Browser, server: Running, redis_url: str) -> None:
    campaign = seed_campaign(server, redis_url)
    context = volunteer_context(
        browser, server, "sam@example.org", "Sam Reader", viewport={"width": 1280, "height": 900}
    )
    page = open_call_page(context, campaign)
    call = page.locator("#call-btn")
    expect(call).to_have_accessible_name("Call")
    expect(call).to_have_accessible_description("Ada Lovelace (202) 555-0142")

    page.locator("#manual summary").click()
    page.locator("#manual-result").select_option("wrong_number")
    page.locator("#manual-save").click()
    expect(page.locator("#save-status")).to_have_text("Saved: Wrong number.")
    expect(call).to_be_focused()
    expect(call).to_have_accessible_description("Grace Hopper (202) 555-0143")
    context.close()
