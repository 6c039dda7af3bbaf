"""The dashboard's "What voters say" beside its results: an answer that ends the call without a conversation
(nobody home, a wrong number) is counted in the results, and the survey, which tallies conversations only,
does not list it with a 0 that contradicts them."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import make_user
from tests.browser.harness import Running
from tests.browser.scenario import open_call_page, seed_campaign, sign_in, volunteer_context, wait_connected

pytestmark = pytest.mark.browser


def test_a_not_home_answer_is_in_the_results_and_not_a_zero_in_the_survey(
    browser: Browser, server: Running, redis_url: str, shots: Path
) -> None:
    campaign = seed_campaign(server, redis_url)
    make_user(server, "olive@example.org", "Olive Organizer", role="organizer")
    organizer = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=server.base_url)
    sign_in(organizer, server, "olive@example.org")
    dashboard = organizer.new_page()
    dashboard.goto(f"/campaigns/{campaign}/dashboard")
    expect(dashboard.locator("#live")).to_have_text("live", timeout=10_000)

    calling = volunteer_context(browser, server, "vic@example.org", "Vic Volunteer")
    page = open_call_page(calling, campaign)
    page.locator("#call-btn").click()
    wait_connected(page)
    page.keyboard.press("2")  # Not home
    page.locator("#finish-btn").click()
    expect(page.locator("#save-status")).to_contain_text("Saved: Not home", timeout=10_000)

    expect(dashboard.locator("#results tr[data-code=not_home]")).to_contain_text("1", timeout=5_000)
    intro = dashboard.locator("#survey figure", has_text="Intro")
    expect(intro.locator("tr", has_text="Speaking")).to_contain_text("0")
    expect(intro.locator("tr", has_text="Not home")).to_have_count(0)  # no "Not home 0" beside the results' 1
    dashboard.screenshot(path=shots / "survey-beside-results.png", full_page=True)
    calling.close()
    organizer.close()
