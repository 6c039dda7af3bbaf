"""Power mode: a volunteer taking calls whose connection drops and comes back is in the dialing pool again at
once. The server takes a closed page out of the pool (no voter is bridged to a page that is gone); the page
came back saying "Waiting for the next voter" while the server had it out, until its next heartbeat up to
25 s later: no voter came meanwhile, on every blip of a phone's Wi-Fi (found by the volunteer walk)."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Browser, expect

from dialer.queue import keys
from tests.browser.harness import Running
from tests.browser.scenario import seed_campaign, volunteer_context
from tests.browser.test_power_page import bridge_a_voter
from tests.stores import open_store

pytestmark = pytest.mark.browser


def test_back_online_the_volunteer_is_in_the_pool_again(
    browser: Browser, server: Running, redis_url: str
) -> None:
    campaign = seed_campaign(server, redis_url)
    with server.client() as admin:
        assert admin.patch(f"/api/campaigns/{campaign}", json={"mode": "power"}).status_code == 200
    context = volunteer_context(
        browser, server, "rio@example.org", "Rio Reconnect", viewport={"width": 390, "height": 844}
    )
    context.clock.install()
    page = context.new_page()
    said: list[object] = []  # the bodies of the page's POST .../ready, in order
    page.on("request", lambda r: said.append(r.post_data_json) if r.url.endswith("/ready") else None)
    page.goto(f"/call/{campaign}")
    expect(page.locator("#ready-btn")).to_be_focused(timeout=10_000)
    page.keyboard.press("Enter")
    expect(page.locator("#ready-btn")).to_have_attribute("aria-pressed", "true")
    # The page's clock stands still from here: its heartbeat (every 25 s) cannot put it back in the pool.
    # A moment ahead of now: the page's clock has been running since install, and pausing it at a time it
    # has passed fails ("Cannot fast-forward to the past": a loaded rehearsal met it once).
    page.clock.pause_at(datetime.now(UTC) + timedelta(seconds=2))

    context.set_offline(True)
    expect(page.locator("#notice")).to_contain_text("No connection", timeout=5_000)
    context.set_offline(False)
    expect(page.locator("#conn")).to_have_text("connected", timeout=10_000)
    expect(page.locator("#dialer-state")).to_contain_text("Waiting for the next voter")
    # Back in the pool as `alive`: a voter the server put through while the page was away is kept, where a
    # plain `ready` would end the call they are on.
    for _ in range(200):  # the request event may come after the page shows it is connected
        if {"ready": True, "alive": True} in said[1:]:
            break
        page.wait_for_timeout(50)
    assert said[0] == {"ready": True} and {"ready": True, "alive": True} in said[1:], said

    # The server has the volunteer ready again (the rejoin processed) before a voter is put through.
    uid = context.request.get(f"{server.base_url}/api/me").json()["user"]["id"]
    store = open_store(redis_url, decode_responses=True)
    for _ in range(200):
        if store.zscore(keys.dial_ready(campaign), uid) is not None:
            break
        page.wait_for_timeout(50)
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, bridge_a_voter(redis_url, campaign)).result(timeout=30)
    expect(page.locator("#step-text")).to_contain_text("Hi, is this", timeout=10_000)
    context.close()
