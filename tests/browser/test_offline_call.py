"""The network drops in the middle of a conversation (a phone's Wi-Fi, a laptop's train tunnel): the call
page says so at once, where the volunteer is looking, and an answer picked meanwhile is not lost."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.harness import Running
from tests.browser.scenario import (
    SilentCut,
    open_call_page,
    seed_campaign,
    until_given_up,
    volunteer_context,
    wait_connected,
)

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def test_offline_mid_call_is_said_and_the_answer_goes_through_after(
    browser: Browser, server: Running, redis_url: str, shots: Path
) -> None:
    campaign = seed_campaign(server, redis_url)
    context = volunteer_context(
        browser, server, "otto@example.org", "Otto Offline", viewport=PHONE, has_touch=True
    )
    page = open_call_page(context, campaign)
    page.locator("#call-btn").click()
    wait_connected(page)
    expect(page.locator("#notice")).to_be_hidden()

    context.set_offline(True)
    # Said at the top of the call card at once, not only in the "Connection:" line below the list.
    notice = page.locator("#notice")
    expect(notice).to_contain_text("No connection", timeout=5_000)
    expect(notice).to_be_in_viewport()
    page.screenshot(path=shots / "offline-mid-call.png")

    page.locator("#choices button", has_text="Speaking").click()  # the voter said it was them
    expect(page.locator("#step-text")).to_contain_text("is this")  # nothing moves while offline

    context.set_offline(False)
    # Back online: the page reconnects without waiting out its backoff, and the kept answer goes through.
    expect(page.locator("#step-text")).to_contain_text("library levy", timeout=5_000)
    expect(notice).to_be_hidden()
    expect(page.locator("#conn")).to_have_text("connected")
    page.locator("#choices button", has_text="Yes").click()
    expect(page.locator("#step-text")).to_contain_text("When will you vote")
    context.close()


def test_an_answer_picked_offline_is_shown_kept_until_it_goes_through(
    browser: Browser, server: Running, redis_url: str, shots: Path
) -> None:
    """Offline, a picked answer cannot move the script on (the server words the next step), and nothing on
    screen changed: a volunteer tapped again, or tried another answer, not knowing it was kept (found by
    the volunteer walk). The kept answer is marked and named, through the page's reconnect attempts."""
    campaign = seed_campaign(server, redis_url)
    context = volunteer_context(
        browser, server, "ola@example.org", "Ola Offline", viewport=PHONE, has_touch=True
    )
    page = open_call_page(context, campaign)
    page.locator("#call-btn").click()
    wait_connected(page)
    context.set_offline(True)
    notice = page.locator("#notice")
    expect(notice).to_contain_text("No connection", timeout=5_000)

    speaking = page.locator("#choices button", has_text="Speaking")
    speaking.click()
    expect(speaking).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#choices button", has_text="Not home")).not_to_have_attribute("aria-pressed", "true")
    kept = "Your answer “Speaking” is kept: it goes through when the connection is back."
    expect(notice).to_contain_text(kept)
    with page.expect_websocket(timeout=10_000):  # a reconnect attempt, which fails: still said
        pass
    expect(notice).to_contain_text(kept)
    expect(notice).to_be_in_viewport()
    page.screenshot(path=shots / "offline-answer-kept.png")

    context.set_offline(False)
    expect(page.locator("#step-text")).to_contain_text("library levy", timeout=5_000)
    expect(notice).to_be_hidden()
    expect(page.locator("#choices button[aria-pressed]")).to_have_count(0)
    context.close()


def test_a_connection_that_dies_without_a_word_is_given_up_and_the_answer_goes_through(
    browser: Browser, server: Running, redis_url: str
) -> None:
    """A Wi-Fi change or a router's timeout kills the connection silently: no offline event, no close, and
    what the page sends vanishes. The page's heartbeat notices (no pong within its time), says so, connects
    again, and the answer that went into the dead connection is sent again."""
    campaign = seed_campaign(server, redis_url)
    context = volunteer_context(
        browser, server, "sid@example.org", "Sid Silent", viewport=PHONE, has_touch=True
    )
    context.clock.install()  # the heartbeat's 20 + 10 s are jumped over, not waited for
    cut = SilentCut()
    context.route_web_socket("**/ws/call/**", cut)
    page = open_call_page(context, campaign)
    page.locator("#call-btn").click()
    wait_connected(page)
    cut.kill_latest()  # from here the page's connection is dead, and nothing says so

    page.locator("#choices button", has_text="Speaking").click()  # into the dead connection
    expect(page.locator("#step-text")).to_contain_text("is this")
    until_given_up(page, lambda: "No connection" in page.locator("#notice").inner_text())  # no pong came
    expect(page.locator("#notice")).to_contain_text("No connection")
    page.clock.run_for(1_000)  # the reconnect's backoff
    page.clock.resume()
    expect(page.locator("#conn")).to_have_text("connected")
    assert cut.opened == 2
    expect(page.locator("#step-text")).to_contain_text("library levy")  # the answer went through after all
    expect(page.locator("#notice")).to_be_hidden()
    context.close()


def test_offline_at_the_end_of_the_script_says_the_result_is_kept(
    browser: Browser, server: Running, redis_url: str
) -> None:
    """The connection drops once the script has ended: the top of the card said "Keep talking: an answer you
    pick goes through when it is back" with no answer left to pick, and went on saying it after Save, beside
    "your result is kept" (found by the volunteer walk). It says what happens to the result."""
    campaign = seed_campaign(server, redis_url)
    context = volunteer_context(browser, server, "eve@example.org", "Eve End", viewport=PHONE, has_touch=True)
    page = open_call_page(context, campaign)
    page.locator("#call-btn").click()
    wait_connected(page)
    page.locator("#choices button", has_text="Speaking").click()
    page.locator("#choices button", has_text="No").click()  # the script ends
    expect(page.locator("#finish-btn")).to_have_text("Save: Refused & next")

    context.set_offline(True)
    notice = page.locator("#notice")
    expect(notice).to_contain_text("No connection", timeout=5_000)
    expect(notice).to_contain_text("Press Save: the result is kept until the connection is back.")
    expect(notice).not_to_contain_text("Keep talking")
    page.locator("#finish-btn").focus()
    page.keyboard.press("Enter")  # Save, from the keyboard
    expect(notice).to_contain_text("Your result is kept: it is saved when the connection is back.")
    # Save went disabled under the keyboard until the result is saved: the keyboard (and a screen reader)
    # goes to what says why, not to the top of the page.
    expect(notice).to_be_focused()
    expect(notice).not_to_contain_text("Press Save")

    context.set_offline(False)
    expect(page.locator("#save-status")).to_contain_text("Saved: Refused", timeout=10_000)
    expect(notice).to_be_hidden()
    context.close()
