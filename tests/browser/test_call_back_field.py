"""Arranging a call-back, keyboard only, at desktop (1280 px) and phone (390 px) sizes: a time that cannot be
kept is said at the field, which is marked aria-invalid, described by the message and focused, as the
sign-up form does; it was said in the status line at the bottom of the card, far from the field (off screen
on a phone). A new time clears it, and the call-back saves (found by a new-user walk)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.harness import Running
from tests.browser.scenario import open_call_page, seed_campaign, volunteer_context, wait_connected
from tests.browser.test_own_phone import VIEWPORTS
from tests.browser.test_phone_viewport import no_sideways_scroll

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("size", sorted(VIEWPORTS))
def test_a_call_back_time_out_of_hours_is_said_at_the_field(
    browser: Browser, server: Running, redis_url: str, shots: Path, size: str
) -> None:
    campaign = seed_campaign(server, redis_url)
    with server.client() as admin:  # in each voter's own time
        hours = {"calling_hours": {"start": "09:00", "end": "21:00"}}
        assert admin.patch(f"/api/campaigns/{campaign}", json=hours).status_code == 200
    context = volunteer_context(browser, server, f"cal-{size}@example.org", "Cal Back", **VIEWPORTS[size])
    page = open_call_page(context, campaign)
    page.keyboard.press("Enter")  # Call
    wait_connected(page)
    page.locator("#manual summary").focus()
    page.keyboard.press("Enter")
    page.locator("#manual-result").select_option("call_back")
    field, error = page.locator("#call-back-at"), page.locator("#call-back-error")
    expect(field).to_be_visible()
    expect(error).to_be_hidden()
    # In the clock style of the rest of the page ("saved: ... at 6:00 PM their time"), not 09:00 and 21:00.
    expect(page.locator("#call-back-hint")).to_have_text("Between 9:00 AM and 9:00 PM their time.")
    default = field.input_value()
    field.fill(default.replace("T18:00", "T23:30"))  # after their calling hours
    page.locator("#manual-save").focus()
    page.keyboard.press("Enter")
    expect(error).to_have_text("Pick a time between 9:00 AM and 9:00 PM their time.")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_attribute("aria-describedby", "call-back-error call-back-hint")
    expect(field).to_be_focused()
    expect(error).to_be_in_viewport()
    expect(page.locator("#save-status")).not_to_contain_text("their time")  # not far below, too
    no_sideways_scroll(page)
    page.screenshot(path=shots / f"call-back-error-{size}.png", full_page=True)

    field.fill(default)  # a time they can be called at: the problem goes
    expect(error).to_be_hidden()
    expect(field).not_to_have_attribute("aria-invalid", "true")
    expect(field).to_have_attribute("aria-describedby", "call-back-hint")
    page.locator("#manual-save").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#save-status")).to_contain_text("Saved: Call back", timeout=10_000)
    context.close()


@pytest.mark.parametrize("size", sorted(VIEWPORTS))
def test_a_call_back_time_the_server_refuses_is_said_at_the_field(
    browser: Browser, server: Running, redis_url: str, size: str
) -> None:
    """The organizers narrowed the calling hours after the page loaded: the page's own check lets the time
    through, the server's refuses it (invalid_call_back), and that too is said at the field."""
    campaign = seed_campaign(server, redis_url)
    with server.client() as admin:
        hours = {"calling_hours": {"start": "09:00", "end": "21:00"}}
        assert admin.patch(f"/api/campaigns/{campaign}", json=hours).status_code == 200
    context = volunteer_context(browser, server, f"sev-{size}@example.org", "Sev Server", **VIEWPORTS[size])
    page = open_call_page(context, campaign)
    page.keyboard.press("Enter")  # Call
    wait_connected(page)
    with server.client() as admin:
        hours = {"calling_hours": {"start": "09:00", "end": "12:00"}}
        assert admin.patch(f"/api/campaigns/{campaign}", json=hours).status_code == 200
    page.locator("#manual summary").focus()
    page.keyboard.press("Enter")
    page.locator("#manual-result").select_option("call_back")
    field, error = page.locator("#call-back-at"), page.locator("#call-back-error")
    assert field.input_value().endswith("T18:00")  # inside the hours the page knows of
    page.locator("#manual-save").focus()
    page.keyboard.press("Enter")
    expect(error).to_contain_text("The call-back time", timeout=10_000)
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_be_focused()
    expect(page.locator("#save-status")).not_to_contain_text("call-back time")
    context.close()


def test_the_saved_call_back_is_said_in_the_voters_time_too(
    browser: Browser, server: Running, redis_url: str
) -> None:
    """The volunteer picks the call-back on the voter's clock ("6:00 PM their time"); the confirmation said
    it only on the volunteer's own ("at 1:00 AM (your time)"), which reads as a mistake when the two differ
    (found by a new-user walk)."""
    campaign = seed_campaign(server, redis_url)
    far = "Pacific/Kiritimati"  # UTC+14: the voters' zones (tests.e2e.calling.midday_zone) are -11 to +12
    context = volunteer_context(
        browser,
        server,
        "zed@example.org",
        "Zed Zone",
        viewport={"width": 390, "height": 844},
        timezone_id=far,
    )
    page = open_call_page(context, campaign)
    page.keyboard.press("Enter")  # Call
    wait_connected(page)
    page.locator("#manual summary").click()
    page.locator("#manual-result").select_option("call_back")
    field = page.locator("#call-back-at")
    field.fill(field.input_value()[:10] + "T18:00")  # 6 PM on the voter's clock
    page.locator("#manual-save").click()
    status = page.locator("#save-status")
    expect(status).to_contain_text("Saved: Call back. They will be called back", timeout=10_000)
    expect(status).to_contain_text("your time (6:00 PM their time).")
    context.close()
