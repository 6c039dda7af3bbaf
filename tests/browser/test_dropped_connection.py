"""A dropped call socket does not lose a result, and does not record it twice: the page retries with the
same idempotency key until the server confirms."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from playwright.sync_api import Browser, WebSocketRoute, expect

from dialer.jobs import reap_expired_leases
from dialer.queue import keys
from tests.browser.harness import Running
from tests.browser.scenario import seed_campaign, volunteer_context, wait_connected
from tests.stores import open_store

pytestmark = pytest.mark.browser


def test_result_survives_a_socket_dropped_before_the_confirmation(
    browser: Browser, server: Running, redis_url: str, shots: Path
) -> None:
    campaign = seed_campaign(server, redis_url)
    context = volunteer_context(
        browser, server, "dee@example.org", "Dee Dropped", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    sockets: list[WebSocketRoute] = []
    finishes: list[dict[str, object]] = []
    dropped = {"done": False}

    def relay(ws: WebSocketRoute) -> None:
        sockets.append(ws)
        upstream = ws.connect_to_server()

        def from_page(message: str | bytes) -> None:
            data = json.loads(message)
            if data.get("type") == "finish":
                finishes.append(data)
            upstream.send(message)

        def from_server(message: str | bytes) -> None:
            data = json.loads(message)
            if data.get("type") == "recorded" and not dropped["done"]:
                # The server recorded it, but the line drops before the page hears so.
                dropped["done"] = True
                ws.close(code=4000, reason="network dropped")
                return
            ws.send(message)

        ws.on_message(from_page)
        upstream.on_message(from_server)

    page.route_web_socket("**/ws/call/**", relay)
    posted: list[dict[str, object]] = []
    page.on(
        "request",
        lambda r: posted.append(json.loads(r.post_data or "{}")) if r.url.endswith("/results") else None,
    )
    page.goto(f"/call/{campaign}")
    expect(page.locator("#call-btn")).to_be_focused(timeout=10_000)
    page.keyboard.press("Enter")
    expect(page.locator("#step-text")).to_contain_text("is this", timeout=10_000)
    wait_connected(page)
    page.keyboard.press("2")  # not home: the script ends at once
    expect(page.locator("#finish-btn")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.locator("#save-status")).to_contain_text("Saved: Not home", timeout=15_000)
    assert dropped["done"] and len(sockets) >= 2  # it did drop, and the page reconnected
    keys = {f["idempotency_key"] for f in finishes} | {p["idempotency_key"] for p in posted}
    assert len(keys) == 1 and finishes  # every retry, by socket or by HTTP, carried the same key
    with server.client() as admin:
        rows = list(csv.DictReader(io.StringIO(admin.get(f"/api/campaigns/{campaign}/results.csv").text)))
        stats = admin.get(f"/api/campaigns/{campaign}/stats").json()
    assert [r["result"] for r in rows] == ["not_home"]  # recorded once
    assert stats["calls"] == 1
    # The page moved on to the next contact.
    expect(page.locator("#position")).to_have_text("Contact 2 of 3")
    context.close()


def test_leaving_the_page_gives_the_list_back_after_a_grace(
    browser: Browser, server: Running, redis_url: str
) -> None:
    """Leaving the call page (or reloading it) ends the list's lease within two minutes instead of its
    half hour: a reload in that time takes the same list back (test_call_day), and otherwise the voters go
    back to everyone."""
    campaign = seed_campaign(server, redis_url)
    context = volunteer_context(browser, server, "lee@example.org", "Lee Leaving")
    page = context.new_page()
    page.goto(f"/call/{campaign}")
    expect(page.locator("#contact-list li")).to_have_count(3, timeout=10_000)
    store = open_store(redis_url, decode_responses=True)  # a cluster client on a cluster
    [(_, lease_ends)] = store.zrange(keys.leases(campaign), 0, -1, withscores=True)
    assert lease_ends > time.time() + 600  # the campaign's lease: far off
    with server.client() as admin:
        assert admin.get(f"/api/campaigns/{campaign}/stats").json()["leased"] == 3
        page.goto("/profile")  # pagehide: the page gives its list back with a keepalive request
        expect(page.locator("h1")).to_have_text("Lee Leaving")
        deadline = time.monotonic() + 10
        while store.zrange(keys.leases(campaign), 0, -1, withscores=True)[0][1] > time.time() + 121:
            assert time.monotonic() < deadline, "leaving the page did not shorten the list's lease"
            time.sleep(0.1)
        # Past the grace, the reaper (the worker's periodic job) hands the voters back.
        # (asyncio.run in a thread of its own: Playwright's sync API holds this thread's event loop)
        with ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, reap_expired_leases(redis_url, now=time.time() + 121)).result(timeout=30)
        assert admin.get(f"/api/campaigns/{campaign}/stats").json()["leased"] == 0
    context.close()
