"""A team leader sees their team calling, and answers a raised hand, on their Teams page. The API gave a
leader their team's roster and hands, but the only page that showed them, the dashboard, is the organizers':
a volunteer who asked for help was never seen by their own leader."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import make_user
from tests.browser.harness import Running
from tests.browser.scenario import open_call_page, seed_campaign, sign_in, volunteer_context

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, {"width": 390, "height": 844}])
def test_a_leader_sees_their_team_calling_and_answers_a_hand(
    browser: Browser, server: Running, redis_url: str, shots: Path, viewport: dict[str, int]
) -> None:
    campaign = seed_campaign(server, redis_url)
    leader_token = make_user(server, "lee@example.org", "Lee Leader", role="leader")
    calling = volunteer_context(browser, server, "vic@example.org", "Vic Volunteer", viewport=viewport)
    with httpx.Client(base_url=server.base_url, timeout=10) as client:
        lead = {"Authorization": f"Bearer {leader_token}"}
        team = client.post("/api/teams", json={"name": "Riverside"}, headers=lead).json()
        r = calling.request.post(f"{server.base_url}/api/teams/join", data={"join_code": team["join_code"]})
        assert r.status == 200, r.text()
    page = open_call_page(calling, campaign)
    page.locator("#hand-btn").click()
    expect(page.locator("#hand-status")).to_contain_text("Your hand is up")

    leader = browser.new_context(viewport=viewport, base_url=server.base_url)
    sign_in(leader, server, "lee@example.org")
    teams = leader.new_page()
    teams.goto("/teams")
    row = teams.locator("#roster tbody tr", has_text="Vic Volunteer")
    expect(row).to_contain_text("Waiting", timeout=10_000)
    expect(row).to_have_class("state-waiting hand")
    teams.screenshot(path=shots / f"leader-roster-{viewport['width']}.png", full_page=True)
    row.get_by_role("button", name="Answer Vic").click()
    expect(page.locator("#hand-status")).to_have_text("Lee Leader is coming to help.", timeout=5_000)
    expect(row).not_to_have_class("state-waiting hand")
    assert teams.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")  # fits the width
    calling.close()
    leader.close()


def test_a_leader_makes_one_team_and_is_then_not_offered_another(
    browser: Browser, server: Running, redis_url: str
) -> None:
    """The "New team" form stayed above a leader's own team: a second team took the leader, and the roster
    they see, away from the first."""
    seed_campaign(server, redis_url)
    make_user(server, "lee@example.org", "Lee Leader", role="leader")
    leader = browser.new_context(viewport={"width": 390, "height": 844}, base_url=server.base_url)
    sign_in(leader, server, "lee@example.org")
    page = leader.new_page()
    page.goto("/teams")
    expect(page.locator("#roster-note")).to_contain_text("once you lead a team")
    page.get_by_label("Team name").fill("Riverside")
    page.get_by_role("button", name="Create the team").click()
    expect(page.locator("#teams-status")).to_contain_text("Riverside created")
    expect(page.get_by_role("button", name="Create the team")).to_be_hidden()
    expect(page.locator("#roster-note")).to_contain_text("A hand goes up")
    page.reload()
    expect(page.locator(".team h2")).to_have_text("Riverside")
    expect(page.get_by_role("button", name="Create the team")).to_be_hidden()
    leader.close()
