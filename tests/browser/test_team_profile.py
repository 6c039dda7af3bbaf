"""A volunteer joins a team from the profile page with the code the leader shared, and can leave it."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import make_user
from tests.browser.harness import Running
from tests.browser.scenario import HeldPosts, sign_in

pytestmark = pytest.mark.browser


def test_volunteer_joins_and_leaves_a_team_by_keyboard(
    browser: Browser, server: Running, shots: Path
) -> None:
    leader = make_user(server, "lena@example.org", "Lena Leader", role="leader")
    with httpx.Client(base_url=server.base_url, headers={"Authorization": f"Bearer {leader}"}) as lead:
        team = lead.post("/api/teams", json={"name": "Riverside Callers"}).json()
    make_user(server, "vic@example.org", "Vic Volunteer")

    context = browser.new_context(viewport={"width": 375, "height": 667}, base_url=server.base_url)
    sign_in(context, server, "vic@example.org")
    page = context.new_page()
    page.goto("/profile")
    page.get_by_label("Join code").fill("WRONG234")
    page.keyboard.press("Enter")
    expect(page.locator("#team-error")).to_contain_text("No team has that join code")
    page.get_by_label("Join code").fill(team["join_code"].lower())
    page.keyboard.press("Enter")
    expect(page.locator("#team-name")).to_have_text("Riverside Callers")
    page.screenshot(path=str(shots / "profile-team.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_role("button", name="Leave the team").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Join code")).to_be_visible()
    context.close()


def test_a_leader_is_told_how_volunteers_use_the_join_code(browser: Browser, server: Running) -> None:
    """The Teams page showed the new team's join code and nothing about where volunteers type it (found by
    a new-user walk): it says so, and a volunteer following it joins the team."""
    make_user(server, "lee@example.org", "Lee Leader", role="leader")
    make_user(server, "val@example.org", "Val Volunteer")
    leading = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=server.base_url)
    sign_in(leading, server, "lee@example.org")
    teams = leading.new_page()
    teams.goto("/campaigns")
    teams.get_by_role("link", name="Teams").click()
    teams.get_by_label("Team name").fill("Walkers")
    teams.get_by_role("button", name="Create the team").click()
    card = teams.locator("section.team", has_text="Walkers")
    code = card.locator(".join-code").inner_text()
    expect(card).to_contain_text("Volunteers join by typing it on their profile page")

    calling = browser.new_context(viewport={"width": 390, "height": 844}, base_url=server.base_url)
    sign_in(calling, server, "val@example.org")
    page = calling.new_page()
    page.goto("/campaigns")
    page.get_by_role("link", name="Val Volunteer").click()  # their profile page, as the card says
    page.get_by_label("Join code").fill(code)
    page.get_by_role("button", name="Join the team").click()
    expect(page.locator("#team-name")).to_have_text("Walkers")
    teams.reload()
    expect(teams.locator("section.team", has_text="Walkers")).to_contain_text("Val Volunteer")
    leading.close()
    calling.close()


def test_the_profile_shows_the_join_code_to_the_teams_leader_only_while_they_lead(
    browser: Browser, server: Running
) -> None:
    """A leader made a volunteer again still saw their old team's join code on the profile; and a leader
    was offered "Leave the team", which left the team they lead without them (now refused until an
    organizer hands it over, so the page says so instead)."""
    lead = make_user(server, "lena@example.org", "Lena Leader", role="leader")
    with httpx.Client(base_url=server.base_url, headers={"Authorization": f"Bearer {lead}"}) as client:
        team = client.post("/api/teams", json={"name": "Riverside"}).json()
        lena_id = client.get("/api/me").json()["user"]["id"]
    context = browser.new_context(viewport={"width": 390, "height": 844}, base_url=server.base_url)
    sign_in(context, server, "lena@example.org")
    page = context.new_page()
    page.goto("/profile")
    expect(page.locator("#team-name")).to_have_text("Riverside")
    expect(page.get_by_text(team["join_code"])).to_be_visible()
    expect(page.locator("#team-held")).to_contain_text("an organizer gives it another leader")
    expect(page.get_by_role("button", name="Leave the team")).to_have_count(0)
    with server.client() as admin:
        assert admin.put(f"/api/users/{lena_id}/role", json={"role": "volunteer"}).status_code == 200
    page.reload()
    expect(page.locator("#team-name")).to_have_text("Riverside")
    expect(page.get_by_text(team["join_code"])).to_have_count(0)
    expect(page.get_by_role("button", name="Leave the team")).to_be_visible()
    context.close()


def test_a_double_click_on_create_the_team_makes_one_team(browser: Browser, server: Running) -> None:
    """A double click on "Create the team" made two teams of the same name, each with its own join code."""
    make_user(server, "olga@example.org", "Olga Organizer", role="organizer")
    context = browser.new_context(base_url=server.base_url)
    sign_in(context, server, "olga@example.org")
    page = context.new_page()
    page.goto("/teams")
    page.locator("#new-team-name").fill("Eastside Callers")
    posts = HeldPosts(page, "**/api/teams")
    page.get_by_role("button", name="Create the team").dblclick()
    assert posts.release() == 1
    expect(page.get_by_text("Eastside Callers created.")).to_be_visible()
    with server.client() as admin:
        assert [t["name"] for t in admin.get("/api/teams").json()] == ["Eastside Callers"]
    context.close()
