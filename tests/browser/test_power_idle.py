"""A power volunteer whose campaign's dialer can call nobody is told why, and when calling can resume,
instead of "Waiting for the next voter" for ever: the voters left are cell phones without consent (found by
the pacer's take), then news of another reason replaces it, and a page that connects later hears it too.
The organizer's stats count those cells apart from the voters ready to dial."""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from dialer.connections import async_client
from dialer.dialing.take import Idle, announce_idle
from dialer.stores.campaigns import CampaignStore
from tests.browser.conftest import make_user
from tests.browser.harness import Running
from tests.browser.scenario import SCRIPT, sign_in, volunteer_context
from tests.e2e.calling import midday_zone
from tests.integration.dialing_support import FakeCarrier, pacer

pytestmark = pytest.mark.browser

# The page's clock (and zone) are fixed: 5 pm in New York; the next morning's 9 am is "tomorrow at 9:00 AM".
PAGE_NOW = datetime(2026, 12, 7, 22, 0, tzinfo=UTC)
OPENS = datetime(2026, 12, 8, 14, 0, tzinfo=UTC).timestamp()


def seed_cells_only(server: Running) -> str:
    with server.client() as admin:
        r = admin.post("/api/scripts", content=SCRIPT, headers={"Content-Type": "application/yaml"})
        assert r.status_code == 201, r.text
        r = admin.post(
            "/api/campaigns",
            json={"id": "cells", "name": "Cells only", "script_id": "doors", "caller_id": "+12025550100",
                  "mode": "power", "calling_hours": {"start": "08:00", "end": "21:00"}},
        )  # fmt: skip
        assert r.status_code == 201, r.text
        zone = midday_zone(time.time())  # open whenever the test runs
        csv = "phone,first_name,last_name,timezone,phone_type\n" + "".join(
            f"+1202555{n:04d},Voter,{n},{zone},cell\n" for n in (150, 151)
        )
        r = admin.post("/api/campaigns/cells/contacts", content=csv, headers={"Content-Type": "text/csv"})
        assert r.status_code == 200 and r.json()["imported"] == 2, r.text
    return "cells"


async def pacer_tick(redis_url: str, campaign_id: str) -> int:
    """What the worker's pacer does each second for the ready volunteer (here once, at the server's now)."""
    redis = async_client(redis_url)
    try:
        campaign = await CampaignStore(redis).get(campaign_id)
        assert campaign is not None
        return await pacer(redis, FakeCarrier(), campaign_id).tick(campaign, time.time())
    finally:
        await redis.aclose()


async def pacer_says(redis_url: str, campaign_id: str, idle: Idle) -> None:
    """The pacer's news when its reason changes (as its tick announces it)."""
    redis = async_client(redis_url)
    try:
        await announce_idle(redis, campaign_id, idle)
    finally:
        await redis.aclose()


def test_a_power_volunteer_is_told_why_nobody_is_dialed_and_when_it_resumes(
    browser: Browser, server: Running, redis_url: str, shots: Path
) -> None:
    campaign = seed_cells_only(server)
    context = volunteer_context(
        browser, server, "iris@example.org", "Iris Idle", viewport={"width": 1280, "height": 900},
        timezone_id="America/New_York",
    )  # fmt: skip
    context.clock.set_fixed_time(PAGE_NOW)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"/call/{campaign}")
    idle = page.locator("#dialer-idle")
    expect(page.locator("#ready-btn")).to_be_focused(timeout=10_000)
    page.keyboard.press("Enter")
    expect(page.locator("#dialer-state")).to_contain_text("Waiting for the next voter")
    expect(idle).to_be_hidden()  # nothing said before the dialer has tried

    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(asyncio.run, pacer_tick(redis_url, campaign)).result(timeout=30) == 0
    expect(idle).to_be_visible(timeout=10_000)
    expect(idle).to_have_attribute("role", "status")
    expect(idle).to_contain_text("the 2 voters left to call now have a cell phone")
    expect(idle).to_contain_text("may not call without consent")
    page.screenshot(path=shots / "power-idle-cells.png", full_page=True)

    with server.client() as admin:  # the organizer's numbers say them apart
        to_call = admin.get(f"/api/campaigns/{campaign}/stats").json()["to_call"]
    assert (to_call["ready"], to_call["not_dialable"]) == (0, 2), to_call
    make_user(server, "olga@example.org", "Olga Organizer", role="organizer")
    organizer = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=server.base_url)
    sign_in(organizer, server, "olga@example.org")
    dashboard = organizer.new_page()
    dashboard.goto(f"/campaigns/{campaign}/dashboard")
    expect(dashboard.locator("#to-call")).to_contain_text("0 ready now", timeout=10_000)
    expect(dashboard.locator("#to-call")).to_contain_text("2 cell phones the dialer may not call")
    organizer.close()

    with ThreadPoolExecutor(1) as pool:  # the reason changes: the page follows
        pool.submit(asyncio.run, pacer_says(redis_url, campaign, Idle("outside_hours", OPENS))).result(30)
    expect(idle).to_have_text(
        "Nobody to dial right now: it is outside calling hours for everyone left on the list. "
        "Calling resumes tomorrow at 9:00 AM."
    )
    with ThreadPoolExecutor(1) as pool:  # it dials again: nothing to explain
        pool.submit(asyncio.run, pacer_says(redis_url, campaign, Idle())).result(30)
    expect(idle).to_be_hidden()

    # A page that connects later hears the pacer's last reason (its dial status) at once.
    page.reload()
    expect(page.locator("#ready-btn")).to_be_focused(timeout=10_000)
    expect(idle).to_be_hidden()  # not taking calls: nothing to explain
    page.keyboard.press("Enter")
    expect(idle).to_contain_text("have a cell phone", timeout=10_000)
    page.keyboard.press("Enter")  # Stop taking calls
    expect(page.locator("#dialer-state")).to_contain_text("You are not taking calls")
    expect(idle).to_be_hidden()
    assert not errors, errors
    context.close()
