"""With CARRIER=twilio the call page loads the vendored Voice SDK under the CSP (or says it is missing)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from dialer.web.pages import VENDOR_SDK
from tests.browser.conftest import make_user
from tests.browser.harness import running_server
from tests.browser.scenario import seed_campaign, sign_in

pytestmark = pytest.mark.browser

FAKE_TWILIO = {
    "CARRIER": "twilio",
    "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
    "TWILIO_AUTH_TOKEN": "f" * 32,
    "TWILIO_API_KEY_SID": "SK" + "1" * 32,
    "TWILIO_API_KEY_SECRET": "s" * 32,
    "TWILIO_TWIML_APP_SID": "AP" + "2" * 32,
    "TWILIO_API_BASE_URL": "http://127.0.0.1:9",  # nothing listens: no real Twilio request can succeed
}


def test_call_page_with_twilio_loads_the_vendored_sdk(
    browser: Browser, tmp_path: Path, clean_redis: str, shots: Path
) -> None:
    with running_server(tmp_path, clean_redis, env=FAKE_TWILIO) as server:
        campaign = seed_campaign(server, clean_redis)
        make_user(server, "tia@example.org", "Tia Twilio")
        context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=server.base_url)
        sign_in(context, server, "tia@example.org")
        page = context.new_page()
        console: list[str] = []
        page.on("console", lambda m: console.append(m.text))
        page.goto(f"/call/{campaign}")
        if VENDOR_SDK.exists():
            expect(page.locator("#phone-kind")).to_contain_text("browser's microphone")
            page.wait_for_function("() => window.Twilio && typeof window.Twilio.Device === 'function'")
            expect(page.locator("#notice")).to_be_hidden()
            expect(page.locator("#call-btn")).to_be_enabled(timeout=10_000)
        else:  # `python tools/fetch_voice_sdk.py` has not been run on this machine: the page says so, and
            # the browser cannot call: the volunteer calls from their own phone (a preview campaign)
            expect(page.locator("#notice")).to_contain_text("Twilio Voice SDK")
            expect(page.locator("#tel-link")).to_be_visible(timeout=10_000)
        page.screenshot(path=shots / "call-twilio.png", full_page=True)
        assert not [m for m in console if "Content Security Policy" in m], console
        context.close()
