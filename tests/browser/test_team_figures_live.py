"""A leader's Teams page keeps its members' figures with the roster's: the team card was drawn once at page
load, so a member's calls stood still there while the roster above it counted them."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import make_user
from tests.browser.harness import Running
from tests.browser.scenario import open_call_page, seed_campaign, sign_in, volunteer_context

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, {"width": 390, "height": 844}])
def test_a_members_new_call_shows_on_the_team_card_without_a_reload(
    browser: Browser, server: Running, redis_url: str, viewport: dict[str, int]
) -> None:
    campaign = seed_campaign(server, redis_url)
    leader_token = make_user(server, "lee@example.org", "Lee Leader", role="leader")
    calling = volunteer_context(browser, server, "vic@example.org", "Vic Volunteer", viewport=viewport)
    with httpx.Client(base_url=server.base_url, timeout=10) as client:
        lead = {"Authorization": f"Bearer {leader_token}"}
        team = client.post("/api/teams", json={"name": "Riverside"}, headers=lead).json()
        r = calling.request.post(f"{server.base_url}/api/teams/join", data={"join_code": team["join_code"]})
        assert r.status == 200, r.text()
    open_call_page(calling, campaign)

    leader = browser.new_context(viewport=viewport, base_url=server.base_url)
    sign_in(leader, server, "lee@example.org")
    teams = leader.new_page()
    teams.clock.install()
    teams.goto("/teams")
    member = teams.locator(".members li", has_text="Vic Volunteer")
    expect(member).to_contain_text("0 calls (today 0 calls")
    expect(teams.locator("#roster tbody tr", has_text="Vic Volunteer")).to_contain_text(
        "Waiting", timeout=10_000
    )

    batch = calling.request.post(f"{server.base_url}/api/campaigns/{campaign}/batches").json()
    body = {"contact_id": batch["contacts"][0]["id"], "result": "busy", "idempotency_key": "k-1"}
    r = calling.request.post(f"{server.base_url}/api/batches/{batch['id']}/results", data=body)
    assert r.status == 200, r.text()
    teams.clock.run_for(6_000)  # the page's next look at its team
    expect(member).to_contain_text("1 call (today 1 call", timeout=10_000)
    expect(teams.locator(".progress-line")).to_contain_text("Today 1 call")
    # The member's figures are all theirs; the team's only those made in it: the page says which is which.
    expect(teams.locator(".members-note")).to_contain_text("before they joined the team")
    calling.close()
    leader.close()
