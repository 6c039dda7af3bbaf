"""A campaign's recordings page: the settings said "only organizers can hear recordings", but no page listed
them. From the dashboard an organizer opens Recordings, sees each recorded call's voter, length and the day it
is deleted, can play it (the audio comes from the carrier through the server), and deletes one; at 390 px the
page does not scroll sideways. Volunteers get no such page."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from dialer.connections import async_client
from dialer.stores.recordings import Recording, RecordingStore
from tests.browser.conftest import make_user
from tests.browser.harness import Running
from tests.browser.scenario import seed_campaign, sign_in

pytestmark = pytest.mark.browser

RECORDED_AT = 1_796_000_000.0  # fixed: the page shows the times it is given, nothing reads the clock


def _keep(redis_url: str, campaign: str, recordings: list[Recording]) -> None:
    async def keep() -> None:
        redis = async_client(redis_url)
        try:
            for rec in recordings:
                assert await RecordingStore(redis).keep(campaign, rec)
        finally:
            await redis.aclose()

    with ThreadPoolExecutor(1) as pool:  # Playwright's own loop runs in this thread
        pool.submit(asyncio.run, keep()).result()


def _recording(sid: str, contact_id: str, duration: int, days: int) -> Recording:
    return Recording(
        sid=sid,
        call_sid="CA" + sid[2:],
        contact_id=contact_id,
        url=f"https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/{sid}",
        duration=duration,
        channels=2,
        created_at=RECORDED_AT,
        expires_at=RECORDED_AT + days * 86400,
    )


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, {"width": 390, "height": 844}])
def test_an_organizer_lists_plays_and_deletes_recordings(
    browser: Browser, server: Running, redis_url: str, shots: Path, viewport: dict[str, int]
) -> None:
    campaign = seed_campaign(server, redis_url)
    _keep(
        redis_url,
        campaign,
        [_recording("RE" + "a" * 32, "1", 95, 30), _recording("RE" + "b" * 32, "2", 42, 10)],
    )
    make_user(server, "olive@example.org", "Olive Organizer", role="organizer")
    context = browser.new_context(base_url=server.base_url, viewport=viewport)
    sign_in(context, server, "olive@example.org")
    page = context.new_page()
    page.goto(f"/campaigns/{campaign}/dashboard")
    page.get_by_role("link", name="Recordings").click()
    expect(page.locator("h1")).to_have_text("Recordings")
    rows = page.locator("#recordings tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Grace Hopper, (202) 555-0143")  # the first to be deleted on top
    expect(rows.nth(0)).to_contain_text("42 s")
    expect(rows.nth(1)).to_contain_text("Ada Lovelace")
    expect(rows.nth(1)).to_contain_text("1 min 35 s")
    expect(page.locator("#recordings-status")).to_have_text("2 recordings.")
    expect(page.locator("main")).to_contain_text("does not record calls now")
    audio = page.get_by_label("Recording of the call with Ada Lovelace", exact=True)
    src = audio.get_attribute("src")
    assert src and src.endswith("/audio")
    played = context.request.get(src)
    assert played.status == 200 and played.headers["content-type"].startswith("audio/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], f"the page scrolls sideways: {width} px"
    edge = page.locator("#recordings").locator("xpath=..").bounding_box()  # the scrolling wrap
    assert edge
    delete_ada = page.get_by_role("button", name="Delete the recording of the call with Ada Lovelace")
    for control in (audio, delete_ada):
        box = control.bounding_box()  # inside the card, not cut off at its edge
        assert box and box["x"] + box["width"] <= edge["x"] + edge["width"] + 1, (box, edge)
    page.screenshot(path=str(shots / f"recordings-{viewport['width']}.png"), full_page=True)

    page.get_by_role("button", name="Delete the recording of the call with Grace Hopper").click()
    page.get_by_role("dialog").get_by_role("button", name="Delete", exact=True).click()  # asking: own test
    expect(rows).to_have_count(1)
    expect(page.locator("#recordings-status")).to_contain_text("Deleted the recording of the call with Grace")
    expect(page.locator("#recordings-status")).to_contain_text("1 recording.")
    with server.client() as admin:
        left = admin.get(f"/api/campaigns/{campaign}/recordings").json()["recordings"]
    assert [r["contact_id"] for r in left] == ["1"]
    page.reload()
    expect(rows).to_have_count(1)
    context.close()


def test_volunteers_have_no_recordings_page(browser: Browser, server: Running, redis_url: str) -> None:
    campaign = seed_campaign(server, redis_url)
    make_user(server, "val@example.org", "Val Volunteer")
    context = browser.new_context(base_url=server.base_url)
    sign_in(context, server, "val@example.org")
    assert context.request.get(f"/campaigns/{campaign}/recordings").status == 403
    context.close()
