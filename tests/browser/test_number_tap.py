"""The voter's number on the card, a tel: link, calls the way the page calls. Calling from one's own phone,
the page says "Tap the number to call from this phone: the script opens when you press it", but a tap on
the number by the voter's name dialed without opening the script: the call went untracked and the page
stayed on "Not calling". Calling through the browser, the same tap dialed from the volunteer's own phone,
showing the voter their private number, outside the campaign's line (found by the volunteer walk)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.harness import Running
from tests.browser.scenario import open_call_page, seed_campaign, volunteer_context
from tests.browser.test_own_phone import NO_DIALER, open_own_phone_page, own_phone_campaign, server

pytestmark = pytest.mark.browser
__all__ = ["server"]  # the own-phone tests' server: no voter answers by itself

PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}

# A click on the number as the browser's default action would take it: prevented or not.
CLICK_PREVENTED = """() => {
  const click = new MouseEvent('click', { bubbles: true, cancelable: true });
  document.querySelector('#contact-phone').dispatchEvent(click);
  return click.defaultPrevented;
}"""


def test_tapping_the_number_on_ones_own_phone_opens_the_script(
    browser: Browser, server: Running, redis_url: str
) -> None:
    campaign = own_phone_campaign(server, redis_url, calling_method=["own_phone"])
    context = volunteer_context(browser, server, "tess@example.org", "Tess Tap", **PHONE)
    page = context.new_page()
    open_own_phone_page(page, campaign)
    number = page.locator("#contact-phone").bounding_box()
    assert number and number["height"] >= 44, number  # a fingertip's target, as the page asks to tap it
    page.locator("#contact-phone").tap()
    expect(page.locator("#step-text")).to_contain_text("is this", timeout=10_000)
    expect(page.locator("#call-status")).to_have_text("On your phone: read the script")
    expect(page.locator("#choices button").first).to_be_enabled()
    context.close()


def test_the_number_does_not_dial_around_the_browser_line(
    browser: Browser, server: Running, redis_url: str
) -> None:
    campaign = seed_campaign(server, redis_url)
    context = volunteer_context(browser, server, "bea@example.org", "Bea Browser", **PHONE)
    page = open_call_page(context, campaign)
    page.add_init_script(NO_DIALER)
    assert page.evaluate(CLICK_PREVENTED) is True
    expect(page.locator("#call-status")).to_have_text("Not calling")  # and no call was placed
    context.close()
