"""Recording a power-mode call from the volunteer's page (a 390 px phone, then desktop): bridged to a voter,
the page shows the campaign's notice to read and "I read it: start recording"; a carrier refusal says so
and the button works again; once started the page says the call records, and still says so after a
reload mid-call (with the voter's Hang up); saving puts the notice away for the next voter."""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from dialer.connections import async_client
from dialer.dialing.bridge import apply_verdict
from dialer.dialing.pacer_loop import CampaignPacer
from dialer.stores.campaigns import CampaignStore
from dialer.telephony.base import CarrierError
from tests.browser.harness import Running
from tests.browser.scenario import seed_campaign, volunteer_context
from tests.integration.dialing_support import SETTINGS, FakeCarrier, pacer

pytestmark = pytest.mark.browser

NOTICE = "This call is recorded so that we can train our volunteers."


@dataclass
class RecordingCarrier(FakeCarrier):
    """The pacer's carrier: it records when asked, after refusing the first `refusals` times."""

    refusals: int = 1
    recorded: list[str] = field(default_factory=list)

    async def start_recording(self, call_sid: str, status_callback: str) -> str:
        if self.refusals:
            self.refusals -= 1
            raise CarrierError(400, 21220, "Call is not in-progress. Cannot start recording.")
        self.recorded.append(call_sid)
        return "RE" + "b" * 32

    async def delete_recording(self, call_sid: str, recording_sid: str) -> None:
        return None

    async def recording_audio(self, recording_sid: str) -> tuple[bytes, str]:
        return b"", "audio/wav"


def in_thread(coro: object) -> None:
    # Playwright's sync API owns this thread's event loop: the dialer's side runs in a thread of its own.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, coro).result(timeout=30)  # type: ignore[arg-type]


async def bridge(redis_url: str, campaign_id: str, carrier: RecordingCarrier) -> None:
    redis = async_client(redis_url)
    try:
        campaign = await CampaignStore(redis).get(campaign_id)
        assert campaign is not None
        assert await pacer(redis, carrier, campaign_id).dial(campaign, 1, time.time()) == 1
        reply = await apply_verdict(redis, campaign, carrier.sids[-1], "human", now=time.time())
        assert reply[0] == "bridged", reply
    finally:
        await redis.aclose()


async def pacer_acts(redis_url: str, campaign_id: str, carrier: RecordingCarrier) -> None:
    """The worker's pacer carries out what was queued (the bridge, the recording)."""
    redis = async_client(redis_url)
    try:
        campaign = await CampaignStore(redis).get(campaign_id)
        assert campaign is not None
        await CampaignPacer(redis, carrier, SETTINGS, campaign_id, scale=1.0).wait_for_actions(campaign, 0.5)
    finally:
        await redis.aclose()


@pytest.mark.parametrize("viewport", [{"width": 390, "height": 844}, {"width": 1280, "height": 900}])
def test_the_volunteer_reads_the_notice_and_starts_recording(
    browser: Browser, server: Running, redis_url: str, shots: Path, viewport: dict[str, int]
) -> None:
    campaign = seed_campaign(server, redis_url)
    with server.client() as admin:
        body = {"mode": "power", "record_calls": True, "recording_disclosure": NOTICE}
        assert admin.patch(f"/api/campaigns/{campaign}", json=body).status_code == 200
    context = volunteer_context(browser, server, "rae@example.org", "Rae Corder", viewport=viewport)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"/call/{campaign}")
    expect(page.locator("#ready-btn")).to_be_focused(timeout=10_000)
    page.keyboard.press("Enter")
    expect(page.locator("#dialer-state")).to_contain_text("Waiting for the next voter")
    expect(page.locator("#record-box")).to_be_hidden()  # nobody on the line: nothing to read yet
    carrier = RecordingCarrier()
    in_thread(bridge(redis_url, campaign, carrier))
    in_thread(pacer_acts(redis_url, campaign, carrier))
    expect(page.locator("#step-text")).to_contain_text("Hi, is this", timeout=5_000)
    box, button, status = (
        page.locator("#record-box"),
        page.locator("#record-btn"),
        page.locator("#record-status"),
    )
    expect(box).to_be_visible()
    expect(page.locator("#record-disclosure")).to_have_text(NOTICE)
    expect(status).to_have_text("Not recording yet.")
    expect(button).to_be_in_viewport()
    page.screenshot(path=shots / f"power-record-offer-{viewport['width']}.png", full_page=True)

    with page.expect_response(lambda r: r.url.endswith("/recording")) as pressed:
        button.click()
    assert pressed.value.status == 202, pressed.value.text()
    expect(status).to_have_text("Starting the recording…")
    in_thread(pacer_acts(redis_url, campaign, carrier))  # the carrier refuses this once
    expect(status).to_contain_text("Not recording: The carrier did not start recording")
    expect(button).to_be_enabled()
    button.click()
    in_thread(pacer_acts(redis_url, campaign, carrier))
    expect(status).to_have_text("Recording: this call is being recorded.")
    expect(button).to_be_hidden()
    assert carrier.recorded == [carrier.sids[-1]]
    page.screenshot(path=shots / f"power-recording-{viewport['width']}.png", full_page=True)

    page.reload()  # mid-call: the step, the voter's line and the recording come back
    expect(page.locator("#step-text")).to_contain_text("Hi, is this", timeout=10_000)
    expect(status).to_have_text("Recording: this call is being recorded.")
    expect(button).to_be_hidden()
    expect(page.locator("#voter-hangup-btn")).to_be_visible()
    page.keyboard.press("2")  # Not home: the script ends
    expect(page.locator("#finish-btn")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#save-status")).to_contain_text("Saved: Not home", timeout=10_000)
    expect(box).to_be_hidden()
    assert carrier.recorded == [carrier.sids[-1]]  # once
    assert not errors, errors
    context.close()
