"""A dropped call socket does not lose a result, and does not record it twice: the page retries with the
same idempotency key until the server confirms."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from playwright.sync_api import Browser, WebSocketRoute, expect

from tests.browser.harness import Running
from tests.browser.scenario import open_call_page, seed_campaign, volunteer_context, wait_connected

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


def test_leaving_the_page_releases_the_list(browser: Browser, server: Running, redis_url: str) -> None:
    campaign = seed_campaign(server, redis_url)
    context = volunteer_context(browser, server, "lee@example.org", "Lee Leaving")
    page = context.new_page()
    page.goto(f"/call/{campaign}")
    expect(page.locator("#contact-list li")).to_have_count(3, timeout=10_000)
    with server.client() as admin:
        assert admin.get(f"/api/campaigns/{campaign}/stats").json()["leased"] == 3
        page.goto("/profile")  # pagehide: the page releases its batch with a keepalive request
        expect(page.locator("h1")).to_have_text("Lee Leaving")
        deadline = 50
        while admin.get(f"/api/campaigns/{campaign}/stats").json()["leased"] != 0 and deadline:
            page.wait_for_timeout(100)
            deadline -= 1
        assert admin.get(f"/api/campaigns/{campaign}/stats").json()["leased"] == 0
    context.close()


def test_a_result_without_a_call_is_recorded_by_keyboard(
    browser: Browser, server: Running, redis_url: str
) -> None:
    campaign = seed_campaign(server, redis_url)
    context = volunteer_context(browser, server, "wes@example.org", "Wes Wrong")
    page = open_call_page(context, campaign)
    page.locator("#manual summary").focus()
    page.keyboard.press("Enter")  # opens "No conversation? Record what happened"
    page.keyboard.press("Tab")
    expect(page.locator("#manual-result")).to_be_focused()
    page.locator("#manual-result").select_option("wrong_number")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("#save-status")).to_contain_text("Saved: Wrong number", timeout=10_000)
    with server.client() as admin:
        rows = list(csv.DictReader(io.StringIO(admin.get(f"/api/campaigns/{campaign}/results.csv").text)))
    assert [r["result"] for r in rows] == ["wrong_number"]
    context.close()
