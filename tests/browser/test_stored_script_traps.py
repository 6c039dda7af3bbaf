"""A script stored before the circle check still traps volunteers: staff opening it on the Scripts page, and
the campaign calling with it, see the warning (and the preview still walks it)."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import make_user
from tests.browser.harness import Running
from tests.browser.scenario import sign_in
from tests.integration.test_stored_script_findings import TRAP, _store

pytestmark = pytest.mark.browser


def test_staff_see_that_a_stored_script_traps_volunteers(
    browser: Browser, server: Running, redis_url: str, shots: Path
) -> None:
    with ThreadPoolExecutor(1) as pool:  # Playwright's own loop runs in this thread
        pool.submit(asyncio.run, _store(redis_url, TRAP)).result()
    with server.client() as admin:
        body = {"id": "ward", "name": "Ward 3", "script_id": "ward-loop", "caller_id": "+12025550142"}
        assert admin.post("/api/campaigns", json=body).status_code == 201
    make_user(server, "sam@example.org", "Sam Staff", role="organizer")
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, base_url=server.base_url)
    sign_in(context, server, "sam@example.org")
    page = context.new_page()
    page.goto("/campaigns/ward/dashboard")
    banner = page.get_by_role("alert", name="Script ward-loop can trap volunteers")
    expect(banner).to_contain_text("version 1")
    expect(banner.locator("li").first).to_contain_text("steps.plan.next")
    banner.get_by_role("link", name="Scripts page").click()
    expect(page).to_have_url("/scripts?id=ward-loop")
    # Opened, it is checked at once: the findings as warnings on their lines, and the walk goes on.
    summary = page.locator("#problems-summary")
    expect(summary).to_contain_text("volunteers calling with it can be caught")
    expect(summary).to_contain_text("2 warnings")
    expect(summary).to_contain_text("can lead on to each other in a circle")
    expect(page.locator(".source-lines .line.bad.warning").first).to_be_visible()
    expect(page.locator("#walk .step-text")).to_have_text("Hi Alex, can we count on your vote?")
    page.screenshot(path=shots / "scripts-stored-trap.png", full_page=True)
    context.close()
