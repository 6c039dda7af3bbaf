"""The example get-out-the-vote script (the one `make demo` runs) on the call page: a voter who asks to be
called back at a time can be. Its first question offered only "Not home / call later", which saved "Not
home" with no time asked, so the voter went back to the queue for anyone at the retry delay, while the
volunteer thought a call-back was arranged (found by a new-user walk)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import make_user, seed_contacts
from tests.browser.harness import Running
from tests.browser.scenario import CONTACTS, open_call_page, sign_in, volunteer_context, wait_connected

pytestmark = pytest.mark.browser

GOTV = Path(__file__).resolve().parents[2] / "examples" / "gotv.yaml"


def test_a_voter_who_asks_for_a_call_back_gets_a_time(browser: Browser, server: Running, shots: Path) -> None:
    with server.client() as admin:
        r = admin.post(
            "/api/scripts", content=GOTV.read_bytes(), headers={"Content-Type": "application/yaml"}
        )
        assert r.status_code == 201, r.text
        campaign = {
            "id": "gotv",
            "name": "Get out the vote",
            "script_id": "gotv-2026",
            "caller_id": "+12025550100",
        }
        assert admin.post("/api/campaigns", json=campaign).status_code == 201
    seed_contacts(server, "gotv", CONTACTS)
    context = volunteer_context(
        browser,
        server,
        "cora@example.org",
        "Cora Callback",
        viewport={"width": 390, "height": 844},
        has_touch=True,
    )
    page = open_call_page(context, "gotv")
    page.locator("#call-btn").click()
    wait_connected(page)
    choices = page.locator("#choices button")
    expect(choices.filter(has_text="Not home")).to_have_text("2 Not home")  # no promise of a call later
    choices.filter(has_text="call back").click()
    expect(page.locator("#result-text")).to_contain_text("Call back")
    field = page.locator("#call-back-at")
    expect(field).to_be_visible()
    page.screenshot(path=shots / "example-script-call-back.png", full_page=True)
    expect(page.locator("#finish-btn")).to_have_text("Save: Call back & next")
    page.locator("#finish-btn").click()
    expect(page.locator("#save-status")).to_contain_text("Saved: Call back. They will be called back")

    with server.client() as admin:
        rows = list(csv.DictReader(io.StringIO(admin.get("/api/campaigns/gotv/results.csv").text)))
    assert [(r["result"], r["intro"]) for r in rows] == [("call_back", "Asked us to call back later")]
    context.close()


def test_a_question_worded_two_ways_reads_as_two_in_the_tally(browser: Browser, server: Running) -> None:
    """'What voters say' on the dashboard quotes each question; the example's vote-time question is worded
    for one voter or a household ({% if %} ... {% else %} ...), and the tally ran the two wordings together
    ("...go to vote?What time of day will you go to vote?")."""
    with server.client() as admin:
        r = admin.post(
            "/api/scripts", content=GOTV.read_bytes(), headers={"Content-Type": "application/yaml"}
        )
        assert r.status_code == 201, r.text
        campaign = {
            "id": "gotv",
            "name": "Get out the vote",
            "script_id": "gotv-2026",
            "caller_id": "+12025550100",
        }
        assert admin.post("/api/campaigns", json=campaign).status_code == 201
    make_user(server, "tia@example.org", "Tia Tally", role="organizer")
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=server.base_url)
    sign_in(context, server, "tia@example.org")
    page = context.new_page()
    page.goto("/campaigns/gotv/dashboard")
    question = page.locator("figure.question", has_text="Vote time").locator("figcaption")
    expect(question).to_contain_text(
        "Great, … voters! What time of day will your household go to vote?"
        " / What time of day will you go to vote?"
    )
    context.close()
