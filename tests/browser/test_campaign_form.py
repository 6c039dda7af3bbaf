"""The campaign form in plain words, at desktop and phone sizes: pickers for the script and the time zone,
units on every number, calling hours in the voter's local time, the rarely needed settings folded under
Advanced; a campaign is created with it and then edited."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import make_user
from tests.browser.harness import Running
from tests.browser.scenario import SCRIPT, HeldPosts, sign_in

pytestmark = pytest.mark.browser

SIZES: dict[str, dict[str, Any]] = {
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}
SECOND_SCRIPT = SCRIPT.replace("id: doors", "id: levy-followup").replace(
    "title: Browser test script", "title: Levy follow-up"
)


def upload_scripts(server: Running) -> None:
    with server.client() as admin:
        for source in (SCRIPT, SECOND_SCRIPT):
            r = admin.post("/api/scripts", content=source, headers={"Content-Type": "application/yaml"})
            assert r.status_code == 201, r.text


def no_sideways_scroll(page: Page) -> None:
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"the page is {widths[0]}px wide in a {widths[1]}px viewport"


def tab_order(page: Page, until: str) -> list[str]:
    """The controls Tab visits from the form's first field to `until`, by id (or tag name); a time input's
    hour and minute parts count once."""
    page.locator("#f-name").focus()
    seen: list[str] = []
    for _ in range(40):
        here = page.evaluate("() => document.activeElement.id || document.activeElement.tagName")
        if not seen or seen[-1] != here:
            seen.append(here)
        if here == until:
            return seen
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {until}: {seen}")


@pytest.mark.parametrize("size", SIZES)
def test_organizer_creates_and_edits_a_campaign(
    browser: Browser, server: Running, shots: Path, size: str
) -> None:
    upload_scripts(server)
    make_user(server, "olga@example.org", "Olga Organizer", role="organizer")
    context = browser.new_context(base_url=server.base_url, **SIZES[size])
    sign_in(context, server, "olga@example.org")
    page = context.new_page()
    page.goto("/campaigns")
    page.get_by_role("link", name="New campaign").click()
    expect(page.get_by_role("heading", name="New campaign")).to_be_visible()

    # Pickers: the uploaded scripts by title, the US zones first and then every IANA zone.
    script = page.get_by_label("Script", exact=True)
    assert script.locator("option").all_inner_texts() == [
        "Choose a script…",
        "Levy follow-up (levy-followup)",
        "Browser test script (doors)",
    ]
    zones = page.locator("#f-tz optgroup")
    assert zones.first.get_attribute("label") == "United States"
    assert zones.first.locator("option").first.text_content() == "Eastern time (New York)"
    assert zones.nth(1).locator("option").count() > 300
    assert page.locator("#f-tz").input_value() == "America/New_York"
    # Calling hours are the voter's own; every number says what it counts.
    expect(page.locator("fieldset.hours legend")).to_have_text(
        "Calling hours, in each voter's own local time"
    )
    units = {
        page.locator(f"#{i}-unit").text_content()
        for i in page.locator("input[type=number]").evaluate_all("(xs) => xs.map((x) => x.id)")
    }
    assert units == {"voters reached", "calls", "minutes", "names", "seconds", "%", "days"}
    # What a volunteer manager needs is in view; the rest waits under Advanced.
    for visible in ("#f-name", "#f-script_id", "#f-caller_id", "#f-mode", "#f-start", "#f-end", "#f-goal"):
        expect(page.locator(visible)).to_be_visible()
    for folded in ("#f-id", "#f-batch_size", "#f-lease_seconds", "#f-abandon_cap", "#f-tz"):
        expect(page.locator(folded)).to_be_hidden()
    expect(page.locator("#advanced summary")).to_contain_text("Up to 3 calls per voter, 240 minutes apart")
    no_sideways_scroll(page)
    page.screenshot(path=shots / f"campaign-new-{size}.png", full_page=True)

    # The keyboard reaches every control in order and opens Advanced.
    assert tab_order(page, "SUMMARY") == [
        "f-name",
        "f-script_id",
        "A",  # "Upload or edit a script", in the script's hint
        "f-caller_id",
        "caller-id-add",
        "f-mode",
        "f-method-browser",
        "f-method-own_phone",
        "f-method-call_me",
        "f-method-dial_in",
        "f-preview-conference",
        "f-inbound",
        "transfer-add",
        "f-cell",
        "f-start",
        "f-end",
        "f-goal",
        "SUMMARY",
    ]
    page.keyboard.press("Enter")
    expect(page.locator("#f-batch_size")).to_be_visible()

    page.locator("#f-name").fill("Spring canvass")
    page.locator("#f-caller_id").fill("(312) 555-0101")  # as people write it
    expect(page.locator("#f-mode-hint")).to_have_text("Volunteers see who they are calling, then click Call.")
    page.locator("#f-mode").select_option("predictive")
    expect(page.locator("#f-mode-hint")).to_contain_text("calls ahead of free volunteers")
    page.locator("#f-start").fill("10:00")
    page.locator("#f-end").fill("20:00")
    page.locator("#f-goal").fill("50")
    page.locator("#f-id").fill("spring")
    page.locator("#f-max_attempts").fill("2")
    page.locator("#f-retry_minutes").fill("60")
    page.locator("#f-abandon_cap").fill("5")  # percent, above the legal 3
    page.locator("#f-tz").select_option("America/Chicago")
    expect(page.locator("#advanced summary")).to_contain_text("Up to 2 calls per voter, 60 minutes apart")
    page.locator("#advanced summary").click()  # folded again: its error must still be seen
    expect(page.locator("#f-abandon_cap")).to_be_hidden()
    page.get_by_role("button", name="Create campaign").click()

    # No script chosen, and a cap above the law: both said where they are, Advanced opened for the second.
    expect(page.locator('.field[data-path="script_id"] .field-error')).to_have_text(
        "Script: choose the script volunteers read (upload one with the link below if the list is empty)."
    )
    expect(page.locator("#f-script_id")).to_have_attribute("aria-invalid", "true")
    cap_error = page.locator('.field[data-path="abandon_cap"] .field-error')
    expect(cap_error).to_contain_text("3%, the legal limit")
    expect(page.locator("#f-abandon_cap")).to_be_visible()
    expect(page.locator("#f-script_id")).to_be_focused()
    described = page.locator("#f-abandon_cap").get_attribute("aria-describedby") or ""
    assert "err-abandon_cap" in described.split()
    page.screenshot(path=shots / f"campaign-new-errors-{size}.png", full_page=True)

    script.select_option(label="Browser test script (doors)")
    page.locator("#f-abandon_cap").fill("2.5")
    page.get_by_role("button", name="Create campaign").click()
    expect(page).to_have_url(f"{server.base_url}/campaigns/spring/settings")  # ?created went once said
    notice = page.locator("#created-notice")
    expect(notice).to_have_text(
        "Created “Spring canvass”. It is in your Campaigns list. Next: upload a call list (on this page),"
        " then invite volunteers from the Dashboard with the join link."
    )
    expect(notice).to_be_focused()
    # The call list is below the whole form, screens down on a phone: the note takes the keyboard there.
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("#contacts-file")).to_be_focused()
    expect(page.locator("#contacts-file")).to_be_in_viewport()
    with server.client() as admin:
        created = admin.get("/api/campaigns/spring").json()
    assert {
        k: created[k] for k in ("name", "script_id", "caller_id", "mode", "goal", "default_timezone")
    } == {
        "name": "Spring canvass",
        "script_id": "doors",
        "caller_id": "+13125550101",
        "mode": "predictive",
        "goal": 50,
        "default_timezone": "America/Chicago",
    }
    assert created["calling_hours"] == {"start": "10:00", "end": "20:00"}
    assert (created["max_attempts"], created["retry_minutes"], created["abandon_cap"]) == (2, 60, 0.025)
    assert (created["batch_size"], created["lease_seconds"]) == (20, 1800)  # untouched defaults

    # Editing: the form shows what was saved, in the same words and units.
    expect(page.locator("#f-caller_id")).to_have_value("(312) 555-0101")
    expect(page.locator("#f-script_id")).to_have_value("doors")
    expect(page.locator("#f-tz")).to_have_value("America/Chicago")
    expect(page.locator("#f-abandon_cap")).to_have_value("2.5")
    expect(page.locator("#advanced summary")).to_contain_text("abandoned calls at most 2.5%")
    expect(page.locator("#f-status option:checked")).to_have_text("Active")
    expect(page.locator("#f-status-hint")).to_have_text("Volunteers can take names and call.")
    expect(page.locator("#f-mode-hint")).to_contain_text("calls ahead of free volunteers")
    page.locator("#f-goal").fill("75")
    page.locator("#f-status").select_option("paused")
    expect(page.locator("#f-status-hint")).to_have_text(
        "Nobody gets new names until you make it active again."
    )
    page.locator("#f-script_id").select_option("levy-followup")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator("#form-ok")).to_have_text("Saved.")
    no_sideways_scroll(page)
    page.screenshot(path=shots / f"campaign-edit-{size}.png", full_page=True)
    with server.client() as admin:
        saved = admin.get("/api/campaigns/spring").json()
    assert (saved["goal"], saved["status"], saved["script_id"]) == (75, "paused", "levy-followup")
    assert (saved["abandon_cap"], saved["caller_id"], saved["mode"]) == (0.025, "+13125550101", "predictive")
    context.close()


def test_an_empty_new_campaign_says_what_each_required_field_needs(browser: Browser, server: Running) -> None:
    upload_scripts(server)
    make_user(server, "olga@example.org", "Olga Organizer", role="organizer")
    context = browser.new_context(base_url=server.base_url, **SIZES["phone"])
    sign_in(context, server, "olga@example.org")
    page = context.new_page()
    page.goto("/campaigns/new")
    page.get_by_role("button", name="Create campaign").click()
    said = {
        "name": "Name: give the campaign a name; volunteers see it in their list.",
        "script_id": "Script: choose the script volunteers read (upload one with the link below if the list"
        " is empty).",
        "caller_id": "Caller ID: enter the number voters see when you call, one your calling account owns:"
        " (202) 555-0100.",
    }
    for path, message in said.items():
        expect(page.locator(f'.field[data-path="{path}"] .field-error')).to_have_text(message)
        control = page.locator(f"#f-{path}")
        expect(control).to_have_attribute("aria-invalid", "true")
        assert f"err-{path}" in (control.get_attribute("aria-describedby") or "").split()
    expect(page.locator("#f-name")).to_be_focused()  # the first field to fix
    page.locator("#f-name").fill("Spring canvass")
    page.get_by_role("button", name="Create campaign").click()
    expect(page.locator('.field[data-path="name"] .field-error')).to_have_count(0)
    expect(page.locator("#f-name")).not_to_have_attribute("aria-invalid", "true")
    expect(page.locator("#f-script_id")).to_be_focused()
    context.close()


def test_a_script_uploaded_in_another_tab_joins_the_picker(browser: Browser, server: Running) -> None:
    make_user(server, "olga@example.org", "Olga Organizer", role="organizer")
    context = browser.new_context(base_url=server.base_url)
    sign_in(context, server, "olga@example.org")
    page = context.new_page()
    page.goto("/campaigns/new")
    script = page.locator("#f-script_id")
    expect(script.locator("option")).to_have_text(["No scripts uploaded yet"])
    upload_scripts(server)
    page.evaluate("() => document.dispatchEvent(new Event('visibilitychange'))")  # back from the other tab
    expect(script.locator("option")).to_have_text(
        ["Choose a script…", "Levy follow-up (levy-followup)", "Browser test script (doors)"]
    )
    context.close()


def test_a_double_click_on_create_makes_one_campaign(browser: Browser, server: Running) -> None:
    """An organizer's double click on "Create campaign" made two campaigns of the same name (found on a
    call-day walk: the list then showed "Saturday call day" twice, and which one had the call list?)."""
    upload_scripts(server)
    make_user(server, "olga@example.org", "Olga Organizer", role="organizer")
    context = browser.new_context(base_url=server.base_url)
    sign_in(context, server, "olga@example.org")
    page = context.new_page()
    page.goto("/campaigns/new")
    page.locator("#f-name").fill("Saturday call day")
    page.locator("#f-script_id").select_option("doors")
    page.locator("#f-caller_id").fill("(202) 555-0150")
    posts = HeldPosts(page, "**/api/campaigns")
    page.locator("button[type=submit]").dblclick()
    page.keyboard.press("Enter")  # and Enter too, with the focus on the button
    sent = posts.release()
    page.wait_for_url("**/settings*", timeout=10_000)
    expect(page.locator("#created-notice")).to_be_visible()
    with server.client() as admin:
        names = [c["name"] for c in admin.get("/api/campaigns").json()]
    assert names.count("Saturday call day") == 1, names
    assert sent == 1
    # The campaigns list's Duplicate, double-clicked, makes one copy.
    page.goto("/campaigns")
    posts = HeldPosts(page, "**/duplicate")
    page.locator("[data-duplicate]").first.dblclick()
    assert posts.release() == 1
    page.wait_for_url("**/settings", timeout=10_000)
    with server.client() as admin:
        assert len(admin.get("/api/campaigns").json()) == 2
    context.close()
