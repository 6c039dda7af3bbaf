"""A first-time volunteer signs up from a join link and makes three calls with the keyboard alone."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.harness import Running
from tests.browser.scenario import seed_campaign, wait_connected

pytestmark = pytest.mark.browser


def wait_step(page: Page, text: str) -> None:
    expect(page.locator("#step-text")).to_contain_text(text, timeout=10_000)


def save_and_next(page: Page, result: str) -> None:
    expect(page.locator("#result-text")).to_have_text(result)
    expect(page.locator("#finish-btn")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#save-status")).to_contain_text(f"Saved: {result}", timeout=10_000)


def test_new_volunteer_signs_up_and_makes_three_calls_by_keyboard(
    browser: Browser, server: Running, redis_url: str, shots: Path
) -> None:
    campaign = seed_campaign(server, redis_url)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=server.base_url)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    # The shared join link sends a newcomer to sign-up, and back to the campaign afterwards.
    page.goto(f"/join/{campaign}")
    expect(page).to_have_url(f"{server.base_url}/signup?next=/join/{campaign}")
    page.screenshot(path=shots / "signup.png", full_page=True)
    expect(page.locator("#name")).to_be_focused()
    page.keyboard.type("Nia Newcomer")
    page.keyboard.press("Tab")
    page.keyboard.type("nia@example.org")
    page.keyboard.press("Tab")
    page.keyboard.type("a long password")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{server.base_url}/join/{campaign}")
    page.screenshot(path=shots / "join.png", full_page=True)
    start = page.get_by_role("link", name="Start calling")
    expect(start).to_be_focused()
    page.keyboard.press("Enter")

    expect(page).to_have_url(f"{server.base_url}/call/{campaign}")
    expect(page.locator("#caller-id")).to_have_text("(202) 555-0100")
    expect(page.locator("#contact-list li")).to_have_count(3)
    expect(page.locator("#call-btn")).to_be_focused(timeout=10_000)
    # The number as a caller reads it aloud, not as it is stored.
    expect(page.locator("#contact-phone")).to_have_text(re.compile(r"^\(202\) 555-01\d\d$"))
    page.screenshot(path=shots / "call-ready.png", full_page=True)

    # Call 1: speaking -> yes -> typed answer -> thanks (end step) -> contacted.
    first = page.locator("#contact-name").inner_text()
    page.keyboard.press("Enter")
    wait_step(page, f"is this {first.split()[0]}?")
    expect(page.locator("#back-btn")).to_be_disabled()  # nothing to go back to on the first step
    expect(page.locator("#call-status")).not_to_have_text("Not calling")
    wait_connected(page)
    page.screenshot(path=shots / "call-script.png", full_page=True)
    page.keyboard.press("1")
    wait_step(page, "library levy")
    page.keyboard.press("1")
    wait_step(page, "When will you vote?")
    expect(page.locator("#step-input")).to_be_focused()
    page.keyboard.type("after work")
    page.keyboard.press("Enter")
    wait_step(page, "Thank you")
    page.keyboard.press("1")
    page.screenshot(path=shots / "call-done.png", full_page=True)
    save_and_next(page, "Contacted")
    expect(page.locator("#progress-text")).to_have_text("1 of 10 voters reached (10%) · you: 1 call")

    # Call 2: speaking -> no -> refused (a choice that ends the script). Back is used once on the way.
    expect(page.locator("#call-btn")).to_be_focused(timeout=10_000)
    page.keyboard.press("Enter")
    wait_step(page, "is this")
    wait_connected(page)
    page.keyboard.press("1")
    wait_step(page, "library levy")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # past the two answers to Back
    expect(page.locator("#back-btn")).to_be_focused()
    page.keyboard.press("Enter")
    wait_step(page, "is this")
    page.keyboard.press("1")
    wait_step(page, "library levy")
    page.keyboard.press("2")
    save_and_next(page, "Refused")

    # Call 3: not home.
    expect(page.locator("#call-btn")).to_be_focused(timeout=10_000)
    page.keyboard.press("Enter")
    wait_step(page, "is this")
    wait_connected(page)
    page.keyboard.press("2")
    save_and_next(page, "Not home")
    page.screenshot(path=shots / "call-after-three.png", full_page=True)

    # The results are in the export, with the answers in their own columns.
    with server.client() as admin:
        r = admin.get(f"/api/campaigns/{campaign}/results.csv")
    assert r.status_code == 200, r.text
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert sorted(row["result"] for row in rows) == ["contacted", "not_home", "refused"]
    contacted = next(row for row in rows if row["result"] == "contacted")
    assert contacted["support"] == "yes" and contacted["vote_time"] == "after work"
    assert {row["volunteer"] for row in rows} != {""}

    page.goto("/profile")
    expect(page.locator("#total-calls")).to_have_text("3")
    page.screenshot(path=shots / "profile.png", full_page=True)
    page.goto("/campaigns")
    page.screenshot(path=shots / "campaigns.png", full_page=True)
    assert not [e for e in errors if "Content Security Policy" in e], errors
    context.close()
