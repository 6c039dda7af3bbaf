"""Archiving a campaign from the campaigns list: the campaign leaves the list, and the page says where it went
and links there, with the keyboard on that note (before, the reload dropped it without a word, the keyboard
at the top of the page, and finding it again meant guessing the "Archived" filter)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Dialog, expect

from tests.browser.conftest import make_user
from tests.browser.harness import Running
from tests.browser.scenario import seed_campaign, sign_in

pytestmark = pytest.mark.browser


def test_an_archived_campaign_is_said_to_be_archived_and_found_again(
    browser: Browser, server: Running, redis_url: str, shots: Path
) -> None:
    campaign = seed_campaign(server, redis_url)
    make_user(server, "olga@example.org", "Olga Organizer", role="organizer")
    context = browser.new_context(viewport={"width": 390, "height": 844}, base_url=server.base_url)
    sign_in(context, server, "olga@example.org")
    page = context.new_page()
    page.goto("/campaigns")
    page.get_by_role("button", name="Archive Library levy").click()
    page.get_by_role("dialog").get_by_role("button", name="Archive").click()  # the question: test below

    expect(page.locator(f"#campaign-{campaign}")).to_have_count(0)
    notice = page.locator("#campaigns-notice")
    expect(notice).to_have_text("“Library levy” is archived: it is off this list. Show archived campaigns")
    expect(notice).to_be_focused()
    page.screenshot(path=shots / "campaign-archived-notice.png", full_page=True)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # the note's link
    expect(page.locator(f"#campaign-{campaign}")).to_contain_text("archived")

    page.get_by_role("button", name="Restore Library levy").click()
    expect(page.locator("#campaigns-notice")).to_contain_text("“Library levy” is restored")
    page.get_by_role("link", name="Show the campaigns list").click()
    expect(page.locator(f"#campaign-{campaign}")).to_be_visible()
    expect(page.locator("#campaigns-notice")).to_be_hidden()  # said once, not on every later visit
    context.close()


def test_an_archived_campaigns_dashboard_says_so_and_restores_it(
    browser: Browser, server: Running, redis_url: str
) -> None:
    """An archived campaign's dashboard read "status active" with a Pause button, as if volunteers were
    calling it; they cannot even see it. It now says it is archived, and restores it from there."""
    campaign = seed_campaign(server, redis_url)
    make_user(server, "olga@example.org", "Olga Organizer", role="organizer")
    with server.client() as admin:
        assert admin.patch(f"/api/campaigns/{campaign}", json={"archived": True}).status_code == 200
    context = browser.new_context(viewport={"width": 390, "height": 844}, base_url=server.base_url)
    sign_in(context, server, "olga@example.org")
    page = context.new_page()
    page.goto(f"/campaigns/{campaign}/dashboard")
    note = page.locator("#archived-note")
    expect(note).to_contain_text("Archived: volunteers cannot see or call this campaign")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    note.get_by_role("button", name="Restore it").click()
    expect(page.locator("#archived-note")).to_have_count(0)
    with server.client() as admin:
        assert admin.get(f"/api/campaigns/{campaign}").json()["archived"] is False
    context.close()


def test_archive_asks_first_and_says_that_volunteers_calling_now_are_stopped(
    browser: Browser, server: Running, redis_url: str
) -> None:
    """Archive acted at once, with no "are you sure?", even on a campaign whose volunteers were calling:
    one slip stopped them all. It now asks, naming what happens; declining changes nothing. A restore is
    not asked about (it stops nobody). The question is the page's own dialog: the browser's confirm() is
    answered "no" unseen once the browser is told to stop the site's dialogs, and Archive did nothing."""
    campaign = seed_campaign(server, redis_url)
    make_user(server, "olga@example.org", "Olga Organizer", role="organizer")
    context = browser.new_context(viewport={"width": 390, "height": 844}, base_url=server.base_url)
    sign_in(context, server, "olga@example.org")
    page = context.new_page()
    browser_dialogs: list[str] = []

    def refuse(dialog: Dialog) -> None:  # as a browser that blocks the site's dialogs answers
        browser_dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", refuse)
    page.goto("/campaigns")
    archive = page.get_by_role("button", name="Archive Library levy")
    archive.click()
    ask = page.get_by_role("dialog", name="Archive “Library levy”?")
    expect(ask).to_be_visible()
    expect(ask).to_contain_text(
        "Volunteers calling it now are stopped: their pages say the campaign has ended and nobody is called "
        "until you restore it."
    )
    expect(ask.get_by_role("button", name="Keep it")).to_be_focused()  # Enter on a slip keeps it
    box = ask.bounding_box()
    assert box is not None and box["y"] > 0, box  # in the middle of the screen, not stuck to its corner
    assert abs(box["x"] - (390 - box["x"] - box["width"])) <= 2, box
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], widths
    ask.get_by_role("button", name="Keep it").click()
    expect(ask).to_be_hidden()
    expect(archive).to_be_focused()  # back where the organizer was
    archive.press("Enter")
    expect(ask).to_be_visible()
    page.keyboard.press("Escape")  # closed unanswered: kept
    expect(ask).to_be_hidden()
    with server.client() as admin:
        assert admin.get(f"/api/campaigns/{campaign}").json()["archived"] is False  # declined: unchanged
        assert admin.patch(f"/api/campaigns/{campaign}", json={"status": "paused"}).status_code == 200
    page.reload()  # paused: nobody is calling it, and the question says no more than is true
    page.get_by_role("button", name="Archive Library levy").click()
    expect(ask).to_contain_text("Volunteers can no longer see it, and nobody is called until you restore it.")
    ask.get_by_role("button", name="Archive").click()
    expect(page.locator("#campaigns-notice")).to_contain_text("“Library levy” is archived")
    page.goto("/campaigns?archived=1")
    page.get_by_role("button", name="Restore Library levy").click()  # not asked
    expect(page.locator("#campaigns-notice")).to_contain_text("“Library levy” is restored")
    assert browser_dialogs == []
    context.close()
