"""An organizer watching a long predictive campaign sees the abandonment of the current 30-day period, the
figure the 3% cap is kept over (16 CFR 310.4(b)(4)(i)), next to the whole campaign's rate."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Browser, expect

from dialer.queue import keys
from tests.browser.conftest import make_user
from tests.browser.harness import Running
from tests.browser.scenario import seed_campaign, sign_in
from tests.stores import open_store

pytestmark = pytest.mark.browser


def test_the_dashboard_shows_this_period_s_abandonment_beside_the_campaign_s(
    browser: Browser, server: Running, redis_url: str
) -> None:
    campaign = seed_campaign(server, redis_url, campaign_id="long")
    make_user(server, "olga@example.org", "Olga Organizer", role="organizer")
    with server.client() as admin:
        r = admin.patch(f"/api/campaigns/{campaign}", json={"mode": "predictive", "status": "paused"})
        assert r.status_code == 200, r.text
    # A campaign in its second period (first dial 31 days ago, the middle of the period whatever the hour):
    # 10,000 answers and 200 drops in the first, 100 and 3 in this one.
    store = open_store(redis_url, decode_responses=True)
    store.hset(
        keys.dial_counters(campaign),
        mapping={
            "dials": 60_000,
            "live_answers": 10_100,
            "abandoned": 203,
            "period_start": repr(time.time() - 31 * 86400),
            "p0:live_answers": 10_000,
            "p0:abandoned": 200,
            "p1:live_answers": 100,
            "p1:abandoned": 3,
        },
    )

    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=server.base_url)
    sign_in(context, server, "olga@example.org")
    page = context.new_page()
    page.goto(f"/campaigns/{campaign}/dashboard")
    expect(page.locator("#live")).to_have_text("live", timeout=10_000)
    expect(page.locator("#abandon_rate")).to_have_text("2%")  # the whole campaign: 203 of 10,100
    expect(page.locator("#abandon_period")).to_have_text("3%")  # this period: 3 of 100, at the cap
    expect(page.locator("#abandon_period").locator("..")).to_contain_text("this 30-day period")
    context.close()
