"""The call page's "Keys: 1-9 pick an answer" (and the number beside each answer) showed on touch phones that
say they can hover (some Android phones report `hover: hover` with a coarse, finger pointer): a volunteer with
no keyboard was told to press keys. The hints show only where a keyboard is likely, a fine pointer that
hovers: kept on a desktop, gone on phones, whatever they say about hovering."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect

from tests.browser.harness import Running
from tests.browser.scenario import open_call_page, seed_campaign, volunteer_context
from tests.conftest import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}
# Blink's own settings: primary hover "hover" (2) with a primary "coarse" pointer (2), as such phones report.
HOVERING_PHONE_ARGS = ["--blink-settings=primaryHoverType=2,primaryPointerType=2"]


@pytest.fixture
def hovering_phone_browser(playwright: Playwright) -> Iterator[Browser]:
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + HOVERING_PHONE_ARGS)
    yield chromium
    chromium.close()


def _connected(page: Page) -> None:
    page.locator("#call-btn").click()
    expect(page.locator("#call-status")).to_contain_text("Connected", timeout=10_000)
    expect(page.locator("#choices button").first).to_be_enabled()


def test_a_phone_that_says_it_hovers_gets_no_key_hints(
    hovering_phone_browser: Browser, server: Running, redis_url: str
) -> None:
    campaign = seed_campaign(server, redis_url)
    context = volunteer_context(
        hovering_phone_browser, server, "pia@example.org", "Pia Phone", viewport=PHONE, is_mobile=True
    )
    context.clock.install()
    page = open_call_page(context, campaign)
    assert page.evaluate("matchMedia('(hover: hover) and (pointer: coarse)').matches")  # the phone as set up
    _connected(page)
    expect(page.locator(".keys")).to_be_hidden()
    expect(page.locator(".choice kbd").first).to_be_hidden()
    page.locator("#choices button").first.click()  # answers are tapped, and still work
    expect(page.locator("#step-text")).to_contain_text("library levy")
    context.close()


@pytest.mark.parametrize(
    ("options", "hints"),
    [({"viewport": PHONE, "has_touch": True, "is_mobile": True}, False), ({"viewport": DESKTOP}, True)],
    ids=["touch-phone", "desktop"],
)
def test_key_hints_show_on_a_desktop_and_not_on_a_touch_phone(
    browser: Browser, server: Running, redis_url: str, options: dict[str, object], hints: bool
) -> None:
    campaign = seed_campaign(server, redis_url)
    context = volunteer_context(browser, server, "kit@example.org", "Kit Keys", **options)
    context.clock.install()
    page = open_call_page(context, campaign)
    _connected(page)
    for hint in (page.locator(".keys"), page.locator(".choice kbd").first):
        if hints:
            expect(hint).to_be_visible()
        else:
            expect(hint).to_be_hidden()
    if hints:
        page.keyboard.press("1")  # and the keys do what the hint says
        expect(page.locator("#step-text")).to_contain_text("library levy")
    context.close()
