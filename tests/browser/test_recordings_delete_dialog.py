"""Deleting a recording asks first in the page's own dialog. It asked with the browser's confirm(), which a
browser told to stop this site's dialogs answers "no" without showing it: Delete silently did nothing. Now,
as the campaigns list's Archive: "Keep it" has the focus, Escape and "Keep it" keep the recording with the
keyboard back on its Delete button, and Delete deletes it, on a phone and on a desktop."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import Browser, Dialog, expect

from tests.browser.conftest import make_user
from tests.browser.harness import Running
from tests.browser.scenario import seed_campaign, sign_in
from tests.browser.test_recordings_page import RECORDED_AT, _keep, _recording

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", [{"width": 390, "height": 844}, {"width": 1366, "height": 768}])
def test_delete_asks_in_the_page_and_a_slip_keeps_the_recording(
    browser: Browser, server: Running, redis_url: str, viewport: dict[str, int]
) -> None:
    campaign = seed_campaign(server, redis_url)
    _keep(
        redis_url,
        campaign,
        [_recording("RE" + "a" * 32, "1", 95, 30), _recording("RE" + "b" * 32, "2", 42, 10)],
    )
    make_user(server, "olive@example.org", "Olive Organizer", role="organizer")
    context = browser.new_context(base_url=server.base_url, viewport=viewport)
    context.clock.set_fixed_time(datetime.fromtimestamp(RECORDED_AT, tz=UTC))  # the page's times are given
    sign_in(context, server, "olive@example.org")
    page = context.new_page()
    browser_dialogs: list[str] = []

    def refuse(dialog: Dialog) -> None:  # as a browser that blocks the site's dialogs answers
        browser_dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", refuse)
    page.goto(f"/campaigns/{campaign}/recordings")
    rows = page.locator("#recordings tbody tr")
    expect(rows).to_have_count(2)
    delete_grace = page.get_by_role("button", name="Delete the recording of the call with Grace Hopper")
    delete_grace.click()
    ask = page.get_by_role("dialog", name="Delete the recording of the call with Grace Hopper?")
    expect(ask).to_be_visible()
    expect(ask).to_contain_text("It cannot be brought back")
    expect(ask.get_by_role("button", name="Keep it")).to_be_focused()  # Enter on a slip keeps it
    box = ask.bounding_box()
    assert box is not None and box["y"] > 0, box
    assert abs(box["x"] - (viewport["width"] - box["x"] - box["width"])) <= 2, box  # centred
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], widths
    page.keyboard.press("Enter")
    expect(ask).to_be_hidden()
    expect(delete_grace).to_be_focused()  # back where the organizer was
    delete_grace.press("Enter")
    expect(ask).to_be_visible()
    page.keyboard.press("Escape")  # closed unanswered: kept
    expect(ask).to_be_hidden()
    expect(delete_grace).to_be_focused()
    expect(rows).to_have_count(2)
    with server.client() as admin:
        kept = admin.get(f"/api/campaigns/{campaign}/recordings").json()["recordings"]
    assert len(kept) == 2  # declined twice: nothing deleted

    delete_grace.click()
    ask.get_by_role("button", name="Delete", exact=True).click()
    expect(rows).to_have_count(1)
    expect(page.locator("#recordings-status")).to_contain_text("Deleted the recording of the call with Grace")
    with server.client() as admin:
        left = admin.get(f"/api/campaigns/{campaign}/recordings").json()["recordings"]
    assert [r["contact_id"] for r in left] == ["1"]
    assert browser_dialogs == []
    context.close()
