"""The dashboard's "Who is calling" on a 390 px phone: each volunteer is a short card (name, what they are
doing, calls and conversations, the Listen / Coach / Barge buttons) inside the screen. The table ran
past the screen's right edge in a box that scrolled sideways: "Talked" was cut in two and the buttons,
stacked off screen, made every row 180 px tall (found by a new-user walk)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import make_user
from tests.browser.harness import Running
from tests.browser.scenario import open_call_page, seed_campaign, sign_in, volunteer_context, wait_connected

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}

# Every cell of the row and every button in it, with where it is across the screen.
BOXES = """(row) => [...row.querySelectorAll('th, td, button')]
  .filter((e) => e.getClientRects().length > 0)
  .map((e) => { const b = e.getBoundingClientRect();
                const what = e.tagName + ' ' + e.textContent.trim().slice(0, 20);
                return {what, left: b.left, right: b.right}; })"""


def test_the_roster_fits_a_phone(browser: Browser, server: Running, redis_url: str, shots: Path) -> None:
    campaign = seed_campaign(server, redis_url)
    make_user(server, "pho@example.org", "Pho Organizer", role="organizer")
    organizer = browser.new_context(viewport=PHONE, base_url=server.base_url, has_touch=True)
    sign_in(organizer, server, "pho@example.org")
    dashboard = organizer.new_page()
    dashboard.goto(f"/campaigns/{campaign}/dashboard")
    expect(dashboard.locator("#live")).to_have_text("live", timeout=10_000)

    calling = volunteer_context(browser, server, "val@example.org", "Valentina Longname-Volunteer")
    page = open_call_page(calling, campaign)
    page.locator("#call-btn").click()
    wait_connected(page)
    row = dashboard.locator("#roster tbody tr", has_text="Valentina")
    expect(row).to_contain_text("Talking", timeout=5_000)
    expect(row.get_by_role("button", name="Listen")).to_be_visible()
    row.scroll_into_view_if_needed()
    dashboard.screenshot(path=shots / "roster-phone.png", full_page=True)

    outside = [b for b in row.evaluate(BOXES) if b["left"] < 0 or b["right"] > PHONE["width"]]
    assert not outside, f"past the edge of a {PHONE['width']} px screen: {outside}"
    table = dashboard.locator("#roster").bounding_box()
    assert table is not None and table["x"] + table["width"] <= PHONE["width"], table
    for name in ("Listen", "Coach", "Barge"):
        box = row.get_by_role("button", name=name).bounding_box()
        assert box is not None and box["height"] >= 44, (name, box)
    assert (row.bounding_box() or {"height": 0})["height"] < 160  # a card, not a column of buttons
    # What the hidden column headers said is still said beside each number.
    labels = row.evaluate(
        "(row) => [...row.querySelectorAll('td')].map((td) => getComputedStyle(td, '::before').content)"
    )
    assert '"Calls "' in labels and '"Talked "' in labels, labels
    calling.close()
    organizer.close()
