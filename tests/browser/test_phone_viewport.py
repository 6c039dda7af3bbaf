"""At a phone-sized viewport (375x667) the pages do not scroll sideways and every control is reachable."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import make_user
from tests.browser.harness import Running, running_server
from tests.browser.scenario import open_call_page, seed_campaign, sign_in, volunteer_context
from tests.e2e.calling import STAYS_ON_THE_LINE

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 667}


@pytest.fixture
def server(tmp_path: Path, clean_redis: str) -> Iterator[Running]:
    with running_server(tmp_path, clean_redis, env={"DIALER_SIM_PROFILE": STAYS_ON_THE_LINE}) as running:
        yield running


# Marks every visible, enabled control with data-probe=<n> and returns how many there are.
MARK_CONTROLS = """() => {
  const sel = 'a[href], button, input, select, textarea, summary';
  let n = 0;
  for (const el of document.querySelectorAll(sel)) {
    el.removeAttribute('data-probe');
    const visible = el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
    const folded = el.closest('details:not([open]) > :not(summary)');
    if (!visible || el.disabled || el.closest('[hidden]') || folded) continue;
    el.setAttribute('data-probe', String(n++));
  }
  return n;
}"""


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    wide = page.evaluate(
        """() => [...document.querySelectorAll('main *')].filter((e) => e.getBoundingClientRect().right >
             window.innerWidth + 1).slice(0, 5).map((e) => e.tagName + '#' + e.id + '.' + e.className)"""
    )
    assert width[0] <= width[1], f"the page is {width[0]}px wide in a {width[1]}px viewport: {wide}"


def readable(page: Page) -> None:
    """No visible text on the page is set smaller than 14 px (the chart's axis labels aside): the call page's
    list labels and connection line, the dashboard's tile labels and chips were 12-13.6 px on a phone."""
    small = page.evaluate(
        """() => [...document.querySelectorAll('body *')].filter((e) => {
             if (e.closest('svg') || e.getClientRects().length === 0) return false;
             const own = [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
             return own && parseFloat(getComputedStyle(e).fontSize) < 14;
           }).slice(0, 5).map((e) => e.tagName + '.' + e.className + ' ' +
             getComputedStyle(e).fontSize + ' ' + e.textContent.trim().slice(0, 30))"""
    )
    assert not small, f"text under 14 px: {small}"


def tab_reaches_every_control(page: Page) -> None:
    total = page.evaluate(MARK_CONTROLS)
    assert total > 0
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    page.locator("body").focus()
    reached: set[str] = set()
    for _ in range(total * 2 + 10):
        page.keyboard.press("Tab")
        probe = page.evaluate(
            """() => {
              const el = document.activeElement;
              if (!el || !el.dataset.probe) return null;
              const box = el.getBoundingClientRect();
              return {probe: el.dataset.probe, left: box.left, right: box.right, id: el.id};
            }"""
        )
        if probe is None:
            continue
        assert probe["left"] >= 0 and probe["right"] <= PHONE["width"] + 0.5, probe
        reached.add(probe["probe"])
        if len(reached) == total:
            break
    missing = page.evaluate(
        "(reached) => [...document.querySelectorAll('[data-probe]')]"
        ".filter(e => !reached.includes(e.dataset.probe)).map(e => e.outerHTML.slice(0, 120))",
        sorted(reached),
    )
    assert not missing, f"not reachable with Tab: {missing}"


def test_volunteer_page_on_a_phone(browser: Browser, server: Running, redis_url: str, shots: Path) -> None:
    campaign = seed_campaign(server, redis_url)
    context = volunteer_context(
        browser, server, "pat@example.org", "Pat Phone", viewport=PHONE, has_touch=True
    )
    page = open_call_page(context, campaign)
    no_sideways_scroll(page)
    readable(page)
    page.screenshot(path=shots / "call-phone.png", full_page=True)
    tab_reaches_every_control(page)

    page.locator("#call-btn").click()
    expect(page.locator("#step-text")).to_contain_text("is this", timeout=10_000)
    no_sideways_scroll(page)
    tab_reaches_every_control(page)
    page.locator("#manual summary").click()  # the manual results open up: still reachable, still narrow
    no_sideways_scroll(page)
    readable(page)
    tab_reaches_every_control(page)
    page.screenshot(path=shots / "call-phone-script.png", full_page=True)
    # The answer buttons are big enough for a thumb.
    box = page.locator("#choices button").first.bounding_box()
    assert box is not None and box["height"] >= 44
    context.close()


def test_other_pages_fit_a_phone(browser: Browser, server: Running, redis_url: str, shots: Path) -> None:
    campaign = seed_campaign(server, redis_url)
    make_user(server, "olga@example.org", "Olga Organizer", role="organizer")
    context = browser.new_context(viewport=PHONE, base_url=server.base_url)
    page = context.new_page()
    page.goto("/signin")
    no_sideways_scroll(page)
    page.screenshot(path=shots / "signin-phone.png", full_page=True)
    sign_in(context, server, "olga@example.org")
    for name, path in [
        ("campaigns", "/campaigns"),
        ("dashboard", f"/campaigns/{campaign}/dashboard"),
        ("settings", f"/campaigns/{campaign}/settings"),
        ("scripts", "/scripts"),
        ("profile", "/profile"),
    ]:
        page.goto(path)
        page.wait_for_load_state("networkidle")
        no_sideways_scroll(page)
        readable(page)
        page.screenshot(path=shots / f"{name}-phone.png", full_page=True)
    context.close()
