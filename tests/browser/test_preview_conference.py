"""Preview calls through a conference on the pages, at desktop (1280 px) and phone (390 px) sizes: the
organizer turns "Preview calls through a conference" on in the settings page; the volunteer's page says their
calls go through their own line, Call joins the browser to its conference and has the server call the voter
into it; an organizer coaches (the page shows it), and the script's "transfer" choice hands the voter on to
the staff line, after which the result saves."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, expect

from dialer.queue import keys
from tests.browser.conftest import make_user, seed_contacts
from tests.browser.harness import Running, running_server
from tests.browser.scenario import CONTACTS, volunteer_context
from tests.browser.test_own_phone import VIEWPORTS
from tests.browser.test_phone_viewport import no_sideways_scroll
from tests.browser.test_voicemail_settings import SIZES, settings_page
from tests.e2e.calling import STAYS_ON_THE_LINE
from tests.stores import open_store
from tests.unit.test_transfers import RIDES, SCRIPT

pytestmark = pytest.mark.browser


@pytest.fixture
def answering_server(tmp_path: Path, clean_redis: str) -> Any:
    env = {"DIALER_SIM_PROFILE": STAYS_ON_THE_LINE, "DIALER_SIM_SPEED": "10"}
    with running_server(tmp_path, clean_redis, env=env) as running:
        yield running


@pytest.mark.parametrize("size", SIZES)
def test_the_setting_on_the_settings_page(
    browser: Browser, server: Running, redis_url: str, shots: Path, size: str
) -> None:
    page = settings_page(browser, server, redis_url, **SIZES[size])
    box = page.get_by_label("Preview calls through a conference")
    expect(box).not_to_be_checked()  # off by default: preview browser calls dial voters directly
    expect(page.locator("#f-preview-conference-hint")).to_contain_text("listen in, coach or barge")
    box.check()
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator("#form-ok")).to_have_text("Saved.")
    with server.client() as admin:
        assert admin.get("/api/campaigns/levy").json()["preview_conference"] is True
    no_sideways_scroll(page)
    page.screenshot(path=shots / f"settings-preview-conference-{size}.png", full_page=True)
    page.reload()
    expect(page.get_by_label("Preview calls through a conference")).to_be_checked()


@pytest.mark.parametrize("size", sorted(VIEWPORTS))
def test_a_preview_conference_call_coached_and_transferred(
    browser: Browser, answering_server: Running, clean_redis: str, shots: Path, size: str
) -> None:
    server = answering_server
    with server.client() as admin:
        r = admin.post("/api/scripts", content=SCRIPT, headers={"Content-Type": "application/yaml"})
        assert r.status_code == 201, r.text
        body = {"id": "pcr", "name": "Rides", "script_id": "rides", "caller_id": "+12025550100",
                "mode": "preview", "batch_size": 2, "transfer_targets": [RIDES],
                "preview_conference": True}  # fmt: skip
        assert admin.post("/api/campaigns", json=body).status_code == 201
    seed_contacts(server, "pcr", CONTACTS)
    organizer = make_user(server, f"olga-{size}@example.org", "Olga Organizer", role="organizer")
    context = volunteer_context(
        browser, server, f"cora-{size}@example.org", "Cora Conference", **VIEWPORTS[size]
    )
    volunteer = context.request.get(f"{server.base_url}/api/me").json()["user"]["id"]
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto("/call/pcr")
    expect(page.locator("#conference-kind")).to_be_visible(timeout=10_000)
    expect(page.locator("#dialer-box")).to_be_hidden()
    expect(page.locator("#call-btn")).to_be_enabled(timeout=10_000)
    no_sideways_scroll(page)

    # Call: the browser joins its conference, then the server calls the voter into it.
    with page.expect_response(lambda r: r.url.endswith("/phone-leg/calls"), timeout=20_000) as placed:
        page.locator("#call-btn").click()
    assert placed.value.status == 201, placed.value.text()
    sid = placed.value.json()["call_sid"]
    expect(page.locator("#call-status")).to_contain_text("Connected", timeout=15_000)
    expect(page.locator("#step-text")).to_contain_text("Need a ride", timeout=5_000)
    store = open_store(clean_redis, decode_responses=True)
    assert store.get(keys.agent_leg("pcr", volunteer)), (
        "the browser's leg was remembered by the voice webhook"
    )
    assert store.hget(keys.attempt("pcr", sid), "volunteer") == volunteer

    # An organizer listens in, then barges: the volunteer's page says who is on the line.
    coach = f"{server.base_url}/api/campaigns/pcr/roster/{volunteer}/coach"
    with httpx.Client(headers={"Authorization": f"Bearer {organizer}"}, timeout=10) as http:
        r = http.post(coach, json={"mode": "listen"})
        assert r.status_code == 201, r.text
        expect(page.locator("#coach-status")).to_have_text("Olga Organizer is listening in.")
        expect(page.locator("#coach-status")).to_be_in_viewport()
        assert http.post(coach, json={"mode": "barge"}).status_code == 200
        expect(page.locator("#coach-status")).to_contain_text("Olga Organizer")
        page.screenshot(path=shots / f"preview-conference-coach-{size}.png", full_page=True)
        assert http.delete(coach).status_code == 204
    expect(page.locator("#coach-status")).to_be_hidden()

    # The script's transfer choice hands the voter on to the rides desk; then the result saves.
    with page.expect_response(lambda r: r.url.endswith("/transfers")) as started:
        page.get_by_role("button", name="Yes, transfer").click()
    assert started.value.status == 201, started.value.text()
    status = page.locator("#transfer-status")
    expect(status).to_contain_text("Rides desk", timeout=10_000)
    expect(status).to_have_text("Rides desk took the call. Save the result.", timeout=15_000)
    expect(status).to_be_in_viewport()
    page.screenshot(path=shots / f"preview-conference-transfer-{size}.png", full_page=True)
    page.locator("#finish-btn").click()
    expect(page.locator("#save-status")).to_contain_text("Saved: Contacted", timeout=10_000)
    with server.client() as admin:
        rows = admin.get("/api/campaigns/pcr/results.csv").text
    saved = [row for row in rows.splitlines() if ",contacted," in row]
    # The question's answer, then volunteer_name (the last column).
    assert len(saved) == 1 and sid in saved[0] and saved[0].rsplit(",", 1)[0].endswith(",ride"), rows
    no_sideways_scroll(page)
    assert not errors, errors
    context.close()
