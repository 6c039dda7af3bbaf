"""The organizer's console in headless Chromium: the roster follows a volunteer through a call, a raised
hand is seen and answered, and the survey's figures match the export."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import make_user
from tests.browser.harness import Running
from tests.browser.scenario import open_call_page, seed_campaign, sign_in, volunteer_context, wait_connected

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, {"width": 390, "height": 844}])
def test_the_roster_follows_a_call_and_a_raised_hand_is_answered(
    browser: Browser, server: Running, redis_url: str, shots: Path, viewport: dict[str, int]
) -> None:
    campaign = seed_campaign(server, redis_url)
    make_user(server, "olive@example.org", "Olive Organizer", role="organizer")
    organizer = browser.new_context(viewport=viewport, base_url=server.base_url)
    sign_in(organizer, server, "olive@example.org")
    dashboard = organizer.new_page()
    dashboard.goto(f"/campaigns/{campaign}/dashboard")
    expect(dashboard.locator("#live")).to_have_text("live", timeout=10_000)
    expect(dashboard.locator("#roster tbody")).to_contain_text("Nobody is calling")

    calling = volunteer_context(browser, server, "vic@example.org", "Vic Volunteer", viewport=viewport)
    page = open_call_page(calling, campaign)
    row = dashboard.locator("#roster tbody tr", has_text="Vic Volunteer")
    expect(row).to_contain_text("Waiting", timeout=2_000)
    page.locator("#call-btn").click()
    wait_connected(page)
    expect(row).to_contain_text("Talking", timeout=2_000)

    page.locator("#hand-btn").click()
    expect(page.locator("#hand-status")).to_contain_text("Your hand is up")
    expect(row).to_have_class("state-talking hand", timeout=2_000)
    dashboard.screenshot(path=shots / f"console-hand-{viewport['width']}.png", full_page=True)
    row.get_by_role("button", name="Answer Vic").click()
    expect(page.locator("#hand-status")).to_have_text("Olive Organizer is coming to help.", timeout=2_000)
    expect(row).not_to_have_class("state-talking hand")

    # The voter says yes; the survey shows it, as the export does.
    page.keyboard.press("1")  # Speaking
    expect(page.locator("#step-text")).to_contain_text("library levy")
    page.keyboard.press("1")  # Yes
    page.locator("#step-input").fill("after work")
    page.keyboard.press("Enter")
    expect(page.locator("#step-text")).to_contain_text("Thank you")
    page.keyboard.press("1")
    page.locator("#finish-btn").click()
    expect(page.locator("#save-status")).to_contain_text("Saved: Contacted", timeout=10_000)
    expect(row).to_contain_text("Waiting", timeout=2_000)
    support = dashboard.locator("#survey figure", has_text="Support")
    expect(support.locator("tr", has_text="Yes")).to_contain_text("1", timeout=2_000)
    expect(support.locator("tr", has_text="Yes")).to_contain_text("100%")
    expect(dashboard.locator("#survey-total")).to_have_text("1 conversation")
    dashboard.screenshot(path=shots / f"console-survey-{viewport['width']}.png", full_page=True)
    with server.client() as admin:
        rows = list(csv.DictReader(io.StringIO(admin.get(f"/api/campaigns/{campaign}/results.csv").text)))
        survey = admin.get(f"/api/campaigns/{campaign}/survey").json()
    said = {q["key"]: {a["value"]: a["count"] for a in q["answers"]} for q in survey["questions"]}
    assert said["support"]["yes"] == sum(1 for r in rows if r["support"] == "yes") == 1
    width = dashboard.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    wide = dashboard.evaluate(
        """() => [...document.querySelectorAll('main *')].filter((e) => e.getBoundingClientRect().right >
             window.innerWidth + 1).slice(0, 5).map((e) => e.tagName + '#' + e.id + '.' + e.className)"""
    )
    assert width[0] <= width[1], (width, wide)  # no sideways scrolling, at phone size too

    calling.close()
    expect(dashboard.locator("#roster tbody")).to_contain_text("Nobody is calling", timeout=5_000)
    organizer.close()
