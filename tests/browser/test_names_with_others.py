"""Every voter left is on another volunteer's list: the call page says so plainly (the names are out with
other callers and come back if they are not called within so many minutes) rather than "Everyone on the
list has been called", at desktop (1280 px) and phone (390 px) sizes; the 409 `no_contacts` says it too,
with the added `held` and `held_until` (found by a new-user walk)."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import make_user
from tests.browser.harness import Running
from tests.browser.scenario import seed_campaign, volunteer_context
from tests.browser.test_own_phone import VIEWPORTS
from tests.browser.test_phone_viewport import no_sideways_scroll

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("size", sorted(VIEWPORTS))
def test_names_out_with_other_callers_are_said_so(
    browser: Browser, server: Running, redis_url: str, shots: Path, size: str
) -> None:
    campaign = seed_campaign(server, redis_url)  # four voters, lists of three
    for who in ("ann", "bo"):  # two other volunteers take the whole list between them
        token = make_user(server, f"{who}-{size}@example.org", who.title())
        with httpx.Client(base_url=server.base_url, headers={"Authorization": f"Bearer {token}"}) as vol:
            assert vol.post(f"/api/campaigns/{campaign}/batches").status_code == 201
    context = volunteer_context(browser, server, f"nia-{size}@example.org", "Nia Nobody", **VIEWPORTS[size])
    refused = context.request.post(f"{server.base_url}/api/campaigns/{campaign}/batches")
    assert refused.status == 409
    detail = refused.json()["error"]["details"][0]
    assert (detail["reason"], detail["held"], detail["waiting_retry"]) == ("exhausted", 4, 0), detail
    assert detail["held_until"] and "on another volunteer's list" in detail["message"], detail

    page = context.new_page()
    page.goto(f"/call/{campaign}")
    expect(page.locator("#contact-name")).to_have_text(
        "The names left are with other callers", timeout=10_000
    )
    waiting = page.locator("#waiting-text")
    expect(waiting).to_contain_text("4 voters left to call are on other volunteers' lists right now.")
    expect(waiting).to_contain_text(re.compile(r"Any not called within \d+ minutes come back here"))
    expect(waiting).to_be_in_viewport()
    no_sideways_scroll(page)
    page.screenshot(path=shots / f"call-names-with-others-{size}.png", full_page=True)
    context.close()
