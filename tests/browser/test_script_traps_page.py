"""The scripts page shows, on their lines, a circle a call would never leave (refused) and a condition that
compares an answer with a value its choices never give (a warning, with the spelling they do give)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import make_user
from tests.browser.harness import Running
from tests.browser.scenario import SCRIPT, sign_in

pytestmark = pytest.mark.browser

# `plan` (line 16) asks for a time, then goes back to itself while the support is 'yes': its rules (line 20)
# read no answer the circle changes, so a call that says Yes would be asked the time for ever.
TRAP = SCRIPT.replace(
    "    next: thanks\n",
    "    next:\n      - {when: \"answers.support == 'yes'\", goto: plan}\n      - {goto: thanks}\n",
)
# Accepted, but its condition (line 21) compares with 'Yes', which no choice gives: a warning.
MISSPELT = TRAP.replace("answers.support == 'yes'\", goto: plan", "answers.support == 'Yes'\", goto: thanks")


def test_staff_see_a_never_ending_circle_and_a_misspelt_answer_on_their_lines(
    browser: Browser, server: Running, redis_url: str, shots: Path
) -> None:
    make_user(server, "sam@example.org", "Sam Staff", role="organizer")
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, base_url=server.base_url)
    sign_in(context, server, "sam@example.org")
    page = context.new_page()
    page.goto("/scripts")
    page.locator("#source").fill(TRAP)
    page.get_by_role("button", name="Upload script").click()
    summary = page.locator("#problems-summary")
    expect(summary).to_contain_text("1 problem")
    expect(summary.locator("li")).to_contain_text("Line 20")
    expect(page.locator('.source-lines [data-line="20"] .msg')).to_contain_text("goes round for ever")
    page.screenshot(path=shots / "scripts-circle.png", full_page=True)
    with server.client() as admin:
        assert admin.get("/api/scripts/doors").status_code == 404  # nothing saved

    page.locator("#source").fill(MISSPELT)
    page.get_by_role("button", name="Check and preview").click()
    expect(page.locator("#walk .step-text")).to_have_text("Hi, is this Alex?")
    expect(summary).to_contain_text("1 warning")
    expect(page.locator('.source-lines [data-line="21"] .msg')).to_contain_text("did you mean 'yes'?")
    context.close()
