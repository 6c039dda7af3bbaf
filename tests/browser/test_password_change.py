"""A volunteer changes their password on the profile page by keyboard, at a phone's width and a laptop's: a
wrong current password and a too-short new one are said at their fields; afterwards their other session is
signed out and this one stays."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import make_user
from tests.browser.harness import Running
from tests.browser.scenario import sign_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [390, 1280])
def test_change_password_by_keyboard(browser: Browser, server: Running, shots: Path, width: int) -> None:
    other_session = make_user(server, "vic@example.org", "Vic Volunteer")
    context = browser.new_context(viewport={"width": width, "height": 800}, base_url=server.base_url)
    sign_in(context, server, "vic@example.org")
    page = context.new_page()
    page.goto("/profile")
    current, new = page.get_by_label("Current password"), page.get_by_label("New password")
    current.fill("not my password")
    new.fill("violet kettle harbour")
    new.press("Enter")
    expect(current).to_have_attribute("aria-invalid", "true")
    expect(current).to_be_focused()
    expect(page.locator("#current_password-error")).to_have_text(
        "Current password is not the password of this account."
    )
    expect(current).to_have_accessible_description("Current password is not the password of this account.")
    current.fill("a long password")
    new.fill("short")
    new.press("Enter")
    expect(new).to_be_focused()
    expect(new).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#new_password-error")).to_contain_text("New password must be at least 8 characters")
    expect(current).not_to_have_attribute("aria-invalid", "true")
    page.screenshot(path=str(shots / f"password-change-error-{width}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    new.fill("violet kettle harbour")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Change password")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#password-status")).to_have_text(
        "Your password is changed. One other session was signed out."
    )
    page.screenshot(path=str(shots / f"password-change-done-{width}.png"), full_page=True)
    page.reload()
    expect(page.get_by_role("heading", name="Vic Volunteer")).to_be_visible()  # still signed in here
    with httpx.Client(base_url=server.base_url) as anon:
        assert anon.get("/api/me", headers={"Authorization": f"Bearer {other_session}"}).status_code == 401
        r = anon.post(
            "/api/auth/login", json={"email": "vic@example.org", "password": "violet kettle harbour"}
        )
        assert r.status_code == 200
    context.close()
