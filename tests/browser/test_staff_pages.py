"""Staff pages: a broken script shows its problems beside its lines and is fixed; settings and lists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import make_user
from tests.browser.harness import Running
from tests.browser.scenario import SCRIPT, seed_campaign, sign_in

pytestmark = pytest.mark.browser

# Line 8 points at a step that does not exist, line 15 names a result code that does not exist.
BROKEN = SCRIPT.replace("next: support}", "next: suport}").replace("result: refused}", "result: refuse}")


def test_staff_uploads_a_broken_script_sees_errors_by_line_fixes_it(
    browser: Browser, server: Running, redis_url: str, shots: Path
) -> None:
    make_user(server, "sam@example.org", "Sam Staff", role="organizer")
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, base_url=server.base_url)
    sign_in(context, server, "sam@example.org")
    page = context.new_page()
    page.goto("/scripts")
    page.locator("#source").fill(BROKEN)
    page.get_by_role("button", name="Upload script").click()

    summary = page.locator("#problems-summary")
    expect(summary).to_contain_text("2 problems")
    expect(summary.locator("li")).to_have_count(2)
    expect(summary).to_contain_text("Line 8")
    expect(summary).to_contain_text("Line 15")
    bad = page.locator(".source-lines .bad")
    expect(bad).to_have_count(2)
    expect(page.locator('.source-lines [data-line="8"] .msg')).to_contain_text("suport")
    expect(page.locator('.source-lines [data-line="15"] .msg')).to_contain_text("refuse")
    page.screenshot(path=shots / "scripts-errors.png", full_page=True)

    # Fixed: it uploads, and the preview walks it with the sample contact.
    page.locator("#source").fill(SCRIPT)
    page.get_by_role("button", name="Upload script").click()
    expect(summary).to_contain_text('Saved script "doors", version 1')
    expect(page.locator(".source-lines .bad")).to_have_count(0)
    page.get_by_role("button", name="Check and preview").click()
    expect(page.locator("#walk .step-text")).to_have_text("Hi, is this Alex?")
    expect(page.locator("#walk")).not_to_contain_text("null")  # a step without typed answer has no form
    page.keyboard.press("1")
    expect(page.locator("#walk .step-text")).to_contain_text("library levy")
    page.keyboard.press("2")
    expect(page.locator("#walk")).to_contain_text("Result: Refused")
    page.screenshot(path=shots / "scripts-preview.png", full_page=True)
    with server.client() as admin:
        assert admin.get("/api/scripts/doors").json()["version"] == 1

    # Opening: an empty id says what to do; the uploaded scripts are listed and open with a click.
    page.goto("/scripts")
    page.get_by_role("button", name="Open", exact=True).click()
    expect(summary).to_contain_text("Type the id of an uploaded script")
    page.locator("#script-ids").get_by_role("link", name="doors").click()
    expect(page.locator("#source")).to_have_value(re.compile('"id": "doors"'))
    context.close()


# Valid, but its last step (line 24) is reached from nowhere: the upload warns about it.
UNREACHABLE = (
    SCRIPT
    + """  leftover:
    text: "Nobody reaches this"
    result: contacted
"""
)


def test_check_and_preview_shows_the_warnings_the_upload_gives(
    browser: Browser, server: Running, redis_url: str, shots: Path
) -> None:
    """ "Check and preview" said "No problems found." for a script whose upload then warned of an unreachable
    step: the check a staff member runs first must say what the upload will."""
    make_user(server, "sam@example.org", "Sam Staff", role="organizer")
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, base_url=server.base_url)
    sign_in(context, server, "sam@example.org")
    page = context.new_page()
    page.goto("/scripts")
    page.locator("#source").fill(UNREACHABLE)
    page.get_by_role("button", name="Check and preview").click()
    expect(page.locator("#walk .step-text")).to_have_text("Hi, is this Alex?")
    summary = page.locator("#problems-summary")
    expect(summary).to_contain_text("1 warning")
    expect(summary).not_to_contain_text("No problems found")
    expect(summary.locator("li")).to_contain_text("Line 24")
    expect(page.locator('.source-lines [data-line="24"] .msg')).to_contain_text("unreachable")
    # Walking on keeps the warning in view.
    page.keyboard.press("1")
    expect(page.locator("#walk .step-text")).to_contain_text("library levy")
    expect(summary).to_contain_text("1 warning")
    page.screenshot(path=shots / "scripts-check-warnings.png", full_page=True)

    # With an error too, the check counts them as the upload does and marks the stray step as a warning.
    page.locator("#source").fill(UNREACHABLE.replace("next: support}", "next: suport}"))
    page.get_by_role("button", name="Check and preview").click()
    expect(summary.locator("strong")).to_have_text("The script has 1 problem and 4 warnings.")
    expect(summary.locator("li.error")).to_have_count(1)
    expect(summary.locator("li.warning")).to_have_count(4)
    expect(page.locator('.source-lines [data-line="8"]')).to_have_class(re.compile(r"\bbad error\b"))
    expect(page.locator('.source-lines [data-line="24"]')).to_have_class(re.compile(r"\bbad warning\b"))

    # Without the stray step the check is clean.
    page.locator("#source").fill(SCRIPT)
    page.get_by_role("button", name="Check and preview").click()
    expect(summary).to_have_text("No problems found.")
    expect(page.locator(".source-lines .bad")).to_have_count(0)
    context.close()


def test_staff_edits_settings_and_uploads_lists(
    browser: Browser, server: Running, redis_url: str, shots: Path, tmp_path: Path
) -> None:
    campaign = seed_campaign(server, redis_url)
    make_user(server, "sam@example.org", "Sam Staff", role="organizer")
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, base_url=server.base_url)
    sign_in(context, server, "sam@example.org")
    page = context.new_page()
    page.goto(f"/campaigns/{campaign}/settings")

    page.locator("#f-goal").fill("25")
    page.locator("#f-caller_id").fill("not a phone")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator('.field[data-path="caller_id"] .field-error')).to_be_visible()
    page.locator("#f-caller_id").fill("(312) 555-0101")  # as people write it: saved as E.164
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator("#form-ok")).to_have_text("Saved.")
    with server.client() as admin:
        saved = admin.get(f"/api/campaigns/{campaign}").json()
    assert saved["goal"] == 25 and saved["caller_id"] == "+13125550101"

    calls = tmp_path / "list.csv"
    calls.write_text("phone,first_name\n+13125550102,Mo\n+13125550102,Mo again\nnot-a-phone,Bad\n")
    page.locator("#contacts-file").set_input_files(calls)
    page.get_by_role("button", name="Upload call list").click()
    report = page.locator("#import-report")
    expect(report).to_contain_text("1 contact imported", timeout=10_000)
    expect(report).to_contain_text("1 duplicate skipped")
    expect(report).to_contain_text("1 row with problems")
    expect(report.locator("tbody tr")).to_have_count(2)  # the row with a problem, the duplicate

    dnc = tmp_path / "dnc.csv"
    dnc.write_text("phone\n+13125550199\n")
    page.locator("#dnc-file").set_input_files(dnc)
    page.get_by_role("button", name="Upload do-not-call list").click()
    added = "1 number added to the do-not-call list."
    expect(page.locator("#dnc-report")).to_have_text(added, timeout=10_000)
    page.screenshot(path=shots / "settings.png", full_page=True)

    with page.expect_download() as download:
        page.locator("#results-csv").click()
    assert download.value.suggested_filename.endswith(".csv")
    context.close()
