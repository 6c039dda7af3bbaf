"""The settings page's transfer targets: an organizer adds the staff lines a script can hand voters on to,
sees a mistake beside the field that has it, saves, finds them again and removes one."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.harness import Running
from tests.browser.scenario import campaign_field, organizer_on_settings, seed_campaign
from tests.browser.test_campaign_form import SIZES, no_sideways_scroll

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("size", SIZES)
def test_organizer_edits_the_transfer_targets(
    browser: Browser, server: Running, clean_redis: str, shots: Path, size: str
) -> None:
    campaign = seed_campaign(server, clean_redis)
    context, page = organizer_on_settings(browser, server, campaign, **SIZES[size])
    box = page.locator("#transfer-targets")
    expect(page.locator('fieldset[data-path="transfer_targets"] legend')).to_contain_text("Transfer targets")
    assert box.locator(".pool-row").count() == 0

    add = page.get_by_role("button", name="Add a transfer target")
    add.click()
    first = box.locator(".pool-row").nth(0)
    expect(first.get_by_label("Name")).to_be_focused()
    first.get_by_label("Name").fill("Rides desk")
    first.get_by_label("Phone").fill("(202) 555-0150")
    add.click()
    second = box.locator(".pool-row").nth(1)
    second.get_by_label("Name").fill("Legal")
    second.get_by_label("Phone").fill("+44 20 7946 0958")  # not a US or Canadian line
    add.click()  # left empty: not sent
    page.get_by_role("button", name="Save settings").click()

    error = page.locator('.field[data-path="transfer_targets[1].phone"] .field-error')
    expect(error).to_be_visible()
    assert campaign_field(server, campaign, "transfer_targets") == []  # nothing saved
    no_sideways_scroll(page)
    page.screenshot(path=shots / f"transfer-targets-error-{size}.png", full_page=True)

    second.get_by_label("Phone").fill("312-555-0101")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator("#form-ok")).to_have_text("Saved.")
    assert campaign_field(server, campaign, "transfer_targets") == [
        {"name": "Rides desk", "phone": "+12025550150"},
        {"name": "Legal", "phone": "+13125550101"},
    ]

    page.reload()
    rows = box.locator(".pool-row")
    expect(rows).to_have_count(2)
    expect(rows.nth(0).get_by_label("Phone")).to_have_value("(202) 555-0150")
    page.get_by_role("button", name="Remove transfer target Rides desk").click()
    expect(rows).to_have_count(1)
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator("#form-ok")).to_have_text("Saved.")
    assert campaign_field(server, campaign, "transfer_targets") == [
        {"name": "Legal", "phone": "+13125550101"}
    ]
    context.close()
