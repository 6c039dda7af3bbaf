"""A volunteer back from a break longer than the campaign holds a list (the phone locked or offline, so the
page could not renew it): the server gave the list back and may have handed its voters to others. Pressing
Call then was refused ("This contact is not in your list any more") with "contact '<id>' is not in your
batch" in red below, and again at every press until the page's next renewal, up to five minutes later. Now
the refusal brings a fresh list, said once, and the next Call goes through."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.harness import Running
from tests.browser.scenario import open_call_page, seed_campaign, volunteer_context, wait_connected

pytestmark = pytest.mark.browser


def test_a_list_that_expired_during_a_break_is_replaced_at_the_next_call(
    browser: Browser, server: Running, redis_url: str, shots: Path
) -> None:
    campaign = seed_campaign(server, redis_url)
    context = volunteer_context(
        browser, server, "bree@example.org", "Bree Break", viewport={"width": 390, "height": 844}
    )
    page = open_call_page(context, campaign)
    # The break outlasted the hold: the list went back to the queue, as the reaper gives back an expired one.
    batch = context.request.post(f"{server.base_url}/api/campaigns/{campaign}/batches").json()
    assert context.request.post(f"{server.base_url}/api/batches/{batch['id']}/release").ok

    page.locator("#call-btn").click()
    expect(page.locator("#notice")).to_have_text("Your list had expired, so here is a fresh one.")
    expect(page.locator("#call-btn")).to_be_enabled()
    expect(page.locator("#current")).not_to_contain_text("not in your batch")
    page.screenshot(path=shots / "list-after-break.png", full_page=True)
    page.locator("#call-btn").click()
    wait_connected(page)
    expect(page.locator("#notice")).to_be_hidden()  # said once: not over the next call
    context.close()
