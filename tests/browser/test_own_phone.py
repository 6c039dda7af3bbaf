"""Calling from one's own phone: the number as a tel: link, the script open at once, results recorded and the
next voter brought, at a desktop and a phone-sized viewport; and the fallback of a server with no carrier."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import make_user
from tests.browser.harness import Running, running_server
from tests.browser.scenario import CONTACTS, seed_campaign, sign_in, volunteer_context
from tests.browser.test_phone_viewport import no_sideways_scroll

pytestmark = pytest.mark.browser

PHONES = {phone for phone, _, _ in CONTACTS}
VIEWPORTS = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True},
}
# Clicking a tel: link in headless Chromium would ask the system for a phone app: the test keeps the click
# (and our handler) but not the navigation, as a phone's dialer would take it over.
NO_DIALER = """document.addEventListener('click', (e) => {
  if (e.target.closest('a[href^="tel:"]')) e.preventDefault();
});"""


def own_phone_campaign(server: Running, redis_url: str, **fields: Any) -> str:
    campaign = seed_campaign(server, redis_url)
    if fields:
        with server.client() as admin:
            r = admin.patch(f"/api/campaigns/{campaign}", json=fields)
            assert r.status_code == 200, r.text
    return campaign


def open_own_phone_page(page: Page, campaign: str) -> str:
    """The call page, loaded with its first voter; returns that voter's number (from the tel: link)."""
    page.add_init_script(NO_DIALER)
    page.goto(f"/call/{campaign}")
    tel = page.locator("#tel-link")
    expect(tel).to_be_visible(timeout=10_000)
    expect(tel).to_be_focused()
    expect(page.locator("#call-btn")).to_be_hidden()
    expect(page.locator("#hangup-btn")).to_be_hidden()
    href = tel.get_attribute("href") or ""
    assert href.startswith("tel:+") and href[4:] in PHONES, href
    assert page.locator("#contact-phone").get_attribute("href") == href  # the voter shown is the one dialed
    return href[4:]


def results(server: Running, campaign: str) -> list[dict[str, str]]:
    with server.client() as admin:
        r = admin.get(f"/api/campaigns/{campaign}/results.csv")
    assert r.status_code == 200, r.text
    return list(csv.DictReader(io.StringIO(r.text)))


@pytest.fixture
def server(tmp_path: Path, clean_redis: str) -> Iterator[Running]:
    with running_server(tmp_path, clean_redis) as running:
        yield running


@pytest.mark.parametrize("size", sorted(VIEWPORTS))
def test_own_phone_call(browser: Browser, server: Running, redis_url: str, shots: Path, size: str) -> None:
    campaign = own_phone_campaign(server, redis_url, calling_method=["own_phone"])
    context = volunteer_context(browser, server, f"olive-{size}@example.org", "Olive Own", **VIEWPORTS[size])
    page = context.new_page()
    first = open_own_phone_page(page, campaign)
    expect(page.locator("#own-phone-kind")).to_be_visible()
    expect(page.locator("#own-caller-line")).to_be_visible()
    expect(page.locator("#caller-line")).to_be_hidden()  # no caller ID: the voter sees the volunteer's number
    expect(page.locator("#method-choice")).to_be_hidden()  # one method offered: nothing to choose
    no_sideways_scroll(page)
    page.screenshot(path=shots / f"own-phone-{size}.png", full_page=True)

    # Pressing the number opens the script at once: no ringing, no lock, the answers take clicks.
    page.locator("#tel-link").click()
    expect(page.locator("#step-text")).to_contain_text("is this", timeout=10_000)
    expect(page.locator("#script-lock")).to_be_hidden()
    expect(page.locator("#call-status")).to_have_text("On your phone: read the script")
    speaking = page.locator("#choices button").first
    expect(speaking).to_be_enabled()
    no_sideways_scroll(page)
    speaking.click()
    expect(page.locator("#step-text")).to_contain_text("library levy", timeout=5_000)
    page.locator("#choices button", has_text="Yes").click()
    page.locator("#step-input").fill("After work")
    page.keyboard.press("Enter")
    expect(page.locator("#step-text")).to_contain_text("Thank you")
    page.screenshot(path=shots / f"own-phone-script-{size}.png", full_page=True)
    page.locator("#choices button").first.click()
    page.locator("#finish-btn").click()
    expect(page.locator("#save-status")).to_contain_text("Saved: Contacted", timeout=10_000)

    # The next voter arrives, with their own number; this one nobody answers.
    second = page.locator("#tel-link").get_attribute("href")
    assert second and second[4:] in PHONES - {first}, second
    expect(page.locator("#tel-link")).to_be_focused()
    page.locator("#tel-link").click()
    page.locator("#nobody-btn").click()
    # The line under the number says so too (it kept "On your phone: read the script", script gone).
    expect(page.locator("#call-status")).to_have_text("Nobody to talk to: say what happened, then save")
    page.locator("input[name=unanswered-result][value=busy]").check()
    page.locator("#finish-btn").click()
    expect(page.locator("#save-status")).to_contain_text("Saved: Busy", timeout=10_000)
    expect(page.locator("#tel-link")).to_be_visible()
    third = page.locator("#tel-link").get_attribute("href")
    assert third not in (f"tel:{first}", second)
    # Skipping works as in the browser flow: that voter goes back to the queue, and the list is refilled.
    page.locator("#skip-btn").click()
    expect(page.locator("#save-status")).to_contain_text("Skipped", timeout=10_000)
    expect(page.locator("#contact-list")).to_contain_text("Dorothy")  # the fourth voter, in a new list
    expect(page.locator("#tel-link")).to_be_visible()

    rows = {row["phone"]: row for row in results(server, campaign)}
    assert rows[first]["result"] == "contacted" and rows[first]["support"] == "yes"
    assert rows[first]["call_sid"] == ""  # nothing was placed by us
    assert rows[second[4:]]["result"] == "busy"
    context.close()


def test_volunteer_chooses_between_browser_and_own_phone(
    browser: Browser, server: Running, redis_url: str
) -> None:
    campaign = own_phone_campaign(server, redis_url, calling_method=["browser", "own_phone"])
    context = volunteer_context(browser, server, "bea@example.org", "Bea Both")
    page = context.new_page()
    page.add_init_script(NO_DIALER)
    page.goto(f"/call/{campaign}")
    expect(page.locator("#call-btn")).to_be_focused(timeout=10_000)  # the campaign's first method
    expect(page.locator("#method-choice")).to_be_visible()
    page.locator("input[name=method][value=own_phone]").check()
    expect(page.locator("#tel-link")).to_be_visible()
    expect(page.locator("#call-btn")).to_be_hidden()
    page.reload()  # the choice is kept on this device
    expect(page.locator("#tel-link")).to_be_visible(timeout=10_000)
    page.locator("#tel-link").click()
    expect(page.locator("#choices button").first).to_be_enabled(timeout=10_000)
    expect(page.locator("input[name=method][value=browser]")).to_be_disabled()  # not in the middle of a call
    context.close()


def test_no_carrier_falls_back_to_own_phone(
    browser: Browser, tmp_path: Path, clean_redis: str, redis_url: str
) -> None:
    with running_server(tmp_path, clean_redis, env={"CARRIER": "none"}) as bare:
        campaign = seed_campaign(bare, redis_url)  # calling_method left at its default, the browser
        context = volunteer_context(browser, bare, "nora@example.org", "Nora None")
        page = context.new_page()
        first = open_own_phone_page(page, campaign)
        expect(page.locator("#own-phone-kind")).to_contain_text("not set up on this server (no phone line)")
        page.locator("#tel-link").click()
        page.locator("#nobody-btn").click()
        page.locator("input[name=unanswered-result][value=no_answer]").check()
        page.locator("#finish-btn").click()
        expect(page.locator("#save-status")).to_contain_text("Saved: No answer", timeout=10_000)
        assert page.locator("#tel-link").get_attribute("href") != f"tel:{first}"
        assert [row["result"] for row in results(bare, campaign)] == ["no_answer"]
        context.close()


def test_organizer_offers_own_phones_on_the_settings_page(
    browser: Browser, server: Running, redis_url: str
) -> None:
    campaign = seed_campaign(server, redis_url)
    make_user(server, "olga@example.org", "Olga Organizer", role="organizer")
    context = browser.new_context(base_url=server.base_url)
    sign_in(context, server, "olga@example.org")
    page = context.new_page()
    page.goto(f"/campaigns/{campaign}/settings")
    expect(page.locator("#f-method-browser")).to_be_checked()
    expect(page.locator("#f-method-own_phone")).not_to_be_checked()
    expect(page.locator("#f-method-own_phone-hint")).to_contain_text("Preview mode only")
    page.locator("#f-method-own_phone").check()
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator("#form-ok")).to_have_text("Saved.")
    with server.client() as admin:
        assert admin.get(f"/api/campaigns/{campaign}").json()["calling_method"] == ["browser", "own_phone"]

    # Own phones and a dialer that places the calls do not go together: said where it is.
    page.locator("#f-mode").select_option("power")
    page.get_by_role("button", name="Save settings").click()
    error = page.locator('.field[data-path="calling_method"] .field-error')
    expect(error).to_contain_text("preview mode only")
    page.locator("#f-method-own_phone").uncheck()
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator("#form-ok")).to_have_text("Saved.")
    with server.client() as admin:
        saved = admin.get(f"/api/campaigns/{campaign}").json()
    assert saved["mode"] == "power" and saved["calling_method"] == ["browser"]
    context.close()


def test_a_power_campaign_without_a_carrier_says_it_cannot_call(
    browser: Browser, tmp_path: Path, clean_redis: str, redis_url: str
) -> None:
    with running_server(tmp_path, clean_redis, env={"CARRIER": "none"}) as bare:
        campaign = own_phone_campaign(bare, redis_url, mode="power")
        context = volunteer_context(browser, bare, "pia@example.org", "Pia Power")
        page = context.new_page()
        page.goto(f"/call/{campaign}")
        expect(page.locator("#notice")).to_contain_text("cannot place calls", timeout=10_000)
        expect(page.locator("#tel-link")).to_be_hidden()
        context.close()


def test_a_reload_mid_call_keeps_the_script_open(browser: Browser, server: Running, redis_url: str) -> None:
    """No carrier reports an own-phone call: after a reload the page came back with the answers locked
    ("Not calling", "The answers open when the voter picks up") while the volunteer talked to the voter."""
    campaign = own_phone_campaign(server, redis_url, calling_method=["own_phone"])
    context = volunteer_context(browser, server, "rhea@example.org", "Rhea Reload", **VIEWPORTS["phone"])
    page = context.new_page()
    open_own_phone_page(page, campaign)
    page.keyboard.press("Enter")  # the tel: link
    expect(page.locator("#choices button").first).to_be_focused(timeout=10_000)
    page.keyboard.press("1")  # Speaking
    expect(page.locator("#step-text")).to_contain_text("library levy")

    page.reload()
    expect(page.locator("#step-text")).to_contain_text("library levy", timeout=10_000)
    expect(page.locator("#call-status")).to_have_text("On your phone: read the script")
    expect(page.locator("#script-lock")).to_be_hidden()
    expect(page.locator("#choices button").first).to_be_enabled()
    expect(page.locator("#choices button").first).to_be_focused()
    page.keyboard.press("1")  # Yes
    expect(page.locator("#step-text")).to_contain_text("When will you vote?")
    context.close()


def test_calling_again_from_ones_own_phone_is_the_number_to_tap(
    browser: Browser, server: Running, redis_url: str
) -> None:
    """Nobody answered and the volunteer tries again: on their own phone that is the voter's number to tap,
    not a "Call again" button that reopened the script and dialed nothing."""
    campaign = own_phone_campaign(server, redis_url, calling_method=["own_phone"])
    context = volunteer_context(browser, server, "ray@example.org", "Ray Redial", **VIEWPORTS["phone"])
    page = context.new_page()
    number = open_own_phone_page(page, campaign)
    page.keyboard.press("Enter")  # the tel: link
    expect(page.locator("#nobody-btn")).to_be_visible(timeout=10_000)
    page.locator("#nobody-btn").click()
    expect(page.locator("#unanswered")).to_be_visible()
    expect(page.locator("#again-btn")).to_be_hidden()
    tel = page.locator("#tel-link")
    expect(tel).to_be_visible()
    expect(tel).to_have_attribute("href", f"tel:{number}")
    expect(tel).to_have_text(re.compile(r"^Call .* again$"))
    tel.click()
    expect(page.locator("#call-status")).to_have_text("On your phone: read the script")
    expect(page.locator("#choices button").first).to_be_enabled()
    expect(page.locator("#unanswered")).to_be_hidden()
    context.close()


def test_the_join_page_says_voters_see_the_volunteers_own_number(
    browser: Browser, server: Running, redis_url: str
) -> None:
    """A new volunteer's first page told every preview campaign's volunteers that "the page dials from the
    campaign's number", also where they call from their own phone and voters see their personal number."""
    campaign = own_phone_campaign(server, redis_url, calling_method=["own_phone"])
    context = volunteer_context(
        browser, server, "oona@example.org", "Oona Own", viewport={"width": 390, "height": 844}
    )
    page = context.new_page()
    page.goto(f"/join/{campaign}")
    steps = page.locator("ol.howto")
    expect(steps).to_contain_text("they see your phone number, not the campaign's")
    expect(steps).not_to_contain_text("dials from the campaign's number")
    expect(steps).to_contain_text("hang up your phone")
    with server.client() as admin:
        r = admin.patch(f"/api/campaigns/{campaign}", json={"calling_method": ["browser", "own_phone"]})
        assert r.status_code == 200, r.text
    page.reload()
    expect(steps).to_contain_text("dials from the campaign's number")
    expect(steps).to_contain_text(
        "call from your own phone instead (pick it on the call page): voters then see"
    )
    context.close()
