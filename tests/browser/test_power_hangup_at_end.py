"""Power mode, the script's end: the voter has said no and is still on the line, and the volunteer wants to
hang up and then write what happened. The page hid Hang up once the script ended (Save hung up), so the voter
listened to the typing, or the notes went unwritten. Hang up stays at the script's end while the voter is on
the line; once the call has ended it goes, and the keyboard is on Save, with the notes still to write. On a
phone and on a desktop."""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, expect

from dialer.connections import async_client
from dialer.dialing.bridge import apply_verdict
from dialer.dialing.pacer_loop import CampaignPacer
from dialer.settings import Settings
from dialer.stores.campaigns import CampaignStore
from dialer.telephony.signing import signer_for
from tests.browser.harness import Running
from tests.browser.scenario import seed_campaign, volunteer_context
from tests.browser.test_dialer_recording import in_thread
from tests.integration.dialing_support import SETTINGS, FakeCarrier, pacer

SECRET = "test-secret-key"  # the test servers' DIALER_SECRET_KEY


async def bridge(redis_url: str, campaign_id: str, carrier: FakeCarrier) -> None:
    """What the pacer and the carrier do: dial a line, and a person answers it."""
    redis = async_client(redis_url)
    try:
        campaign = await CampaignStore(redis).get(campaign_id)
        assert campaign is not None
        assert await pacer(redis, carrier, campaign_id).dial(campaign, 1, time.time()) == 1
        reply = await apply_verdict(redis, campaign, carrier.sids[-1], "human", now=time.time())
        assert reply[0] == "bridged", reply
    finally:
        await redis.aclose()


async def pacer_acts(redis_url: str, campaign_id: str, carrier: FakeCarrier) -> None:
    """The worker's pacer carries out what the page queued (here: the voter's hang-up)."""
    redis = async_client(redis_url)
    try:
        campaign = await CampaignStore(redis).get(campaign_id)
        assert campaign is not None
        await CampaignPacer(redis, carrier, SETTINGS, campaign_id, scale=1.0).wait_for_actions(campaign, 0.5)
    finally:
        await redis.aclose()


def voter_line_ends(server: Running, tmp_path: Path, carrier: FakeCarrier) -> None:
    """The carrier's final status callback for the voter's line, signed as Twilio signs it."""
    placed = urlsplit(carrier.placed[-1].status_callback)
    url = f"{server.base_url}{placed.path}?{placed.query}"
    form = {"AccountSid": "AC" + "0" * 32, "CallSid": carrier.sids[-1], "CallStatus": "completed",
            "ApiVersion": "2010-04-01", "Direction": "outbound-api", "CallDuration": "40"}  # fmt: skip
    settings = Settings(data_dir=tmp_path, secret_key=SECRET, public_url=server.base_url)
    headers = {
        "X-Twilio-Signature": signer_for(settings).sign(url, tuple(form.items())),
        "Content-Type": "application/x-www-form-urlencoded",
    }
    r = httpx.post(url, content=urlencode(form), headers=headers, timeout=10)
    assert r.status_code == 204, r.text


pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", [{"width": 390, "height": 844}, {"width": 1366, "height": 768}])
def test_a_voter_still_on_the_line_at_the_end_can_be_hung_up_before_saving(
    browser: Browser, server: Running, redis_url: str, tmp_path: Path, viewport: dict[str, int]
) -> None:
    campaign = seed_campaign(server, redis_url)
    with server.client() as admin:
        assert admin.patch(f"/api/campaigns/{campaign}", json={"mode": "power"}).status_code == 200
    context = volunteer_context(browser, server, "pam@example.org", "Pam Power", viewport=viewport)
    context.clock.install()  # the pool's heartbeat runs on the page's clock
    page = context.new_page()
    page.goto(f"/call/{campaign}")
    expect(page.locator("#ready-btn")).to_be_focused(timeout=10_000)
    page.keyboard.press("Enter")  # Start taking calls
    expect(page.locator("#dialer-state")).to_contain_text("Waiting for the next voter")
    carrier = FakeCarrier()
    in_thread(bridge(redis_url, campaign, carrier))
    expect(page.locator("#step-text")).to_contain_text("Hi, is this", timeout=10_000)
    page.keyboard.press("1")  # Speaking
    expect(page.locator("#step-text")).to_contain_text("library levy")  # the next question, then its key
    page.keyboard.press("2")  # No: refused, the script ends
    expect(page.locator("#finish-btn")).to_be_focused()
    hang_up = page.locator("#voter-hangup-btn")
    expect(hang_up).to_be_visible()  # the voter is still on the line
    expect(hang_up).to_be_enabled()
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], widths

    with page.expect_response(lambda r: r.url.endswith("/hangup")) as asked:
        hang_up.click()
    assert asked.value.status == 204, asked.value.text()
    in_thread(pacer_acts(redis_url, campaign, carrier))
    assert carrier.hangups == [carrier.sids[-1]]  # the voter's line, and only it
    expect(page.locator("#dialer-state")).to_contain_text("Connected to a voter")  # until the carrier says
    voter_line_ends(server, tmp_path, carrier)
    expect(page.locator("#dialer-state")).to_contain_text("The call ended", timeout=10_000)
    expect(hang_up).to_be_hidden()
    expect(page.locator("#finish-btn")).to_be_focused()
    expect(page.locator("#finish-btn")).to_have_text("Save: Refused & next")
    page.locator("#notes").fill("Said no politely; hung up before these notes.")
    page.locator("#finish-btn").click()
    expect(page.locator("#save-status")).to_contain_text("Saved: Refused", timeout=10_000)
    expect(page.locator("#contact-name")).to_have_text("Waiting for the next voter")
    context.close()
