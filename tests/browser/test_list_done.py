"""The last voter of a volunteer's list saved: the page says a new list came. The list and its numbering
were swapped for new names without a word ("Contact 1 of 1", the names just called gone), so a volunteer
could think their calls were lost (found by the volunteer walk)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.harness import Running
from tests.browser.scenario import open_call_page, seed_campaign, volunteer_context

pytestmark = pytest.mark.browser


def record_wrong_number(page: Page, name: str) -> None:
    expect(page.locator("#contact-name")).to_have_text(name)
    page.locator("#manual summary").click()
    page.locator("#manual-result").select_option("wrong_number")
    page.locator("#manual-save").click()


def test_a_new_list_after_the_last_voter_is_said(browser: Browser, server: Running, redis_url: str) -> None:
    campaign = seed_campaign(server, redis_url)  # lists of 3, and 4 voters
    context = volunteer_context(
        browser, server, "lia@example.org", "Lia List", viewport={"width": 1280, "height": 900}
    )
    page = open_call_page(context, campaign)
    record_wrong_number(page, "Ada Lovelace")
    expect(page.locator("#save-status")).to_have_text("Saved: Wrong number.")
    record_wrong_number(page, "Grace Hopper")
    record_wrong_number(page, "Katherine Johnson")
    expect(page.locator("#contact-name")).to_have_text("Dorothy Vaughan", timeout=10_000)
    expect(page.locator("#save-status")).to_have_text(
        "Saved: Wrong number. That was the last voter on your list: here is a new one (1 voter)."
    )
    expect(page.locator("#position")).to_have_text("Contact 1 of 1")
    context.close()
