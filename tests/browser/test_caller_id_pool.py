"""The settings page's local numbers (caller_ids): an organizer adds numbers with the area codes and states
they serve, sees a mistake beside the field that has it, saves, finds them again and removes one; the call
page then says calls may come from a local number."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.harness import Running
from tests.browser.scenario import campaign_field, organizer_on_settings, seed_campaign
from tests.browser.test_campaign_form import SIZES, no_sideways_scroll

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("size", SIZES)
def test_organizer_edits_the_local_numbers(
    browser: Browser, server: Running, clean_redis: str, shots: Path, size: str
) -> None:
    campaign = seed_campaign(server, clean_redis)
    context, page = organizer_on_settings(browser, server, campaign, **SIZES[size])
    expect(page.locator('fieldset[data-path="caller_ids"] legend')).to_contain_text("Local numbers")
    assert page.locator("#caller-id-pool .pool-row").count() == 0

    page.get_by_role("button", name="Add a local number").click()
    first = page.locator("#caller-id-pool .pool-row").nth(0)
    expect(first.get_by_label("Local number", exact=True)).to_be_focused()
    first.get_by_label("Local number", exact=True).fill("(215) 555-0100")
    first.get_by_label("Area codes").fill("267, 445")
    first.get_by_label("States").fill("pa")
    page.get_by_role("button", name="Add a local number").click()
    second = page.locator("#caller-id-pool .pool-row").nth(1)
    second.get_by_label("Local number", exact=True).fill("512-555-0100")
    second.get_by_label("States").fill("TX, ZZ")
    page.get_by_role("button", name="Add a local number").click()  # left empty: not sent
    page.get_by_role("button", name="Save settings").click()

    # The unknown state is said beside the second number's states, and nothing was saved.
    error = page.locator('.field[data-path="caller_ids[1].states"] .field-error')
    expect(error).to_have_text("States: ZZ is not one of the two-letter state codes like PA")
    expect(second.get_by_label("States")).to_be_focused()
    assert page.locator("#caller-id-pool .pool-row").count() == 2
    assert campaign_field(server, campaign, "caller_ids") == []
    no_sideways_scroll(page)
    page.screenshot(path=shots / f"caller-id-pool-error-{size}.png", full_page=True)

    second.get_by_label("States").fill("TX")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator("#form-ok")).to_have_text("Saved.")
    expect(page.locator(".field-error")).to_have_count(0)
    assert campaign_field(server, campaign, "caller_ids") == [
        {"number": "+12155550100", "area_codes": ["267", "445"], "states": ["PA"]},
        {"number": "+15125550100", "area_codes": [], "states": ["TX"]},
    ]

    # Found again on a fresh page, as people read them; removing one and saving keeps the other.
    page.reload()
    rows = page.locator("#caller-id-pool .pool-row")
    expect(rows).to_have_count(2)
    expect(rows.nth(0).get_by_label("Local number", exact=True)).to_have_value("(215) 555-0100")
    expect(rows.nth(0).get_by_label("Area codes")).to_have_value("267, 445")
    page.get_by_role("button", name="Remove local number (215) 555-0100").click()
    expect(rows).to_have_count(1)
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator("#form-ok")).to_have_text("Saved.")
    assert campaign_field(server, campaign, "caller_ids") == [
        {"number": "+15125550100", "area_codes": [], "states": ["TX"]}
    ]

    # The call page no longer promises one number to every voter.
    page.goto(f"/call/{campaign}")
    expect(page.locator("#caller-line")).to_contain_text("a local number of the campaign")
    expect(page.locator("#caller-id")).to_have_text("(202) 555-0100")
    context.close()
