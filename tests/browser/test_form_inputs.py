"""Every kind of text field looks like one: the campaigns' name filter, the do-not-call search, the people
search, the dashboard's dates and the CRM's URL were the browser's bare boxes (small, square, beside the
styled selects and fields around them; found by a new-user walk)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.harness import Running
from tests.browser.scenario import organizer_on_settings, seed_campaign

pytestmark = pytest.mark.browser


def box(page: Page, selector: str) -> dict[str, str]:
    return page.locator(selector).first.evaluate(
        "e => { const s = getComputedStyle(e); return {radius: s.borderRadius, padding: s.paddingTop, "
        "border: s.borderTopColor, height: String(Math.round(e.getBoundingClientRect().height))}; }"
    )


def test_search_date_and_url_fields_are_styled_like_the_others(
    browser: Browser, server: Running, redis_url: str
) -> None:
    campaign = seed_campaign(server, redis_url)
    context, page = organizer_on_settings(browser, server, campaign, viewport={"width": 1280, "height": 900})
    styled = box(page, "#f-name")  # a plain text field of the settings form
    page.goto("/campaigns")
    search = box(page, "input[name=q]")
    assert {k: search[k] for k in ("radius", "padding", "border")} == {
        k: styled[k] for k in ("radius", "padding", "border")
    }
    assert abs(int(search["height"]) - int(box(page, "select[name=status]")["height"])) <= 4  # one row
    page.goto(f"/campaigns/{campaign}/dashboard")
    assert box(page, "#history-from")["padding"] == styled["padding"]
    page.goto("/people")
    assert box(page, "input[type=search]")["radius"] == styled["radius"]
    context.close()
