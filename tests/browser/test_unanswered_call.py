"""A call nobody answers: the page offers to save what happened; the keyboard cannot log a conversation."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.harness import Running, running_server
from tests.browser.scenario import open_call_page, seed_campaign, volunteer_context

pytestmark = pytest.mark.browser

EVERY_LINE_BUSY = json.dumps({"human_rate": 0.0, "machine_rate": 0.0, "busy_rate": 1.0, "fail_rate": 0.0})


@pytest.fixture
def server(tmp_path: Path, clean_redis: str) -> Iterator[Running]:
    with running_server(tmp_path, clean_redis, env={"DIALER_SIM_PROFILE": EVERY_LINE_BUSY}) as running:
        yield running


def test_a_busy_line_lands_on_saving_busy_not_on_the_script(
    browser: Browser, server: Running, redis_url: str, shots: Path
) -> None:
    campaign = seed_campaign(server, redis_url)
    context = volunteer_context(browser, server, "bo@example.org", "Bo Busy")
    page = open_call_page(context, campaign)
    page.keyboard.press("Enter")
    expect(page.locator("#step-text")).to_contain_text("is this", timeout=10_000)

    # The line is busy: only the results that fit show, Busy picked, and one primary button with the focus;
    # the script is gone, so no key can log a conversation.
    expect(page.locator("#finish-btn")).to_be_focused(timeout=10_000)
    expect(page.locator("#finish-btn")).to_have_text("Save: Busy & next")
    expect(page.locator("#unanswered input[value=busy]")).to_be_checked()
    expect(page.locator("#script")).to_be_hidden()
    expect(page.locator("#manual")).to_be_hidden()
    expect(page.locator("#again-btn")).to_be_visible()
    page.keyboard.press("1")  # would have been "Speaking"
    page.screenshot(path=shots / "call-busy.png", full_page=True)

    page.keyboard.press("Enter")
    expect(page.locator("#save-status")).to_contain_text("Saved: Busy", timeout=10_000)
    expect(page.locator("#position")).to_have_text("Contact 2 of 3")
    expect(page.locator("#call-btn")).to_be_enabled()
    with server.client() as admin:
        rows = admin.get(f"/api/campaigns/{campaign}/results.csv").text.splitlines()
    assert len(rows) == 2 and ",busy," in rows[1] and "Speaking" not in rows[1]
    context.close()
