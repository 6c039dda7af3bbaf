"""A volunteer reloads the call page mid-conversation in a power campaign, at desktop (1280 px) and phone
(390 px) sizes. The browser's leg leaves the volunteer's conference as the page goes; it used to end the
room (endConferenceOnExit) and with it the voter's call. Now the pacer holds the voter, the reloaded page
comes back to the same voter at the same step, its line joins the conference again and the pacer takes the
voter back from hold; the conversation goes on and saves. The pacer runs here, with a simulated carrier of
its own, as the worker runs it beside the server."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from dialer.connections import async_client
from dialer.dialing.pacer_loop import CampaignPacer
from dialer.queue import keys
from dialer.settings import Settings
from dialer.telephony.simulated import SimulatedCarrier
from dialer.telephony.simulated_plan import SimProfile
from tests.browser.conftest import seed_contacts
from tests.browser.harness import Running
from tests.browser.scenario import CONTACTS, SCRIPT, volunteer_context
from tests.browser.test_own_phone import VIEWPORTS
from tests.browser.test_phone_viewport import no_sideways_scroll
from tests.e2e.calling import STAYS_ON_THE_LINE
from tests.stores import open_store

pytestmark = pytest.mark.browser

SPEED = (
    2.0  # simulated time at twice the clock's pace: a voter is held half a minute, far longer than a reload
)


@dataclass
class Pacer:
    """The campaign's pacer, started in a thread of its own (Playwright's sync API owns this one's event
    loop) once the campaign exists, with the simulated carrier it places and moves voters' calls through."""

    carrier: SimulatedCarrier
    start: Callable[[], None]


@pytest.fixture
def pacer(server: Running, clean_redis: str, tmp_path: Path) -> Iterator[Pacer]:
    settings = Settings(redis_url=clean_redis, data_dir=tmp_path, secret_key="test-secret-key",
                        public_url=server.base_url, carrier="simulated", sim_speed=SPEED)  # fmt: skip
    talks = SimProfile(**json.loads(STAYS_ON_THE_LINE))
    carrier = SimulatedCarrier(settings, seed=5, speed=SPEED, profile=talks)
    stop = threading.Event()

    async def pace() -> None:
        redis = async_client(clean_redis)
        try:
            await CampaignPacer(redis, carrier, settings, "pwr", scale=SPEED).run(stop.is_set)
        finally:
            await carrier.aclose()
            await redis.aclose()

    thread = threading.Thread(target=asyncio.run, args=(pace(),), daemon=True)
    try:
        yield Pacer(carrier, thread.start)
    finally:
        stop.set()
        if thread.is_alive():
            thread.join(timeout=30)


def eventually(check: Callable[[], bool], what: str, seconds: float = 15.0) -> None:
    """Wait for what the pacer does in its own thread (a bounded wait, then say what never happened)."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened: {what}")
        time.sleep(0.05)


@pytest.mark.parametrize("size", sorted(VIEWPORTS))
def test_a_reload_mid_power_call_comes_back_to_the_voter_on_the_line(
    browser: Browser, server: Running, clean_redis: str, pacer: Pacer, shots: Path, size: str
) -> None:
    with server.client() as admin:
        r = admin.post("/api/scripts", content=SCRIPT, headers={"Content-Type": "application/yaml"})
        assert r.status_code == 201, r.text
        body = {"id": "pwr", "name": "Library levy", "script_id": "doors", "caller_id": "+12025550100",
                "mode": "power", "batch_size": 2}  # fmt: skip
        assert admin.post("/api/campaigns", json=body).status_code == 201
    seed_contacts(server, "pwr", CONTACTS[:1])
    pacer.start()
    context = volunteer_context(browser, server, f"pia-{size}@example.org", "Pia Power", **VIEWPORTS[size])
    volunteer = context.request.get(f"{server.base_url}/api/me").json()["user"]["id"]
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto("/call/pwr")
    expect(page.locator("#ready-btn")).to_be_enabled(timeout=10_000)
    with page.expect_response(lambda r: r.url.endswith("/conference-leg")) as joined:
        page.locator("#ready-btn").click()  # Start taking calls: the page's line joins the conference
    first_leg = joined.value.json()["call_sid"]
    expect(page.locator("#dialer-state")).to_contain_text("Waiting for the next voter")
    store = open_store(clean_redis, decode_responses=True)
    expect(page.locator("#step-text")).to_contain_text("Hi, is this", timeout=20_000)
    sid = store.hget(keys.dial_agent("pwr", volunteer), "call_sid")
    assert sid
    page.keyboard.press("1")  # Speaking
    expect(page.locator("#step-text")).to_contain_text("library levy")

    # The reload: the old page's leg leaves as it goes (its DELETE, sent with keepalive from pagehide, is not
    # one Playwright reports: the pacer holds the voter) and the new page's leg joins (the voter is back).
    with page.expect_response(lambda r: r.url.endswith("/conference-leg")) as rejoined:
        page.reload()
    assert rejoined.value.status == 201, rejoined.value.text()
    assert store.get(keys.agent_leg("pwr", volunteer)) == rejoined.value.json()["call_sid"] != first_leg
    expect(page.locator("#step-text")).to_contain_text("library levy", timeout=10_000)
    expect(page.locator("#dialer-state")).to_contain_text("Connected to a voter")
    expect(page.locator("#choices button").first).to_be_focused()
    carrier, spoken = pacer.carrier, pacer.carrier.spoken
    eventually(lambda: any(s.call_sid == sid and "right back" in s.text for s in list(spoken)), "the hold")
    eventually(lambda: carrier._legs[sid].held is None, "the voter taken back from hold")
    assert store.get(keys.held_voter("pwr", volunteer)) is None
    assert store.hget(keys.attempt("pwr", sid), "status") == "in-progress"  # the voter is still on the line
    no_sideways_scroll(page)
    page.screenshot(path=shots / f"power-reloaded-{size}.png", full_page=True)

    page.keyboard.press("2")  # No: the script ends
    expect(page.locator("#finish-btn")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#save-status")).to_contain_text("Saved: Refused", timeout=10_000)
    with server.client() as admin:
        rows = admin.get("/api/campaigns/pwr/results.csv").text
    assert any(",refused," in row and sid in row for row in rows.splitlines()), rows
    assert store.hget(keys.dial_counters("pwr"), "abandoned") in (None, "0")
    assert not errors, errors
    context.close()
