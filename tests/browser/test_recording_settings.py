"""Recording with consent on the campaign's settings page, at desktop and phone sizes: off by default, the
all-party consent states listed, switched on with its notice and retention, a bad retention refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.harness import Running
from tests.browser.test_voicemail_settings import SIZES, no_sideways_scroll, settings_page

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("size", SIZES)
def test_the_consent_setting(
    browser: Browser, server: Running, redis_url: str, shots: Path, size: str
) -> None:
    page = settings_page(browser, server, redis_url, **SIZES[size])
    page.locator("#advanced summary").click()
    record = page.get_by_label("Record calls, after telling each voter")
    expect(record).not_to_be_checked()  # off by default
    expect(page.get_by_label("What each voter hears first")).to_have_value(
        "This call is recorded for quality and training."
    )
    states = page.locator("#consent-states li")
    expect(states).to_have_count(14)
    expect(states.first).to_have_text("California (CA)")
    expect(page.locator("#consent-states")).to_contain_text(
        "Oregon (OR): all-party for in-person talks; one-party for phone calls"
    )

    # A retention the server refuses is shown at its field, and nothing is saved.
    record.check()
    page.get_by_label("Keep recordings for").fill("0")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator('.field[data-path="recording_retention_days"] .field-error')).to_contain_text(
        "between 1 and 365"
    )
    with server.client() as admin:
        assert admin.get("/api/campaigns/levy").json()["record_calls"] is False

    page.get_by_label("Keep recordings for").fill("14")
    page.get_by_label("What each voter hears first").fill("This call is recorded to train our volunteers.")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator("#form-ok")).to_have_text("Saved.")
    with server.client() as admin:
        campaign: dict[str, Any] = admin.get("/api/campaigns/levy").json()
    assert campaign["record_calls"] is True and campaign["recording_retention_days"] == 14
    assert campaign["recording_disclosure"] == "This call is recorded to train our volunteers."
    no_sideways_scroll(page)
    page.screenshot(path=shots / f"settings-recording-{size}.png", full_page=True)

    page.reload()
    page.locator("#advanced summary").click()
    expect(page.get_by_label("Record calls, after telling each voter")).to_be_checked()
    expect(page.get_by_label("Keep recordings for")).to_have_value("14")
