""" "Change an answer", pressed once the script has ended, goes back to the last answer the volunteer gave.
After a script's closing words (an end step, answered with Continue) it went back to those words only:
the volunteer saw "Thank you, Ada!" and a Continue button again, no answer to change, and had to find Back
(found by the volunteer walk)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.harness import Running
from tests.browser.scenario import open_call_page, seed_campaign, volunteer_context, wait_connected

pytestmark = pytest.mark.browser


def at_the_plan(
    browser: Browser, server: Running, redis_url: str, email: str, name: str, size: tuple[int, int]
) -> tuple[str, BrowserContext, Page]:
    """A new volunteer's first call, answered "Speaking" then "Yes": on "When will you vote?"."""
    campaign = seed_campaign(server, redis_url)
    context = volunteer_context(browser, server, email, name, viewport={"width": size[0], "height": size[1]})
    page = open_call_page(context, campaign)
    page.locator("#call-btn").click()
    wait_connected(page)
    page.keyboard.press("1")  # Speaking
    expect(page.locator("#step-text")).to_contain_text("library levy")
    expect(page.locator("#choices .picked")).to_have_count(0)  # nothing answered before on this call
    page.keyboard.press("1")  # Yes
    expect(page.locator("#step-text")).to_have_text("When will you vote?")
    return campaign, context, page


def test_change_an_answer_after_the_closing_words_reopens_the_last_question(
    browser: Browser, server: Running, redis_url: str
) -> None:
    campaign, context, page = at_the_plan(
        browser, server, redis_url, "cha@example.org", "Cha Change", (1280, 900)
    )
    page.locator("#step-input").fill("Tuesday morning")
    page.keyboard.press("Enter")
    expect(page.locator("#step-text")).to_have_text("Thank you, Ada!")
    page.keyboard.press("1")  # Continue: the script ends
    expect(page.locator("#finish-btn")).to_have_text("Save: Contacted & next")

    page.locator("#change-btn").click()
    expect(page.locator("#step-text")).to_have_text("When will you vote?")
    expect(page.locator("#step-input")).to_be_focused()
    page.locator("#step-input").fill("Tuesday evening")
    page.keyboard.press("Enter")
    expect(page.locator("#step-text")).to_have_text("Thank you, Ada!")
    page.keyboard.press("1")
    page.locator("#finish-btn").click()
    expect(page.locator("#save-status")).to_contain_text("Saved: Contacted", timeout=10_000)
    with server.client() as admin:
        rows = admin.get(f"/api/campaigns/{campaign}/results.csv").text.splitlines()
    assert len(rows) == 2 and "Tuesday evening" in rows[1] and "Tuesday morning" not in rows[1], rows
    context.close()


def test_back_to_a_typed_answer_shows_what_was_typed(
    browser: Browser, server: Running, redis_url: str
) -> None:
    """Back (or "Change an answer") to a question answered by typing showed an empty box: the volunteer who
    meant to fix one letter had to ask the voter again or remember all of it (found by the volunteer walk)."""
    _, context, page = at_the_plan(browser, server, redis_url, "tia@example.org", "Tia Typo", (1280, 900))
    page.locator("#step-input").fill("Tuesday mornign")
    page.keyboard.press("Enter")
    expect(page.locator("#step-text")).to_have_text("Thank you, Ada!")
    page.locator("#back-btn").click()
    expect(page.locator("#step-text")).to_have_text("When will you vote?")
    expect(page.locator("#step-input")).to_have_value("Tuesday mornign")
    page.locator("#step-input").fill("Tuesday morning")
    page.keyboard.press("Enter")
    expect(page.locator("#step-text")).to_have_text("Thank you, Ada!")
    page.keyboard.press("1")  # Continue: the script ends

    page.locator("#change-btn").click()
    expect(page.locator("#step-input")).to_have_value("Tuesday morning")
    page.keyboard.press("Enter")  # kept as it is
    expect(page.locator("#step-text")).to_have_text("Thank you, Ada!")
    page.keyboard.press("1")
    page.locator("#finish-btn").click()
    expect(page.locator("#save-status")).to_contain_text("Saved: Contacted", timeout=10_000)

    # The next voter's question starts empty.
    page.locator("#call-btn").click()
    wait_connected(page)
    page.keyboard.press("1")
    expect(page.locator("#step-text")).to_contain_text("library levy")
    page.keyboard.press("1")
    expect(page.locator("#step-text")).to_have_text("When will you vote?")
    expect(page.locator("#step-input")).to_have_value("")
    context.close()


def test_back_to_a_choice_marks_the_answer_given_before(
    browser: Browser, server: Running, redis_url: str
) -> None:
    """Back to a multiple-choice question showed its buttons as if never answered: the volunteer checking
    what they had picked could not tell (found by the volunteer walk). The answer given before is marked,
    in words too, and another one may be picked instead."""
    _, context, page = at_the_plan(browser, server, redis_url, "bea@example.org", "Bea Back", (390, 844))
    page.locator("#back-btn").click()
    expect(page.locator("#step-text")).to_contain_text("library levy")
    picked = page.locator("#choices .picked")
    expect(picked).to_have_count(1)
    expect(picked).to_contain_text("Yes")
    expect(page.get_by_role("button", name="Yes (the answer before)")).to_be_visible()
    page.keyboard.press("2")  # No: the call ends
    expect(page.locator("#finish-btn")).to_contain_text("Refused")
    context.close()
