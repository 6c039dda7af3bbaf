"""Preview mode's "Leave voicemail": after the beep the volunteer presses it; the simulated carrier reads the
campaign's message on the voter's leg to its end (the call stays up after the result is saved), the result
is `voicemail` and the next voter is brought at once."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.harness import Running, running_server
from tests.browser.scenario import open_call_page, seed_campaign, volunteer_context
from tests.e2e.calling import STAYS_ON_THE_LINE

pytestmark = pytest.mark.browser

# Long enough that the call is still up well after the result is saved: 60 words, 24 s read aloud, 2.4 s at
# the test server's 10x speed.
MESSAGE = "Hi, this is the library levy campaign with a message. " + "Please vote on Tuesday. " * 12


@pytest.fixture
def server(tmp_path: Path, clean_redis: str) -> Iterator[Running]:
    env = {"DIALER_SIM_PROFILE": STAYS_ON_THE_LINE, "DIALER_SIM_SPEED": "10"}
    with running_server(tmp_path, clean_redis, env=env) as running:
        yield running


def test_leave_voicemail(browser: Browser, server: Running, redis_url: str, shots: Path) -> None:
    campaign = seed_campaign(server, redis_url)
    context = volunteer_context(browser, server, "val@example.org", "Val Voicemail")
    page = open_call_page(context, campaign)
    expect(page.locator("#voicemail-btn")).to_be_hidden()  # this campaign has no message yet
    with server.client() as admin:
        assert admin.patch(f"/api/campaigns/{campaign}", json={"voicemail_message": MESSAGE}).is_success
    page.reload()
    expect(page.locator("#call-btn")).to_be_focused(timeout=10_000)
    first = page.locator("#contact-phone").get_attribute("href")
    expect(page.locator("#voicemail-btn")).to_be_hidden()  # not before the line is up
    page.locator("#call-btn").click()
    expect(page.locator("#call-status")).to_contain_text("Connected", timeout=10_000)
    expect(page.locator("#voicemail-btn")).to_be_visible()
    page.screenshot(path=shots / "call-voicemail.png", full_page=True)
    with page.expect_response(lambda r: r.url.endswith("/voicemail")) as dropped:
        page.locator("#voicemail-btn").click()
    sid = dropped.value.json()["call_sid"]
    expect(page.locator("#save-status")).to_contain_text("Saved: Voicemail", timeout=10_000)
    expect(page.locator("#call-btn")).to_be_focused()  # freed at once: the next voter
    assert page.locator("#contact-phone").get_attribute("href") != first

    # The message is read to its end: saving did not hang the voter's leg up; then the carrier did.
    with server.client() as admin:
        call = admin.get(f"/api/campaigns/{campaign}/calls/{sid}").json()
        assert call["status"] == "in-progress", call
        deadline = time.monotonic() + 15
        while call["status"] == "in-progress" and time.monotonic() < deadline:
            time.sleep(0.2)
            call = admin.get(f"/api/campaigns/{campaign}/calls/{sid}").json()
        assert call["status"] == "completed", call
        rows = admin.get(f"/api/campaigns/{campaign}/results.csv").text
    assert ",voicemail," in rows
    context.close()


def test_no_voicemail_once_the_line_is_down(browser: Browser, server: Running, redis_url: str) -> None:
    """The voter hung up mid-script: there is nobody to leave a message with, so the button goes (it stayed,
    and pressing it said 'The call is not connected'), after a reload too."""
    campaign = seed_campaign(server, redis_url)
    with server.client() as admin:
        assert admin.patch(f"/api/campaigns/{campaign}", json={"voicemail_message": MESSAGE}).is_success
    context = volunteer_context(browser, server, "vic@example.org", "Vic Voicemail")
    page = open_call_page(context, campaign)
    page.locator("#call-btn").click()
    expect(page.locator("#call-status")).to_contain_text("Connected", timeout=10_000)
    expect(page.locator("#voicemail-btn")).to_be_visible()
    page.keyboard.press("1")  # Speaking
    expect(page.locator("#step-text")).to_contain_text("library levy")
    page.locator("#hangup-btn").click()
    expect(page.locator("#call-status")).to_contain_text("finish the script, or save what happened")
    expect(page.locator("#voicemail-btn")).to_be_hidden()
    page.keyboard.press("1")  # the script goes on after the call: still no message to leave
    expect(page.locator("#step-text")).to_contain_text("When will you vote?")
    expect(page.locator("#voicemail-btn")).to_be_hidden()
    page.reload()
    ended = "finish the script, or save what happened"
    expect(page.locator("#call-status")).to_contain_text(ended, timeout=10_000)
    expect(page.locator("#voicemail-btn")).to_be_hidden()
    context.close()
