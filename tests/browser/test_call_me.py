"""The call page's phone-leg part (power mode), at a desktop and a phone-sized viewport. Call me: the
volunteer types their number, types the code read to them, sees it masked, picks "My phone" and starts taking
calls; the simulated carrier rings their phone, which answers and presses 1; stopping hangs the phone up.
Dial-in: the page shows the inbound number and a PIN (a new one on request); a call typing a wrong PIN and
then the right one puts the page in the pool, and hanging up takes it out. Preview: the volunteer picks
"My phone" under How you call; Call rings their phone, they press 1, the server calls the voter into their
conference, and the call is left a voicemail and saved like a browser call."""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest
from playwright.sync_api import Browser, expect

from dialer.phone_legs import code_digest
from dialer.queue import keys
from dialer.settings import Settings
from dialer.telephony.signing import signer_for
from dialer.telephony.simulated import SimulatedCarrier
from tests.browser.harness import Running, running_server
from tests.browser.scenario import seed_campaign, volunteer_context
from tests.browser.test_own_phone import VIEWPORTS
from tests.browser.test_phone_viewport import no_sideways_scroll
from tests.e2e.calling import STAYS_ON_THE_LINE
from tests.stores import open_store

pytestmark = pytest.mark.browser

SECRET = b"test-secret-key"  # the test servers' DIALER_SECRET_KEY
CODE = "424242"


@pytest.fixture
def server(tmp_path: Path, clean_redis: str) -> Iterator[Running]:
    with running_server(tmp_path, clean_redis) as running:
        yield running


@pytest.fixture
def answering_server(tmp_path: Path, clean_redis: str) -> Iterator[Running]:
    env = {"DIALER_SIM_PROFILE": STAYS_ON_THE_LINE, "DIALER_SIM_SPEED": "10"}
    with running_server(tmp_path, clean_redis, env=env) as running:
        yield running


def uid_of(server: Running, email: str) -> str:
    with server.client() as admin:
        people = admin.get("/api/users", params={"q": email}).json()
    found = people["users"] if isinstance(people, dict) else people
    return str(next(p["id"] for p in found if p["email"] == email))


@pytest.mark.parametrize("size", sorted(VIEWPORTS))
def test_call_me_on_the_call_page(browser: Browser, server: Running, clean_redis: str, size: str) -> None:
    campaign = seed_campaign(server, clean_redis)
    with server.client() as admin:
        r = admin.patch(
            f"/api/campaigns/{campaign}", json={"mode": "power", "calling_method": ["browser", "call_me"]}
        )
        assert r.status_code == 200, r.text
    email = f"carla-{size}@example.org"
    context = volunteer_context(browser, server, email, "Carla Callme", **VIEWPORTS[size])
    page = context.new_page()
    page.goto(f"/call/{campaign}")
    expect(page.locator("#callme-box")).to_be_visible(timeout=10_000)
    expect(page.locator("#line-choice")).to_be_visible()
    expect(page.locator("#callme-phone")).to_be_focused()

    page.locator("#callme-phone").fill("(312) 555-0142")
    page.get_by_role("button", name="Call me with a code").click()
    expect(page.locator("#callme-code-form")).to_be_visible()
    expect(page.locator("#callme-code-hint")).to_contain_text("•••• •••0142")
    expect(page.locator("#callme-code")).to_be_focused()
    # The code read to the phone is random: the test puts its own in the server's place (as a digest).
    uid = uid_of(server, email)
    store = open_store(clean_redis, decode_responses=True)
    assert store.hget(keys.phone_check(uid), "phone") == "+13125550142"
    store.hset(keys.phone_check(uid), "digest", code_digest(CODE, SECRET))

    page.locator("#callme-code").fill("000000")
    page.get_by_role("button", name="Verify").click()
    expect(page.locator("#callme-state")).to_contain_text("not the code")
    page.locator("#callme-code").fill(CODE)
    page.get_by_role("button", name="Verify").click()
    expect(page.locator("#callme-number")).to_be_visible()
    expect(page.locator("#callme-masked")).to_have_text("•••• •••0142")
    expect(page.locator("#callme-code-form")).to_be_hidden()
    assert "0142" in page.content() and "312" not in page.locator("#callme-box").inner_text()

    page.get_by_label("My phone (the dialer calls me)").check()
    page.locator("#ready-btn").click()
    # The simulated carrier rings the verified phone, which answers and presses 1.
    expect(page.locator("#callme-state")).to_contain_text("Your phone is connected", timeout=15_000)
    expect(page.locator("#ready-btn")).to_have_text("Stop taking calls")
    assert store.hget(keys.dial_agent(campaign, uid), "state") == "ready"
    no_sideways_scroll(page)

    page.locator("#ready-btn").click()  # stop: the phone is hung up
    expect(page.locator("#callme-state")).to_contain_text("not connected", timeout=15_000)
    expect(page.locator("#ready-btn")).to_have_text("Start taking calls")
    assert store.hget(keys.phone_leg(campaign, uid), "state") == "ended"
    with httpx.Client(base_url=server.base_url, timeout=10) as anon:
        assert anon.get(f"/api/campaigns/{campaign}/call-me").status_code == 401
    context.close()


def dial_in(server: Running, workdir: Path, campaign: str, to: str, pins: list[str]) -> tuple[str, bool]:
    """The volunteer's phone dials in, played by a simulated carrier signing as the server's own does."""
    settings = Settings(data_dir=workdir, secret_key=SECRET.decode(), public_url=server.base_url)
    out: list[tuple[str, bool]] = []

    async def call() -> None:
        carrier = SimulatedCarrier(settings, seed=3)
        try:
            out.append(await carrier.dial_in(campaign, to, "+13125550142", pins))
        finally:
            await carrier.aclose()

    # Its own thread and event loop: Playwright's sync API holds this one's.
    thread = threading.Thread(target=lambda: asyncio.run(call()))
    thread.start()
    thread.join()
    return out[0]


@pytest.mark.parametrize("size", sorted(VIEWPORTS))
def test_dial_in_on_the_call_page(
    browser: Browser, server: Running, clean_redis: str, tmp_path: Path, size: str
) -> None:
    campaign = seed_campaign(server, clean_redis)
    inbound = "+12025550100"  # the campaign's caller ID
    with server.client() as admin:
        body = {"mode": "power", "calling_method": ["browser", "dial_in"], "inbound_number": inbound}
        assert admin.patch(f"/api/campaigns/{campaign}", json=body).status_code == 200
    email = f"dina-{size}@example.org"
    context = volunteer_context(browser, server, email, "Dina Dialin", **VIEWPORTS[size])
    page = context.new_page()
    page.goto(f"/call/{campaign}")
    expect(page.locator("#line-choice")).to_be_visible(timeout=10_000)
    expect(page.locator("#dialin-box")).to_be_hidden()
    expect(page.get_by_label("My phone (the dialer calls me)")).to_be_hidden()  # not offered here
    page.get_by_label("My phone (I call in)").check()
    expect(page.locator("#dialin-box")).to_be_visible()
    expect(page.locator("#dialin-number")).to_have_text(inbound)
    expect(page.locator("#dialin-pin")).to_have_text(re.compile(r"^\d{3} \d{3}$"))
    first = page.locator("#dialin-pin").inner_text()
    page.get_by_role("button", name="New PIN").click()
    expect(page.locator("#dialin-pin")).not_to_have_text(first)
    pin = page.locator("#dialin-pin").inner_text().replace(" ", "")
    no_sideways_scroll(page)

    wrong = "000000" if pin != "000000" else "111111"
    assert not dial_in(server, tmp_path, campaign, inbound, [first.replace(" ", "")])[1]  # revoked
    sid, connected = dial_in(server, tmp_path, campaign, inbound, [wrong, pin])
    assert connected
    expect(page.locator("#dialin-state")).to_contain_text("Your phone is connected", timeout=15_000)
    expect(page.locator("#ready-btn")).to_have_text("Stop taking calls")
    uid = uid_of(server, email)
    store = open_store(clean_redis, decode_responses=True)
    assert store.hget(keys.dial_agent(campaign, uid), "state") == "ready"

    # The volunteer hangs up: the number's status callback, signed as Twilio (here: the simulated carrier).
    settings = Settings(data_dir=tmp_path, secret_key=SECRET.decode(), public_url=server.base_url)
    url = f"{server.base_url}/twilio/dial-in/status?campaign_id={campaign}"
    form = {"AccountSid": "AC" + "0" * 32, "CallSid": sid, "CallStatus": "completed", "To": inbound}
    headers = {
        "X-Twilio-Signature": signer_for(settings).sign(url, tuple(form.items())),
        "Content-Type": "application/x-www-form-urlencoded",
    }
    assert httpx.post(url, content=urlencode(form), headers=headers, timeout=10).status_code == 204
    expect(page.locator("#dialin-state")).to_contain_text("not connected", timeout=15_000)
    expect(page.locator("#ready-btn")).to_have_text("Start taking calls")
    expect(page.locator("#dialin-pin")).to_have_text(re.compile(r"^\d{3} \d{3}$"))  # a fresh one
    expect(page.locator("#dialin-state")).to_have_text("Your phone is not connected.")  # and still said
    context.close()


@pytest.mark.parametrize("size", sorted(VIEWPORTS))
def test_call_me_in_a_preview_campaign(
    browser: Browser, answering_server: Running, clean_redis: str, shots: Path, size: str
) -> None:
    server = answering_server
    campaign = seed_campaign(server, clean_redis)
    with server.client() as admin:
        body = {"calling_method": ["browser", "call_me"], "voicemail_message": "Please vote on Tuesday."}
        r = admin.patch(f"/api/campaigns/{campaign}", json=body)
        assert r.status_code == 200 and r.json()["mode"] == "preview", r.text
    email = f"pat-{size}@example.org"
    context = volunteer_context(browser, server, email, "Pat Preview", **VIEWPORTS[size])
    page = context.new_page()
    page.goto(f"/call/{campaign}")
    expect(page.locator("#method-choice")).to_be_visible(timeout=10_000)
    expect(page.locator("#dialer-box")).to_be_hidden()
    expect(page.locator("#callme-box")).to_be_hidden()  # until their phone is chosen
    expect(page.get_by_label("My phone (I dial in)")).to_be_hidden()  # not offered here
    expect(page.get_by_label("From my own phone")).to_be_hidden()
    page.get_by_label("My phone (the server calls me)").check()
    expect(page.locator("#callme-box")).to_be_visible()
    page.locator("#callme-phone").fill("(312) 555-0142")
    page.get_by_role("button", name="Call me with a code").click()
    expect(page.locator("#callme-code-form")).to_be_visible()
    uid = uid_of(server, email)
    store = open_store(clean_redis, decode_responses=True)
    store.hset(keys.phone_check(uid), "digest", code_digest(CODE, SECRET))
    page.locator("#callme-code").fill(CODE)
    page.get_by_role("button", name="Verify").click()
    expect(page.locator("#callme-masked")).to_have_text("•••• •••0142")
    no_sideways_scroll(page)

    # Call: the simulated carrier rings their phone, which answers and presses 1; then the voter's call.
    expect(page.locator("#call-btn")).to_be_enabled(timeout=10_000)
    contact_href = page.locator("#contact-phone").get_attribute("href")
    with page.expect_response(lambda r: r.url.endswith("/phone-leg/calls"), timeout=20_000) as placed:
        page.locator("#call-btn").click()
    assert placed.value.status == 201, placed.value.text()
    sid = placed.value.json()["call_sid"]
    expect(page.locator("#callme-state")).to_contain_text("Your phone is connected")
    expect(page.locator("#call-status")).to_contain_text("Connected", timeout=15_000)
    assert store.hget(keys.phone_leg(campaign, uid), "state") == "connected"
    assert store.hget(keys.dial_agent(campaign, uid), "state") is None  # preview: no dialing pool
    attempt = store.hgetall(keys.attempt(campaign, sid))
    assert attempt["volunteer"] == uid and attempt["leg_sid"] == sid
    assert contact_href == f"tel:{store.hget(keys.contact(campaign, attempt['contact_id']), 'phone')}"
    page.screenshot(path=shots / f"preview-call-me-{size}.png", full_page=True)

    # Leave voicemail: the message plays on the voter's leg, the result is saved, the next voter is shown.
    page.locator("#voicemail-btn").click()
    expect(page.locator("#save-status")).to_contain_text("Saved: Voicemail", timeout=10_000)
    assert page.locator("#contact-phone").get_attribute("href") != contact_href
    assert store.hget(keys.phone_leg(campaign, uid), "state") == "connected"  # their phone stays on
    with server.client() as admin:
        rows = admin.get(f"/api/campaigns/{campaign}/results.csv").text
    saved = [row for row in rows.splitlines() if ",voicemail," in row]
    assert len(saved) == 1 and sid in saved[0], rows
    context.close()
