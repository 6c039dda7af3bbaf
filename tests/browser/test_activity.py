"""The campaign's activity page in headless Chromium: an organizer pauses calling from the dashboard, follows
its Activity link and reads who did what, newest first and in words ("Paused calling", "Uploaded a call
list"), on a desktop and on a 390 px phone without sideways scrolling."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, expect

from dialer.queue import keys
from tests.browser.conftest import make_user, seed_contacts
from tests.browser.harness import Running
from tests.browser.scenario import campaign_field, organizer_on_settings, seed_campaign, sign_in
from tests.stores import open_store

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, {"width": 390, "height": 844}])
def test_an_organizer_reads_the_campaigns_activity(
    browser: Browser, server: Running, redis_url: str, shots: Path, viewport: dict[str, int]
) -> None:
    campaign = seed_campaign(server, redis_url)
    seed_contacts(server, campaign, [("+12025550177", "Pat", "Example")])
    make_user(server, "olive@example.org", "Olive Organizer", role="organizer")
    context = browser.new_context(base_url=server.base_url, viewport=viewport)
    sign_in(context, server, "olive@example.org")
    page = context.new_page()
    page.goto(f"/campaigns/{campaign}/dashboard")
    page.locator("#pause-btn").click()
    expect(page.locator("#status")).to_have_text("paused")
    page.get_by_role("link", name="Activity").click()
    expect(page.locator("h1")).to_have_text("Activity")

    items = page.locator("#activity li")
    expect(items.nth(0)).to_contain_text("Olive Organizer · Paused calling")
    expect(items.nth(0)).to_contain_text("It was active.")
    expect(items.nth(1)).to_contain_text("Uploaded a call list")
    expect(items.nth(1)).to_contain_text("1 contact added")
    expect(page.locator("#activity")).not_to_contain_text("_")  # no action codes like status or mode_switch
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], f"the page scrolls sideways: {width} px"
    page.screenshot(path=str(shots / f"activity-{viewport['width']}.png"), full_page=True)
    context.close()


def test_an_organizer_reads_older_actions_a_page_at_a_time(
    browser: Browser, server: Running, redis_url: str
) -> None:
    """A long call day passes the first page's 100 actions: "Show older actions" adds the rest below, the
    reader carries on from the first older one, and coached volunteers are named on every page."""
    campaign = seed_campaign(server, redis_url)
    make_user(server, "olive@example.org", "Olive Organizer", role="organizer")
    token = make_user(server, "val@example.org", "Val Volunteer")
    with httpx.Client(base_url=server.base_url, headers={"Authorization": f"Bearer {token}"}) as client:
        vol = client.get("/api/me").json()["user"]["id"]

    store = open_store(redis_url, decode_responses=True)
    for i in range(130):  # as audit.record writes them (the page's own run of the app's loop is Playwright's)
        detail = json.dumps({"volunteer": vol, "mode": "listen"})
        fields = {"at": repr(float(i)), "user": "x", "name": "Olive Organizer", "action": "coach_join"}
        store.xadd(keys.audit(campaign), {**fields, "detail": detail})
    total = store.xlen(keys.audit(campaign))  # with the seeded campaign's own call-list upload
    context = browser.new_context(base_url=server.base_url, viewport={"width": 390, "height": 844})
    sign_in(context, server, "olive@example.org")
    page = context.new_page()
    page.goto(f"/campaigns/{campaign}/activity")
    items = page.locator("#activity li")
    expect(items).to_have_count(100)
    expect(page.locator("#activity-status")).to_contain_text("100 actions shown")
    older = page.get_by_role("button", name="Show older actions")
    older.click()
    expect(items).to_have_count(total)
    expect(older).to_be_hidden()
    expect(items.nth(100)).to_be_focused()
    expect(items.nth(100)).to_contain_text("Joined Val Volunteer's call to coach")
    expect(page.locator("#activity-status")).to_have_text(f"{total} actions shown, newest first.")
    context.close()


def test_the_activity_names_only_the_settings_that_changed(
    browser: Browser, server: Running, redis_url: str
) -> None:
    """The settings form sends every field; the log named them all ("Changed: abandon cap, batch size, caller
    ID, ...") after a save that only switched the mode or set the goal."""
    campaign = seed_campaign(server, redis_url)
    context, page = organizer_on_settings(browser, server, campaign, viewport={"width": 1280, "height": 900})
    page.locator("#f-mode").select_option("power")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator("#form-ok")).to_have_text("Saved.")
    page.locator("#f-mode").select_option("preview")
    page.locator("#f-goal").fill("25")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator("#form-ok")).to_have_text("Saved.")
    assert campaign_field(server, campaign, "goal") == 25

    page.goto(f"/campaigns/{campaign}/activity")
    items = page.locator("#activity li")
    expect(items.nth(0)).to_contain_text("Changed the settings")
    expect(items.nth(0)).to_contain_text("Changed: goal.")
    expect(items.nth(1)).to_contain_text("Switched the dialing mode from power to preview")
    expect(items.nth(2)).to_contain_text("Switched the dialing mode from preview to power")
    expect(items.nth(3)).to_contain_text("Uploaded a call list")  # the first save changed nothing else
    expect(items).to_have_count(4)
    context.close()
