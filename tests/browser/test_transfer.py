"""Warm transfer on the volunteer's page (a 390 px phone, then desktop): a power-mode volunteer picks the
script's "transfer" choice; the page says the staff line is being called and will not save while it rings;
the simulated staff line answers, the page says so, and the result saves with the choice's answer."""

from __future__ import annotations

import asyncio
import csv
import io
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import seed_contacts
from tests.browser.harness import Running
from tests.browser.scenario import CONTACTS, volunteer_context
from tests.browser.test_power_page import bridge_a_voter
from tests.unit.test_transfers import RIDES, SCRIPT

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", [{"width": 390, "height": 844}, {"width": 1280, "height": 900}])
def test_transfer_to_the_rides_desk(
    browser: Browser, server: Running, redis_url: str, shots: Path, viewport: dict[str, int]
) -> None:
    with server.client() as admin:
        r = admin.post("/api/scripts", content=SCRIPT, headers={"Content-Type": "application/yaml"})
        assert r.status_code == 201, r.text
        body = {"id": "rides", "name": "Rides", "script_id": "rides", "caller_id": "+12025550100",
                "mode": "power", "transfer_targets": [RIDES]}  # fmt: skip
        assert admin.post("/api/campaigns", json=body).status_code == 201
    seed_contacts(server, "rides", CONTACTS)
    context = volunteer_context(browser, server, "tia@example.org", "Tia Transfer", viewport=viewport)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto("/call/rides")
    expect(page.locator("#ready-btn")).to_be_focused(timeout=10_000)
    page.keyboard.press("Enter")
    expect(page.locator("#dialer-state")).to_contain_text("Waiting for the next voter")
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, bridge_a_voter(redis_url, "rides")).result(timeout=30)
    expect(page.locator("#step-text")).to_contain_text("Need a ride", timeout=5_000)
    expect(page.locator("#transfer-status")).to_be_hidden()
    with page.expect_response(lambda r: r.url.endswith("/transfers")) as started:
        page.get_by_role("button", name="Yes, transfer").click()
    assert started.value.status == 201, started.value.text()
    status = page.locator("#transfer-status")
    # The staff line answers after 5 simulated seconds; until then, or after, the page says where it is.
    expect(status).to_contain_text("Rides desk", timeout=10_000)
    page.screenshot(path=shots / f"transfer-{viewport['width']}.png", full_page=True)
    expect(status).to_have_text("Rides desk took the call. Save the result.", timeout=10_000)
    expect(status).to_be_in_viewport()
    page.locator("#finish-btn").click()
    expect(page.locator("#save-status")).to_contain_text("Saved: Contacted", timeout=10_000)
    with server.client() as admin:
        rows = admin.get("/api/campaigns/rides/results.csv").text
    [row] = csv.DictReader(io.StringIO(rows))
    assert (row["result"], row["intro"]) == ("contacted", "ride"), rows
    assert not errors, errors
    context.close()
