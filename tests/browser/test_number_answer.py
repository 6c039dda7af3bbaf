"""A typed answer the script cannot take (words for a number, a number out of range) is said beside the
field, on screen where the volunteer is typing, and the field is marked invalid: it was said at the bottom of
the card, below the notes and "Record what happened", off screen on a phone (found by a new-user walk)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import seed_contacts
from tests.browser.harness import Running
from tests.browser.scenario import open_call_page, volunteer_context, wait_connected

pytestmark = pytest.mark.browser

SCRIPT = """id: household
title: Household
start: intro
steps:
  intro:
    text: "Hi, is this {{ contact.first_name }}?"
    choices:
      - {label: "Speaking", next: count}
      - {label: "Not home", result: not_home}
  count:
    text: "How many voters live with you?"
    input: number
    min: 1
    max: 20
    next: thanks
  thanks:
    text: "Thank you!"
    result: contacted
"""


def test_a_wrong_number_answer_is_said_beside_the_field(
    browser: Browser, server: Running, redis_url: str, shots: Path
) -> None:
    with server.client() as admin:
        r = admin.post("/api/scripts", content=SCRIPT, headers={"Content-Type": "application/yaml"})
        assert r.status_code == 201, r.text
        campaign = {"id": "homes", "name": "Homes", "script_id": "household", "caller_id": "+12025550100"}
        assert admin.post("/api/campaigns", json=campaign).status_code == 201
    seed_contacts(server, "homes", [("+12025550142", "Ada", "Lovelace")])
    context = volunteer_context(
        browser, server, "nu@example.org", "Nu Number", viewport={"width": 390, "height": 844}
    )
    page = open_call_page(context, "homes")
    page.keyboard.press("Enter")
    wait_connected(page)
    page.keyboard.press("1")
    field = page.locator("#step-input")
    expect(field).to_be_focused()
    problem = page.locator("#step-input-error")
    expect(problem).to_be_hidden()

    page.keyboard.type("Tuesday")
    page.keyboard.press("Enter")
    expect(problem).to_have_text("Please type a number.")
    expect(problem).to_be_in_viewport()
    expect(field).to_have_attribute("aria-invalid", "true")
    assert "step-input-error" in (field.get_attribute("aria-describedby") or "")
    expect(field).to_be_focused()
    page.screenshot(path=shots / "number-answer-problem.png")

    field.fill("25")
    page.keyboard.press("Enter")
    expect(problem).to_have_text("Please type a number from 1 up to 20.")
    field.fill("3")
    page.keyboard.press("Enter")
    expect(page.locator("#step-text")).to_have_text("Thank you!")
    expect(problem).to_be_hidden()
    expect(field).not_to_have_attribute("aria-invalid", "true")
    context.close()
