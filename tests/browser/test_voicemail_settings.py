"""The campaign's recorded voicemail on its settings page, at desktop and phone sizes: an organizer uploads a
WAV, plays it back, is told precisely why a WebM file (what browsers record) is refused, removes it; and
records one with the microphone (Chromium's fake device), which the page turns into a WAV Twilio can play."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect

from tests.browser.conftest import make_user
from tests.browser.harness import Running
from tests.browser.scenario import open_call_page, seed_campaign, sign_in, volunteer_context
from tests.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.unit.test_voicemail_audio import WEBM, wav

pytestmark = pytest.mark.browser

SIZES: dict[str, dict[str, Any]] = {
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}


def settings_page(browser: Browser, server: Running, redis_url: str, **options: Any) -> Page:
    campaign = seed_campaign(server, redis_url)
    make_user(server, "olga@example.org", "Olga Organizer", role="organizer")
    context = browser.new_context(base_url=server.base_url, **options)
    sign_in(context, server, "olga@example.org")
    page = context.new_page()
    page.goto(f"/campaigns/{campaign}/settings")
    expect(page.get_by_role("heading", name="Voicemail message")).to_be_visible()
    return page


def stored(server: Running) -> dict[str, Any] | None:
    with server.client() as admin:
        audio: dict[str, Any] | None = admin.get("/api/campaigns/levy/voicemail").json()["audio"]
        return audio


@pytest.mark.parametrize("size", SIZES)
def test_upload_play_back_refuse_and_remove(
    browser: Browser, server: Running, redis_url: str, shots: Path, size: str
) -> None:
    page = settings_page(browser, server, redis_url, **SIZES[size])
    expect(page.locator("#vm-none")).to_be_visible()
    expect(page.locator("#vm-current")).to_be_hidden()

    message = {"name": "message.wav", "mimeType": "audio/wav", "buffer": wav(2.0)}
    page.locator("#vm-file").set_input_files(message)  # type: ignore[arg-type]
    page.get_by_role("button", name="Upload recording").click()
    expect(page.locator("#vm-ok")).to_contain_text("Saved")
    expect(page.locator("#vm-summary")).to_have_text("Recording of 2 seconds, 31 KB")
    expect(page.locator("#vm-none")).to_be_hidden()
    # The player plays what was stored (fetched with the organizer's own session).
    src = page.locator("#vm-player").get_attribute("src")
    assert src is not None
    fetched = page.evaluate(
        "async (src) => { const r = await fetch(src); return [r.status, r.headers.get('content-type'),"
        " (await r.arrayBuffer()).byteLength]; }",
        src,
    )
    assert fetched == [200, "audio/wav", len(wav(2.0))]
    duration = page.evaluate(
        "() => new Promise((ok) => { const p = document.getElementById('vm-player');"
        " if (p.readyState >= 1) ok(p.duration); p.preload = 'metadata';"
        " p.addEventListener('loadedmetadata', () => ok(p.duration)); p.load(); })"
    )
    assert abs(duration - 2.0) < 0.1
    first = stored(server)
    assert first is not None
    no_sideways_scroll(page)
    page.screenshot(path=shots / f"settings-voicemail-{size}.png", full_page=True)

    # A browser's own WebM recording, even named .wav, is refused with the reason; the stored one stays.
    page.locator("#vm-file").set_input_files({"name": "fake.wav", "mimeType": "audio/wav", "buffer": WEBM})
    page.get_by_role("button", name="Upload recording").click()
    expect(page.locator("#vm-error")).to_contain_text("WebM audio cannot be played on a phone call by Twilio")
    assert stored(server) == first
    expect(page.locator("#vm-summary")).to_have_text("Recording of 2 seconds, 31 KB")

    page.get_by_role("button", name="Remove recording").click()
    expect(page.locator("#vm-none")).to_be_visible()
    expect(page.locator("#vm-current")).to_be_hidden()
    assert stored(server) is None

    # The text fallback is saved beside it.
    page.locator("#vm-text").fill("Please vote on Tuesday.")
    page.get_by_role("button", name="Save text").click()
    expect(page.locator("#vm-ok")).to_have_text("Text saved.")
    with server.client() as admin:
        assert admin.get("/api/campaigns/levy").json()["voicemail_message"] == "Please vote on Tuesday."


def no_sideways_scroll(page: Page) -> None:
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"the page is {widths[0]}px wide in a {widths[1]}px viewport"


@pytest.fixture
def microphone_browser(playwright: Playwright) -> Iterator[Browser]:
    """Chromium with a fake microphone (a steady tone) that the page may use without asking."""
    args = [*CHROMIUM_ARGS, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=args)
    yield chromium
    chromium.close()


def test_record_in_the_browser_uploads_a_wav(
    microphone_browser: Browser, server: Running, redis_url: str, shots: Path
) -> None:
    page = settings_page(microphone_browser, server, redis_url, **SIZES["phone"])
    page.context.grant_permissions(["microphone"])
    page.get_by_role("button", name="Record", exact=True).click()
    expect(page.locator("#vm-stop")).to_be_focused()
    expect(page.locator("#vm-ok")).to_contain_text("Recording… 1 s", timeout=10_000)
    page.get_by_role("button", name="Stop and save").click()
    expect(page.locator("#vm-ok")).to_contain_text("Saved", timeout=10_000)
    expect(page.locator("#vm-record")).to_be_visible()
    audio = stored(server)
    assert audio is not None and audio["kind"] == "wav" and audio["content_type"] == "audio/wav"
    assert audio["seconds"] is not None and audio["seconds"] >= 1.0
    assert audio["bytes"] >= 44 + 16_000  # 8 kHz, 16-bit mono: 16 kB a second
    expect(page.locator("#vm-summary")).to_contain_text("Recording of")
    page.screenshot(path=shots / "settings-voicemail-recorded.png", full_page=True)


def test_a_recording_alone_is_a_message_volunteers_can_leave(
    browser: Browser, server: Running, redis_url: str, shots: Path
) -> None:
    """Preview mode with a recording and no text: the call page offers "Leave voicemail"; the simulated
    carrier fetches the recording by its signed URL (as Twilio would), plays it and hangs up."""
    campaign = seed_campaign(server, redis_url)
    with server.client() as admin:
        r = admin.put(f"/api/campaigns/{campaign}/voicemail/audio", content=wav(1.0))
        assert r.status_code == 201, r.text
    context = volunteer_context(browser, server, "val@example.org", "Val Voicemail")
    page = open_call_page(context, campaign)
    page.locator("#call-btn").click()
    expect(page.locator("#call-status")).to_contain_text("Connected", timeout=10_000)
    expect(page.locator("#voicemail-btn")).to_be_visible()
    with page.expect_response(lambda r: r.url.endswith("/voicemail")) as dropped:
        page.locator("#voicemail-btn").click()
    assert dropped.value.status == 202
    sid = dropped.value.json()["call_sid"]
    expect(page.locator("#save-status")).to_contain_text("Saved: Voicemail", timeout=10_000)
    with server.client() as admin:  # played to its end (1 s of audio), then the carrier hung up
        deadline = time.monotonic() + 15
        call = admin.get(f"/api/campaigns/{campaign}/calls/{sid}").json()
        while call["status"] != "completed" and time.monotonic() < deadline:
            time.sleep(0.2)
            call = admin.get(f"/api/campaigns/{campaign}/calls/{sid}").json()
    assert call["status"] == "completed", call
    if server.log_path is not None:  # the access log shows the carrier's fetch by the signed URL
        fetches = re.findall(
            r'"GET /media/voicemail/levy/[^ ]+\?expires=\d+&sig=[^ ]+ HTTP/1.1" (\d+)',
            server.log_path.read_text(),
        )
        assert fetches == ["200"], fetches
    context.close()
