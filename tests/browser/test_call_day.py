"""A call day as volunteers and organizers go through it, in headless Chromium: the phone rings (the script is
read-only), a save ends the call, a pause and a resume reach the page without a click, retries come back and
say when, a call-back is arranged in the voter's own hours, a contact is skipped, the next caller sees what
the first heard, and on a phone the script is above the fold."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, Response, expect

from tests.browser.conftest import make_user
from tests.browser.harness import Running, running_server
from tests.browser.scenario import (
    open_call_page,
    seed_campaign,
    sign_in,
    volunteer_context,
    wait_connected,
)

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
# The voter would pick up after a minute: the phone rings out (30 s) first, at real speed.
RINGS_ON = json.dumps(
    {
        "human_rate": 1.0,
        "machine_rate": 0.0,
        "busy_rate": 0.0,
        "fail_rate": 0.0,
        "pickup_min": 60,
        "pickup_max": 61,
    }
)


def call_sids(page: Page) -> list[str]:
    """The CallSids of the calls this page places, as they are answered."""
    sids: list[str] = []

    def seen(response: Response) -> None:
        if response.request.method == "POST" and response.url.endswith("/calls") and response.status == 201:
            sids.append(response.json()["call_sid"])

    page.on("response", seen)
    return sids


def call_status(server: Running, campaign: str, sid: str) -> dict[str, object]:
    with server.client() as admin:
        return dict(admin.get(f"/api/campaigns/{campaign}/calls/{sid}").json())


def ended_within(server: Running, campaign: str, sid: str, seconds: float) -> dict[str, object]:
    deadline = time.monotonic() + seconds
    while True:
        call = call_status(server, campaign, sid)
        if call["ended_at"] or time.monotonic() > deadline:
            return call
        time.sleep(0.05)


def test_saving_ends_the_call_and_the_next_contact_is_ready(
    browser: Browser, server: Running, redis_url: str, shots: Path
) -> None:
    campaign = seed_campaign(server, redis_url)
    context = volunteer_context(browser, server, "sam@example.org", "Sam Saver", viewport=DESKTOP)
    page = open_call_page(context, campaign)
    sids = call_sids(page)
    page.keyboard.press("Enter")
    wait_connected(page)
    page.keyboard.press("2")  # "Not home" ends the script
    expect(page.locator("#finish-btn")).to_have_text("Save: Not home & next")
    assert call_status(server, campaign, sids[0])["status"] == "in-progress"  # the voter is still there
    page.keyboard.press("Enter")
    expect(page.locator("#save-status")).to_contain_text("Saved: Not home", timeout=10_000)
    call = ended_within(server, campaign, sids[0], 2.0)
    assert call["status"] == "completed" and call["ended_at"], call
    expect(page.locator("#position")).to_have_text("Contact 2 of 3")
    expect(page.locator("#call-status")).to_have_text("Not calling")
    expect(page.locator("#call-btn")).to_be_focused()
    # The page opened again (another tab, no memory of this one): the voter called stays on the list,
    # with what was saved, and the next one is still number 2 of 3.
    page.close()
    again = open_call_page(context, campaign)
    first = again.locator("#contact-list li").first
    expect(first).to_have_class("done ")
    expect(first.locator(".chip")).to_have_text("Not home")
    # Nobody was reached: the warning chip, not the green of a conversation.
    expect(first.locator(".chip")).to_have_class("chip unreached")
    expect(first.locator(".chip")).to_have_css("color", "rgb(154, 103, 0)")  # --warn, not --ok's green
    expect(again.locator("#contact-list li")).to_have_count(3)
    expect(again.locator("#position")).to_have_text("Contact 2 of 3")
    context.close()


def test_answers_are_refused_while_the_phone_rings(
    browser: Browser, tmp_path: Path, clean_redis: str, shots: Path
) -> None:
    with running_server(
        tmp_path, clean_redis, env={"DIALER_SIM_PROFILE": RINGS_ON, "DIALER_SIM_SPEED": "1"}
    ) as server:
        campaign = seed_campaign(server, clean_redis)
        context = volunteer_context(browser, server, "rita@example.org", "Rita Ringing", viewport=DESKTOP)
        page = open_call_page(context, campaign)
        sids = call_sids(page)
        page.keyboard.press("Enter")
        expect(page.locator("#call-status")).to_have_text("Ringing…", timeout=10_000)
        expect(page.locator("#script-lock")).to_be_visible()
        expect(page.locator("#choices button").first).to_be_disabled()
        expect(page.locator("#hangup-btn")).to_be_focused()
        page.keyboard.press("1")  # would have been "Speaking": nothing happens
        expect(page.locator("#step-text")).to_contain_text("is this")
        page.screenshot(path=shots / "call-ringing.png", full_page=True)
        # A page that tried anyway (a second tab, a script) is refused by the server.
        refused = page.evaluate(
            """async (cid) => {
              const ws = new WebSocket(`ws://${location.host}/ws/call/${cid}`);
              const replies = [];
              await new Promise((ok) => ws.addEventListener("open", ok));
              ws.addEventListener("message", (e) => replies.push(JSON.parse(e.data)));
              ws.send(JSON.stringify({type: "answer", step: "intro", choice: 0}));
              for (let i = 0; i < 50 && !replies.some((r) => r.type === "error"); i += 1) {
                await new Promise((ok) => setTimeout(ok, 100));
              }
              ws.close();
              return replies.find((r) => r.type === "error");
            }""",
            campaign,
        )
        assert refused["code"] == "not_connected", refused
        # Nobody picks up; the volunteer hangs up: the page offers what fits a call nobody answered.
        page.keyboard.press("Enter")  # Hang up has the focus
        expect(page.locator("#unanswered")).to_be_visible(timeout=10_000)
        expect(page.locator("#script")).to_be_hidden()
        expect(page.locator("#unanswered input[value=no_answer]")).to_be_checked()
        expect(page.locator("#finish-btn")).to_be_focused()
        page.screenshot(path=shots / "call-unanswered.png", full_page=True)
        assert ended_within(server, campaign, sids[0], 5.0)["ended_at"]
        page.keyboard.press("Enter")
        expect(page.locator("#save-status")).to_contain_text("Saved: No answer", timeout=10_000)
        with server.client() as admin:
            stats = admin.get(f"/api/campaigns/{campaign}/stats").json()
        assert stats["results"]["no_answer"] == 1 and stats["contacts_reached"] == 0
        context.close()


def test_a_pause_and_a_resume_reach_the_pages_without_a_click(
    browser: Browser, server: Running, redis_url: str, shots: Path
) -> None:
    campaign = seed_campaign(server, redis_url)
    make_user(server, "olive@example.org", "Olive Organizer", role="organizer")
    organizer = browser.new_context(viewport=DESKTOP, base_url=server.base_url)
    sign_in(organizer, server, "olive@example.org")
    dashboard = organizer.new_page()
    dashboard.goto(f"/campaigns/{campaign}/dashboard")
    expect(dashboard.locator("#live")).to_have_text("live", timeout=10_000)

    calling = volunteer_context(browser, server, "cal@example.org", "Cal Calling", viewport=DESKTOP)
    page = open_call_page(calling, campaign)
    dashboard.locator("#pause-btn").click()
    expect(page.locator("#notice")).to_contain_text("paused", timeout=2_000)
    expect(page.locator("#call-btn")).to_be_disabled()

    late = volunteer_context(browser, server, "lou@example.org", "Lou Late", viewport=PHONE)
    waiting = late.new_page()
    waiting.goto(f"/call/{campaign}")
    expect(waiting.locator("#contact-name")).to_have_text("The campaign is paused", timeout=10_000)
    waiting.screenshot(path=shots / "call-paused-waiting.png", full_page=True)

    dashboard.locator("#pause-btn").click()  # resume
    expect(page.locator("#call-btn")).to_be_enabled(timeout=2_000)
    expect(page.locator("#notice")).to_be_hidden()
    expect(waiting.locator("#contact-list li")).to_have_count(1, timeout=2_000)  # names again, no click
    expect(waiting.locator("#call-btn")).to_be_enabled()
    organizer.close()
    calling.close()
    late.close()


def record_for_everyone(server: Running, campaign: str, result: str, notes: str) -> None:
    """Another volunteer works through the whole list over the API."""
    token = make_user(server, "api@example.org", "Avery Api")
    with httpx.Client(
        base_url=server.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=10
    ) as vol:
        while (r := vol.post(f"/api/campaigns/{campaign}/batches")).status_code in (200, 201):
            batch = r.json()
            for c in batch["contacts"]:
                body = {"contact_id": c["id"], "result": result, "notes": notes}
                assert vol.post(f"/api/batches/{batch['id']}/results", json=body).status_code == 200


def test_retries_come_back_when_the_organizer_calls_them_and_carry_what_was_heard(
    browser: Browser, server: Running, redis_url: str, shots: Path
) -> None:
    campaign = seed_campaign(server, redis_url)
    record_for_everyone(server, campaign, "no_answer", "rang out, no machine")
    context = volunteer_context(browser, server, "ria@example.org", "Ria Retry", viewport=DESKTOP)
    page = context.new_page()
    page.goto(f"/call/{campaign}")
    expect(page.locator("#contact-name")).to_have_text("Everyone available has been called", timeout=10_000)
    expect(page.locator("#waiting-text")).to_contain_text("4 voters come back for another try")
    page.screenshot(path=shots / "call-retries-later.png", full_page=True)

    make_user(server, "orin@example.org", "Orin Organizer", role="organizer")
    organizer = browser.new_context(viewport=DESKTOP, base_url=server.base_url)
    sign_in(organizer, server, "orin@example.org")
    dashboard = organizer.new_page()
    dashboard.goto(f"/campaigns/{campaign}/dashboard")
    expect(dashboard.locator("#to-call")).to_contain_text("4 waiting for a retry", timeout=10_000)
    dashboard.screenshot(path=shots / "dashboard-retries.png", full_page=True)
    dashboard.locator("#retries-btn").click()
    expect(dashboard.locator("#notice")).to_contain_text("4 voters waiting for a retry can be called now")

    expect(page.locator("#contact-list li")).to_have_count(3, timeout=2_000)  # no click on the page
    expect(page.locator("#history")).to_be_visible()
    expect(page.locator("#history-summary")).to_have_text("Called once before: no answer last time")
    page.locator("#history summary").click()
    expect(page.locator("#history-list")).to_contain_text("rang out, no machine")
    expect(page.locator("#history-list")).to_contain_text("Avery")
    # The time of the earlier call names its zone ("4:10 PM EST"): the volunteer's own, said so.
    expect(page.locator("#history-list .when").first).to_have_text(re.compile(r"\d:\d\d\s?[AP]M [A-Z]"))
    page.screenshot(path=shots / "call-history.png", full_page=True)
    with server.client() as admin:
        log = admin.get(f"/api/campaigns/{campaign}/audit").json()
    assert log[0]["action"] == "retries_now" and log[0]["name"] == "Orin Organizer"
    organizer.close()
    context.close()


def test_a_skip_and_a_call_back_in_the_voters_own_hours(
    browser: Browser, server: Running, redis_url: str, shots: Path
) -> None:
    campaign = seed_campaign(server, redis_url)
    with server.client() as admin:  # the default calling hours, in each voter's own time
        hours = {"calling_hours": {"start": "09:00", "end": "21:00"}}
        assert admin.patch(f"/api/campaigns/{campaign}", json=hours).status_code == 200
    context = volunteer_context(browser, server, "cleo@example.org", "Cleo Callback", viewport=DESKTOP)
    page = open_call_page(context, campaign)
    first = page.locator("#contact-name").inner_text()
    page.locator("#skip-btn").click()
    expect(page.locator("#save-status")).to_contain_text("Skipped")
    expect(page.locator("#contact-list li")).to_have_count(2)
    expect(page.locator("#contact-name")).not_to_have_text(first)
    expect(page.locator("#skip-btn")).to_have_text("Skip (2 left)")

    page.locator("#call-btn").click()
    wait_connected(page)
    page.locator("#manual summary").click()
    page.locator("#manual-result").select_option("call_back")
    expect(page.locator("#call-back")).to_be_visible()
    default = page.locator("#call-back-at").input_value()
    assert default.endswith("T18:00"), default  # tomorrow evening, their time
    page.locator("#call-back-at").fill(default.replace("T18:00", "T23:30"))  # after their calling hours
    page.locator("#manual-save").click()
    expect(page.locator("#call-back-error")).to_contain_text("between 9:00 AM and 9:00 PM their time")
    page.screenshot(path=shots / "call-back-picker.png", full_page=True)
    page.locator("#call-back-at").fill(default)
    page.locator("#manual-save").click()
    expect(page.locator("#save-status")).to_contain_text("Saved: Call back", timeout=10_000)
    expect(page.locator("#save-status")).to_contain_text("called back")
    with server.client() as admin:
        stats = admin.get(f"/api/campaigns/{campaign}/stats").json()
    assert stats["results"]["call_back"] == 1 and stats["skipped"] == 1
    assert stats["to_call"]["waiting_retry"] == 1  # the call-back waits for its time
    context.close()


TALL_SCRIPT = """id: doors
title: Browser test script, many answers
start: intro
steps:
  intro:
    text: "Hi, is this {{ contact.first_name }}? I'm a volunteer with the library levy campaign."
    choices:
      - {label: "Speaking", next: thanks}
      - {label: "Not home", result: not_home}
      - {label: "Call back later", result: call_back}
      - {label: "Wrong number", result: wrong_number}
      - {label: "Refused", result: refused}
  thanks:
    text: "Thank you!"
    result: contacted
"""


def test_on_a_phone_the_question_and_three_answers_are_above_the_fold(
    browser: Browser, server: Running, redis_url: str, shots: Path
) -> None:
    campaign = seed_campaign(server, redis_url)
    with server.client() as admin:
        r = admin.post("/api/scripts", content=TALL_SCRIPT, headers={"Content-Type": "application/yaml"})
        assert r.status_code == 201, r.text
    context = volunteer_context(
        browser, server, "pia@example.org", "Pia Phone", viewport=PHONE, has_touch=True, is_mobile=True
    )
    page = open_call_page(context, campaign)
    page.screenshot(path=shots / "call-phone-ready.png", full_page=True)
    page.locator("#call-btn").tap()
    expect(page.locator("#call-status")).to_contain_text("Connected", timeout=10_000)
    third = page.locator("#choices button").nth(2)
    expect(third).to_be_enabled()
    page.evaluate("() => window.scrollTo(0, 0)")
    question = page.locator("#step-text").bounding_box()
    box = third.bounding_box()
    assert question is not None and box is not None
    assert question["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], (question, box)
    expect(page.locator(".keys")).to_be_hidden()  # no keyboard on a phone: no key hints
    page.screenshot(path=shots / "call-phone-connected.png")
    context.close()


def test_a_voter_who_hangs_up_mid_script_is_saved_with_what_they_said(
    browser: Browser, server: Running, redis_url: str
) -> None:
    campaign = seed_campaign(server, redis_url)
    context = volunteer_context(browser, server, "hal@example.org", "Hal Hangup", viewport=DESKTOP)
    page = open_call_page(context, campaign)
    # Before a call only what a volunteer may know without dialing can be recorded.
    page.locator("#manual summary").click()
    options = page.locator("#manual-result option:not([disabled])")
    assert sorted(options.evaluate_all("(os) => os.map((o) => o.value)")) == [
        "deceased", "do_not_call", "moved", "wrong_number"
    ]  # fmt: skip
    page.locator("#manual summary").click()
    page.locator("#call-btn").click()
    wait_connected(page)
    page.keyboard.press("1")  # Speaking
    expect(page.locator("#step-text")).to_contain_text("library levy")
    page.locator("#hangup-btn").click()  # the call ends before the script does
    expect(page.locator("#call-status")).to_contain_text("finish the script, or save what happened")
    expect(page.locator("#manual")).to_have_attribute("open", "")
    expect(page.locator("#manual-result")).to_have_value("contacted")
    page.locator("#manual-save").click()
    expect(page.locator("#save-status")).to_contain_text("Saved: Contacted", timeout=10_000)
    with server.client() as admin:
        rows = admin.get(f"/api/campaigns/{campaign}/results.csv").text.splitlines()
    assert len(rows) == 2 and ",contacted," in rows[1] and "Speaking" in rows[1]  # the answer given is kept
    # The next voter starts clean: nothing of the last call's choices carries over.
    expect(page.locator("#position")).to_have_text("Contact 2 of 3")
    expect(page.locator("#manual")).not_to_have_attribute("open", "")
    context.close()
