"""A volunteer reloads the call page mid-conversation in a preview campaign whose calls run through their
conference (`preview_conference`), at desktop (1280 px) and phone (390 px) sizes. The browser's leg leaves
the conference as the page goes; it used to end the room (endConferenceOnExit) and with it the voter's
call. Now the voter is held, the reloaded page comes back to the same voter at the same step, its line
joins the conference again and the voter is taken back from hold; the conversation goes on and saves
(found by a new-user walk)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from dialer.queue import keys
from tests.browser.conftest import seed_contacts
from tests.browser.harness import Running, running_server
from tests.browser.scenario import CONTACTS, SCRIPT, volunteer_context
from tests.browser.test_own_phone import VIEWPORTS
from tests.browser.test_phone_viewport import no_sideways_scroll
from tests.e2e.calling import STAYS_ON_THE_LINE
from tests.stores import open_store

pytestmark = pytest.mark.browser


@pytest.fixture
def answering_server(tmp_path: Path, clean_redis: str) -> Any:
    # Simulated time at twice the clock's pace: the voter is held half a minute, far longer than a reload.
    env = {"DIALER_SIM_PROFILE": STAYS_ON_THE_LINE, "DIALER_SIM_SPEED": "2"}
    with running_server(tmp_path, clean_redis, env=env) as running:
        yield running


@pytest.mark.parametrize("size", sorted(VIEWPORTS))
def test_a_reload_mid_call_comes_back_to_the_voter_on_the_line(
    browser: Browser, answering_server: Running, clean_redis: str, shots: Path, size: str
) -> None:
    server = answering_server
    with server.client() as admin:
        r = admin.post("/api/scripts", content=SCRIPT, headers={"Content-Type": "application/yaml"})
        assert r.status_code == 201, r.text
        body = {"id": "pcr", "name": "Library levy", "script_id": "doors", "caller_id": "+12025550100",
                "mode": "preview", "batch_size": 2, "preview_conference": True}  # fmt: skip
        assert admin.post("/api/campaigns", json=body).status_code == 201
    seed_contacts(server, "pcr", CONTACTS)
    context = volunteer_context(browser, server, f"rae-{size}@example.org", "Rae Reload", **VIEWPORTS[size])
    volunteer = context.request.get(f"{server.base_url}/api/me").json()["user"]["id"]
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto("/call/pcr")
    expect(page.locator("#call-btn")).to_be_enabled(timeout=10_000)
    with page.expect_response(lambda r: r.url.endswith("/conference-leg")) as joined:
        with page.expect_response(lambda r: r.url.endswith("/phone-leg/calls")) as placed:
            page.locator("#call-btn").click()
    first_leg = joined.value.json()["call_sid"]
    sid = placed.value.json()["call_sid"]
    expect(page.locator("#call-status")).to_contain_text("Connected", timeout=20_000)
    page.keyboard.press("1")  # Speaking
    expect(page.locator("#step-text")).to_contain_text("library levy")
    store = open_store(clean_redis, decode_responses=True)

    # The reload: the old page's leg leaves as it goes (the voter is held: its DELETE, sent with keepalive
    # from pagehide, is not one Playwright reports) and the new page's leg joins (the voter is back).
    with page.expect_response(lambda r: r.url.endswith("/conference-leg")) as rejoined:
        page.reload()
    assert rejoined.value.status == 201, rejoined.value.text()
    assert store.get(keys.agent_leg("pcr", volunteer)) == rejoined.value.json()["call_sid"] != first_leg
    expect(page.locator("#step-text")).to_contain_text("library levy", timeout=10_000)
    expect(page.locator("#call-status")).to_contain_text("Connected")
    expect(page.locator("#choices button").first).to_be_focused()
    assert store.get(keys.held_voter("pcr", volunteer)) is None  # taken back from hold
    assert store.hget(keys.attempt("pcr", sid), "status") == "in-progress"  # the voter is still on the line
    no_sideways_scroll(page)
    page.screenshot(path=shots / f"preview-conference-reloaded-{size}.png", full_page=True)

    page.keyboard.press("2")  # No: the script ends
    expect(page.locator("#finish-btn")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#save-status")).to_contain_text("Saved: Refused", timeout=10_000)
    with server.client() as admin:
        rows = admin.get("/api/campaigns/pcr/results.csv").text
    assert any(",refused," in row and sid in row for row in rows.splitlines()), rows
    assert not errors, errors
    context.close()
