"""A power-mode volunteer reloads the call page while the organizers have the campaign paused. The page said
the pause twice over: in the notice above the card and again in the card's line under "Start taking calls"
("The campaign is paused: no calls until the organizers resume it."). The notice says it, the card's heading
names it, and that line says only what this volunteer will do: not taking calls, or, once they press Start,
that they take calls when it resumes, which they then do. On a phone and on a desktop."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.harness import Running
from tests.browser.scenario import seed_campaign, volunteer_context

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", [{"width": 390, "height": 844}, {"width": 1366, "height": 768}])
def test_a_reload_while_paused_says_the_pause_once(
    browser: Browser, server: Running, redis_url: str, viewport: dict[str, int]
) -> None:
    campaign = seed_campaign(server, redis_url)
    with server.client() as admin:
        assert admin.patch(f"/api/campaigns/{campaign}", json={"mode": "power"}).status_code == 200
    context = volunteer_context(browser, server, "pia@example.org", "Pia Pause", viewport=viewport)
    context.clock.install()  # the pool's heartbeat timer is the page's, not the wall clock's
    page = context.new_page()
    page.goto(f"/call/{campaign}")
    state = page.locator("#dialer-state")
    notice = page.locator("#notice")
    expect(page.locator("#ready-btn")).to_be_focused(timeout=10_000)
    page.keyboard.press("Enter")  # Start taking calls
    expect(state).to_contain_text("Waiting for the next voter")
    with server.client() as admin:
        assert admin.patch(f"/api/campaigns/{campaign}", json={"status": "paused"}).status_code == 200
    expect(notice).to_contain_text("paused the campaign")

    page.reload()
    expect(notice).to_contain_text("paused the campaign", timeout=10_000)
    expect(page.locator("#contact-name")).to_have_text("The campaign is paused")
    expect(state).to_have_text("You are not taking calls.")
    card = page.locator("#dialer-box").inner_text().lower()
    assert "paused" not in card, card  # said by the notice and the heading, not a third time
    page.get_by_role("button", name="Start taking calls").click()
    expect(state).to_have_text("You take calls again when the campaign resumes.")
    with server.client() as admin:
        assert admin.patch(f"/api/campaigns/{campaign}", json={"status": "active"}).status_code == 200
    expect(state).to_contain_text("Waiting for the next voter")
    expect(notice).to_be_hidden()
    context.close()
