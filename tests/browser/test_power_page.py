"""Power mode on the volunteer page: the volunteer says they are ready, the dialer bridges an answered voter,
the page shows the voter and the script at once, and after saving the volunteer waits for the next one."""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from dialer.connections import async_client
from dialer.dialing.bridge import apply_verdict
from dialer.queue import keys
from dialer.stores.campaigns import CampaignStore
from tests.browser.harness import Running
from tests.browser.scenario import seed_campaign, volunteer_context
from tests.integration.dialing_support import FakeCarrier, pacer

pytestmark = pytest.mark.browser


async def bridge_a_voter(redis_url: str, campaign_id: str) -> str:
    """What the pacer and the carrier do: dial a line, and a person answers it."""
    redis = async_client(redis_url)
    try:
        campaign = await CampaignStore(redis).get(campaign_id)
        assert campaign is not None
        carrier = FakeCarrier()
        placed = await pacer(redis, carrier, campaign_id).dial(campaign, 1, time.time())
        # What the queue held, said when it fails (it did once under load; every rerun passed).
        state = {
            "counters": await redis.hgetall(keys.counters(campaign_id)),
            "lease_of": await redis.hgetall(keys.lease_of(campaign_id)),
            "campaign": (campaign.mode, campaign.status),
        }
        assert placed == 1 and carrier.sids, state
        reply = await apply_verdict(redis, campaign, carrier.sids[0], "human", now=time.time())
        assert reply[0] == "bridged", reply
        return str(reply[1])
    finally:
        await redis.aclose()


def test_power_mode_bridges_a_voter_to_the_ready_volunteer(
    browser: Browser, server: Running, redis_url: str, shots: Path
) -> None:
    campaign = seed_campaign(server, redis_url)
    with server.client() as admin:
        assert admin.patch(f"/api/campaigns/{campaign}", json={"mode": "power"}).status_code == 200
    context = volunteer_context(
        browser, server, "pat@example.org", "Pat Power", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"/call/{campaign}")

    expect(page.locator("#ready-btn")).to_be_focused(timeout=10_000)
    expect(page.locator("#call-btn")).to_be_hidden()
    page.keyboard.press("Enter")
    expect(page.locator("#dialer-state")).to_contain_text("Waiting for the next voter")
    expect(page.locator("#ready-btn")).to_have_attribute("aria-pressed", "true")
    page.screenshot(path=shots / "power-waiting.png", full_page=True)

    # Playwright's sync API owns this thread's event loop: the dialer's side runs in a thread of its own.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, bridge_a_voter(redis_url, campaign)).result(timeout=30)
    expect(page.locator("#step-text")).to_contain_text("Hi, is this", timeout=5_000)
    expect(page.locator("#dialer-state")).to_contain_text("Connected to a voter")
    expect(page.locator("#contact-name")).not_to_have_text("Waiting for the next voter")
    expect(page.locator("#position")).to_have_text("On the line")  # not "Contact 1 of 1"
    expect(page.locator("#list-title")).to_have_text("On the line")
    page.screenshot(path=shots / "power-bridged.png", full_page=True)
    page.keyboard.press("1")
    expect(page.locator("#step-text")).to_contain_text("library levy")
    page.keyboard.press("2")  # No -> refused, the script ends
    expect(page.locator("#finish-btn")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#save-status")).to_contain_text("Saved: Refused", timeout=10_000)
    expect(page.locator("#dialer-state")).to_contain_text("Waiting for the next voter")
    # The keyboard is on "Stop taking calls", not dropped to the page with the Save button that went.
    expect(page.locator("#ready-btn")).to_be_focused()
    expect(page.locator("#ready-btn")).to_have_text("Stop taking calls")
    with server.client() as admin:
        stats = admin.get(f"/api/campaigns/{campaign}/stats").json()
    assert stats["results"]["refused"] == 1 and stats["mode"] == "power"
    assert not errors, errors
    context.close()


def test_a_volunteer_who_saved_during_a_pause_takes_calls_again_on_resume(
    browser: Browser, server: Running, redis_url: str, shots: Path
) -> None:
    campaign = seed_campaign(server, redis_url)
    with server.client() as admin:
        assert admin.patch(f"/api/campaigns/{campaign}", json={"mode": "power"}).status_code == 200
    context = volunteer_context(
        browser, server, "paz@example.org", "Paz Pause", viewport={"width": 390, "height": 844}
    )
    page = context.new_page()
    page.goto(f"/call/{campaign}")
    expect(page.locator("#ready-btn")).to_be_focused(timeout=10_000)
    page.keyboard.press("Enter")
    expect(page.locator("#contact-name")).to_have_text("Waiting for the next voter")
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, bridge_a_voter(redis_url, campaign)).result(timeout=30)
    expect(page.locator("#step-text")).to_contain_text("Hi, is this", timeout=5_000)
    expect(page.locator("#ready-btn")).to_be_hidden()  # on a call: finish it first
    expect(page.locator("#voter-hangup-btn")).to_be_visible()
    with server.client() as admin:
        assert admin.patch(f"/api/campaigns/{campaign}", json={"status": "paused"}).status_code == 200
    page.keyboard.press("2")  # Not home: the script ends
    expect(page.locator("#finish-btn")).to_be_focused()  # (Enter before that would press an answer)
    page.keyboard.press("Enter")
    expect(page.locator("#save-status")).to_contain_text("Saved: Not home", timeout=10_000)
    expect(page.locator("#dialer-state")).to_have_text("You take calls again when the campaign resumes.")
    expect(page.locator("#contact-name")).to_have_text("The campaign is paused")
    with server.client() as admin:
        assert admin.patch(f"/api/campaigns/{campaign}", json={"status": "active"}).status_code == 200
    expect(page.locator("#dialer-state")).to_contain_text("Waiting for the next voter", timeout=2_000)
    expect(page.locator("#contact-name")).to_have_text("Waiting for the next voter")
    page.screenshot(path=shots / "power-after-resume-phone.png", full_page=True)
    context.close()


def test_a_reload_while_waiting_says_the_volunteer_stopped_taking_calls(
    browser: Browser, server: Running, redis_url: str
) -> None:
    """A reload takes a waiting volunteer out of the dialing pool (the page leaves it as it goes). The
    reloaded page said only 'You are not taking calls.', as on a first visit, to someone who had pressed
    Start and thought they still waited (found by the volunteer walk). It says why, once; a volunteer who
    stopped on purpose is not told so."""
    campaign = seed_campaign(server, redis_url)
    with server.client() as admin:
        assert admin.patch(f"/api/campaigns/{campaign}", json={"mode": "power"}).status_code == 200
    context = volunteer_context(
        browser, server, "rey@example.org", "Rey Reload", viewport={"width": 390, "height": 844}
    )
    page = context.new_page()
    page.goto(f"/call/{campaign}")
    state = page.locator("#dialer-state")
    expect(page.locator("#ready-btn")).to_be_focused(timeout=10_000)
    expect(state).to_have_text("You are not taking calls.")
    page.keyboard.press("Enter")
    expect(state).to_contain_text("Waiting for the next voter")

    page.reload()
    expect(page.locator("#ready-btn")).to_be_focused(timeout=10_000)
    expect(state).to_have_text(
        "The page reloaded, so you stopped taking calls. Press “Start taking calls” to go on."
    )
    expect(page.locator("#ready-btn")).to_have_attribute("aria-pressed", "false")
    # News of the campaign (a pause and a resume here; settings, retries due on a live call day) redraws
    # the state: it does not wipe the reason out.
    with server.client() as admin:
        assert admin.patch(f"/api/campaigns/{campaign}", json={"status": "paused"}).status_code == 200
        expect(page.locator("#contact-name")).to_have_text("The campaign is paused")
        expect(state).to_have_text("You are not taking calls.")  # the notice says why, once
        assert admin.patch(f"/api/campaigns/{campaign}", json={"status": "active"}).status_code == 200
    expect(state).to_have_text(
        "The page reloaded, so you stopped taking calls. Press “Start taking calls” to go on."
    )
    page.keyboard.press("Enter")
    expect(state).to_contain_text("Waiting for the next voter")
    page.keyboard.press("Enter")  # Stop taking calls, on purpose
    expect(state).to_have_text("You are not taking calls.")

    page.reload()
    expect(page.locator("#ready-btn")).to_be_focused(timeout=10_000)
    expect(state).to_have_text("You are not taking calls.")
    context.close()
