"""A volunteer taking calls in a power campaign signs out and back in, in the same tab. The call page said
"The page reloaded, so you stopped taking calls", as after a reload (the tab remembered they had been
taking calls), and kept the notes typed on the account's calls for whoever signed in next on that computer
(found by the new-volunteer walk). Signing out forgets them: the page starts as on a first visit."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.harness import Running
from tests.browser.scenario import seed_campaign, volunteer_context

pytestmark = pytest.mark.browser


def test_signing_out_and_in_again_is_not_taken_for_a_reload(
    browser: Browser, server: Running, redis_url: str
) -> None:
    campaign = seed_campaign(server, redis_url)
    with server.client() as admin:
        assert admin.patch(f"/api/campaigns/{campaign}", json={"mode": "power"}).status_code == 200
    context = volunteer_context(
        browser, server, "sol@example.org", "Sol Signout", viewport={"width": 1366, "height": 768}
    )
    page = context.new_page()
    page.goto(f"/call/{campaign}")
    state = page.locator("#dialer-state")
    expect(page.locator("#ready-btn")).to_be_focused(timeout=10_000)
    page.keyboard.press("Enter")  # Start taking calls
    expect(state).to_contain_text("Waiting for the next voter")
    page.evaluate("sessionStorage.setItem('dialer.notes.levy', JSON.stringify({'1': 'Wants a yard sign'}))")

    page.locator("#signout").click()
    expect(page).to_have_url(f"{server.base_url}/signin")
    page.goto(f"/signin?next=/call/{campaign}")
    page.locator("#email").fill("sol@example.org")
    page.locator("#password").fill("a long password")
    page.keyboard.press("Enter")
    expect(page.locator("#ready-btn")).to_be_focused(timeout=10_000)
    expect(state).to_have_text("You are not taking calls.")
    expect(page.locator("#ready-btn")).to_have_attribute("aria-pressed", "false")
    # ...and the notes kept in this tab for the signed-out account's calls are gone.
    assert page.evaluate("Object.keys(sessionStorage).filter((k) => k.startsWith('dialer.notes.'))") == []
    context.close()
