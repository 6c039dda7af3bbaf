"""Listen-in, coach and barge from the organizer's roster, and the volunteer's page showing who is on the
line: the organizer (desktop, then a 390 px phone) joins a power-mode volunteer's call as coach, switches
to listening and leaves; the volunteer's page (a 390 px phone) says so each time, and the audit has it."""

from __future__ import annotations

import secrets
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, expect

from dialer.settings import Settings
from dialer.telephony.signing import SIGNATURE_HEADER, signer_for
from tests.browser.conftest import make_user
from tests.browser.harness import Running
from tests.browser.scenario import seed_campaign, sign_in, volunteer_context

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def join_conference(server: Running, campaign: str, volunteer: str) -> None:
    """What the carrier does when the volunteer's browser leg joins their conference: a signed webhook."""
    settings = Settings(secret_key="test-secret-key", public_url=server.base_url)
    form = {"AccountSid": "AC" + "1" * 32, "CallSid": "CA" + secrets.token_hex(16),
            "From": f"client:{volunteer}", "To": "", "CallStatus": "ringing", "Direction": "inbound",
            "ApiVersion": "2010-04-01", "campaign_id": campaign, "leg": "agent"}  # fmt: skip
    signature = signer_for(settings).sign(server.base_url + "/twilio/voice", tuple(form.items()))
    r = httpx.post(f"{server.base_url}/twilio/voice", data=form, headers={SIGNATURE_HEADER: signature})
    assert r.status_code == 200 and "<Conference" in r.text, r.text


def test_coach_from_the_roster(browser: Browser, server: Running, redis_url: str, shots: Path) -> None:
    campaign = seed_campaign(server, redis_url)
    with server.client() as admin:
        assert admin.patch(f"/api/campaigns/{campaign}", json={"mode": "power"}).status_code == 200
    volunteer_ctx = volunteer_context(browser, server, "pia@example.org", "Pia Power", viewport=PHONE)
    volunteer = volunteer_ctx.request.get(f"{server.base_url}/api/me").json()["user"]["id"]
    page = volunteer_ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"/call/{campaign}")
    expect(page.locator("#ready-btn")).to_be_focused(timeout=10_000)
    page.keyboard.press("Enter")
    expect(page.locator("#dialer-state")).to_contain_text("Waiting for the next voter")
    join_conference(server, campaign, volunteer)
    expect(page.locator("#coach-status")).to_be_hidden()

    make_user(server, "olga@example.org", "Olga Organizer", role="organizer")
    organizer_ctx = browser.new_context(base_url=server.base_url, viewport=DESKTOP)
    sign_in(organizer_ctx, server, "olga@example.org")
    console = organizer_ctx.new_page()
    console.on("pageerror", lambda exc: errors.append(str(exc)))
    console.goto(f"/campaigns/{campaign}/dashboard")
    row = console.locator(f'#roster tr[data-volunteer="{volunteer}"]')
    expect(row).to_be_visible(timeout=10_000)
    # A phone number that is not E.164 is refused, said where the organizer looks, and nothing starts.
    console.locator("#coach-phone").fill("555-0142")
    row.locator('button[data-coach="coach"]').click()
    expect(row.locator(".coach-error")).to_contain_text("E.164")
    expect(row.locator('button[data-coach="coach"]')).to_have_attribute("aria-pressed", "false")
    console.locator("#coach-phone").fill("")  # in this browser (the simulated carrier plays it)
    row.locator('button[data-coach="coach"]').click()
    expect(row.locator('button[data-coach="coach"]')).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#coach-status")).to_have_text("Olga Organizer is coaching you: only you hear them.")
    page.screenshot(path=shots / "coach-volunteer-phone.png", full_page=True)
    console.screenshot(path=shots / "coach-roster-desktop.png", full_page=True)

    console.set_viewport_size(PHONE)  # the roster's controls on a phone: still there and usable
    listen = row.locator('button[data-coach="listen"]')
    listen.scroll_into_view_if_needed()
    expect(listen).to_be_visible()
    listen.click()
    expect(page.locator("#coach-status")).to_have_text("Olga Organizer is listening in.")
    console.screenshot(path=shots / "coach-roster-phone.png", full_page=True)
    row.locator('button[data-coach="leave"]').click()
    expect(page.locator("#coach-status")).to_be_hidden()
    expect(row.locator('button[data-coach="leave"]')).to_have_count(0)

    with server.client() as admin:
        actions = [e["action"] for e in admin.get(f"/api/campaigns/{campaign}/audit").json()]
    assert actions[:3] == ["coach_leave", "coach_switch", "coach_join"], actions
    assert not errors, errors
    organizer_ctx.close()
    volunteer_ctx.close()
