"""The organizers' management pages in Chromium, at desktop and phone sizes: the do-not-call list finds a
number among 100,000 and removes it with a reason; People search, role change and disable; Teams create,
rename and move a member; campaign duplicate, archive and filter; the join QR code."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect

from dialer.queue import keys
from tests.browser.conftest import make_user
from tests.browser.harness import Running
from tests.browser.scenario import seed_campaign, sign_in
from tests.stores import open_store

pytestmark = pytest.mark.browser

SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def _context(browser: Browser, server: Running, email: str, size: str) -> BrowserContext:
    context = browser.new_context(viewport=SIZES[size], base_url=server.base_url)  # type: ignore[arg-type]
    sign_in(context, server, email)
    return context


def _fits(page: object) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))  # type: ignore[attr-defined]


def _fill_dnc(redis_url: str, n: int) -> None:
    """The list and its index as dnc.py writes them (synchronously: Playwright's loop is running here)."""
    client = open_store(redis_url)
    for start in range(0, n, 10_000):
        # (312) 200-0000 on: real exchanges (a 0 in front of one is not a phone number)
        phones = [f"+1312{2_000_000 + i:07d}" for i in range(start, min(n, start + 10_000))]
        with client.pipeline(transaction=False) as pipe:  # two slots on a cluster: no MULTI across them
            pipe.sadd(keys.DNC, *phones)
            pipe.zadd(keys.DNC_INDEX, dict.fromkeys(phones, 0))
            pipe.execute()


@pytest.mark.parametrize("size", SIZES)
def test_dnc_page_finds_a_number_among_100000_and_removes_it_with_a_reason(
    browser: Browser, server: Running, clean_redis: str, shots: Path, size: str
) -> None:
    make_user(server, "olga@example.org", "Olga Organizer", role="organizer")
    _fill_dnc(clean_redis, 100_000)
    context = _context(browser, server, "olga@example.org", size)
    page = context.new_page()
    page.goto("/dnc")
    expect(page.locator("#dnc-count")).to_have_text("100,000")
    page.get_by_label("Number, or how numbers start").fill("(312) 205-4321")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.locator("#dnc-list li")).to_have_count(1)
    expect(page.locator("#dnc-list")).to_contain_text("(312) 205-4321")
    page.screenshot(path=str(shots / f"dnc-found-{size}.png"), full_page=True)
    page.get_by_role("button", name="Remove (312) 205-4321").click()
    page.get_by_label("Reason").fill("The voter is a volunteer and asked to be called")
    page.get_by_role("button", name="Remove from the list").click()
    expect(page.locator("#dnc-status")).to_contain_text("is off the list")
    expect(page.locator("#dnc-count")).to_have_text("99,999")
    audit = page.locator("#dnc-audit tbody tr").first
    expect(audit).to_contain_text("Olga Organizer")
    expect(audit).to_contain_text("removed (312) 205-4321")
    expect(audit).to_contain_text("asked to be called")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.locator("#dnc-status")).to_contain_text("is not on the list")
    # A prefix lists numbers a page at a time.
    page.get_by_label("Number, or how numbers start").fill("312 200 00")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.locator("#dnc-list li")).to_have_count(50)
    page.get_by_role("button", name="Show more").click()
    expect(page.locator("#dnc-list li")).to_have_count(100)
    assert _fits(page)
    page.screenshot(path=str(shots / f"dnc-{size}.png"), full_page=True)
    context.close()


@pytest.mark.parametrize("size", SIZES)
def test_people_search_role_change_and_disable(
    browser: Browser, server: Running, shots: Path, size: str
) -> None:
    make_user(server, "ada@example.org", "Ada Admin", role="admin")
    vic = make_user(server, "vic@example.org", "Vic Volunteer")
    make_user(server, "vera@example.org", "Vera Caller")
    context = _context(browser, server, "ada@example.org", size)
    page = context.new_page()
    page.goto("/people")
    expect(page.locator("#people-status")).to_contain_text("3 accounts")
    page.get_by_label("Search people").fill("vic")
    page.get_by_role("button", name="Search", exact=True).click()
    rows = page.locator("#people tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("vic@example.org")
    page.get_by_label("Role of Vic Volunteer").select_option("leader")
    expect(page.locator("#people-status")).to_contain_text("Vic Volunteer is now a leader")
    page.get_by_role("button", name="Disable Vic Volunteer").click()
    expect(page.locator("#people-status")).to_contain_text("disabled")
    expect(page.get_by_role("button", name="Enable Vic Volunteer")).to_be_visible()
    assert _fits(page)
    page.screenshot(path=str(shots / f"people-{size}.png"), full_page=True)
    with httpx.Client(base_url=server.base_url, headers={"Authorization": f"Bearer {vic}"}) as old:
        assert old.get("/api/me").status_code == 401
    # The account's history says what was done to it and by whom, newest first; Close goes back.
    history = page.get_by_role("button", name="History of Vic Volunteer")
    history.click()
    expect(page.locator("#history-heading")).to_be_focused()
    entries = page.locator("#history-list li")
    expect(entries).to_have_count(2)
    expect(entries.nth(0)).to_contain_text("Ada Admin disabled the account.")
    expect(entries.nth(1)).to_contain_text("Ada Admin changed the role from volunteer to leader.")
    expect(page.locator("#history-for")).to_have_text("Vic Volunteer (vic@example.org)")
    assert _fits(page)
    page.get_by_role("button", name="Close").click()
    expect(page.locator("#history-box")).to_be_hidden()
    expect(history).to_be_focused()
    page.get_by_label("Search people").fill("example.org")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(rows).to_have_count(3)
    context.close()


def hold_the_first_list(page: Page, pattern: str) -> list[Route]:
    """Holds back the page's first request for the whole list (no search: `q=` empty) matching `pattern`;
    the list returned gets it, to be let go with `continue_()` when the test says."""
    held: list[Route] = []

    def handle(route: Route) -> None:
        if not held and "q=&" in route.request.url:
            held.append(route)
        else:
            route.continue_()

    page.route(pattern, handle)
    return held


def test_a_search_typed_before_the_first_list_arrives_is_the_list_shown(
    browser: Browser, server: Running
) -> None:
    """The page asks for everyone as it opens; a search sent before that answer comes is what stays on
    screen when the slower first answer lands (it replaced the search's rows, and the button a reset link
    was made from, taking the keyboard's place with it)."""
    make_user(server, "ada@example.org", "Ada Admin", role="admin")
    make_user(server, "vic@example.org", "Vic Volunteer")
    make_user(server, "vera@example.org", "Vera Caller")
    context = _context(browser, server, "ada@example.org", "desktop")
    page = context.new_page()
    held = hold_the_first_list(page, "**/api/users?*")
    page.goto("/people")
    page.get_by_label("Search people").fill("vic")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.locator("#people-status")).to_contain_text("shown for “vic”")
    assert len(held) == 1
    with page.expect_response(lambda response: "q=&" in response.url):
        held[0].continue_()
    page.evaluate("() => new Promise((done) => setTimeout(done, 50))")  # the page's own code ran after it
    rows = page.locator("#people tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("vic@example.org")
    expect(page.locator("#people-status")).to_contain_text("shown for “vic”")
    context.close()


def test_a_dnc_search_typed_before_the_first_list_arrives_is_the_list_shown(
    browser: Browser, server: Running, clean_redis: str
) -> None:
    """As on the People page: the whole list asked for as the page opens must not replace a search's."""
    make_user(server, "olga@example.org", "Olga Organizer", role="organizer")
    _fill_dnc(clean_redis, 200)
    context = _context(browser, server, "olga@example.org", "desktop")
    page = context.new_page()
    held = hold_the_first_list(page, "**/api/dnc?*")
    page.goto("/dnc")
    page.get_by_label("Number, or how numbers start").fill("(312) 200-0007")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.locator("#dnc-status")).to_contain_text("1 number found")
    assert len(held) == 1
    with page.expect_response(lambda response: "q=&" in response.url):
        held[0].continue_()
    page.evaluate("() => new Promise((done) => setTimeout(done, 50))")  # the page's own code ran after it
    expect(page.locator("#dnc-list li")).to_have_count(1)
    expect(page.locator("#dnc-status")).to_contain_text("1 number found")
    context.close()


@pytest.mark.parametrize("size", SIZES)
def test_teams_create_rename_and_move_a_member(
    browser: Browser, server: Running, shots: Path, size: str
) -> None:
    make_user(server, "olga@example.org", "Olga Organizer", role="organizer")
    lead = make_user(server, "lena@example.org", "Lena Leader", role="leader")
    vol = make_user(server, "val@example.org", "Val Volunteer")
    with httpx.Client(base_url=server.base_url, headers={"Authorization": f"Bearer {lead}"}) as leader:
        team = leader.post("/api/teams", json={"name": "Riverside"}).json()
    with httpx.Client(base_url=server.base_url, headers={"Authorization": f"Bearer {vol}"}) as volunteer:
        assert volunteer.post("/api/teams/join", json={"join_code": team["join_code"]}).status_code == 200
    context = _context(browser, server, "olga@example.org", size)
    page = context.new_page()
    page.goto("/teams")
    riverside = page.locator(f"#team-{team['id']}")
    expect(riverside).to_contain_text(team["join_code"])
    expect(riverside).to_contain_text("Val Volunteer")
    page.get_by_label("Team name").fill("Hilltop")
    page.get_by_role("button", name="Create the team").click()
    expect(page.locator("#teams-status")).to_contain_text("Hilltop created")
    riverside.get_by_label("Name").fill("Riverside North")
    riverside.get_by_role("button", name="Rename").click()
    expect(riverside.locator("h2")).to_have_text("Riverside North")
    riverside.get_by_label("Move Val Volunteer to").select_option(label="Hilltop")
    riverside.get_by_role("button", name="Move Val Volunteer", exact=True).click()
    expect(page.locator("#teams-status")).to_contain_text("Val Volunteer moved to Hilltop")
    expect(riverside).not_to_contain_text("Val Volunteer")
    hilltop = page.get_by_role("region", name="Hilltop")
    expect(hilltop).to_contain_text("Val Volunteer")
    assert _fits(page)
    page.screenshot(path=str(shots / f"teams-{size}.png"), full_page=True)
    context.close()
    # The leader sees only the team they lead.
    leader_context = _context(browser, server, "lena@example.org", size)
    page = leader_context.new_page()
    page.goto("/teams")
    expect(page.locator(".team")).to_have_count(1)
    expect(page.locator(".team h2")).to_have_text("Riverside North")
    page.screenshot(path=str(shots / f"teams-leader-{size}.png"), full_page=True)
    leader_context.close()


@pytest.mark.parametrize("size", SIZES)
def test_campaign_duplicate_archive_filter_and_qr(
    browser: Browser, server: Running, clean_redis: str, shots: Path, size: str
) -> None:
    make_user(server, "olga@example.org", "Olga Organizer", role="organizer")
    seed_campaign(server, clean_redis, "levy")
    context = _context(browser, server, "olga@example.org", size)
    page = context.new_page()
    page.goto("/campaigns")
    page.get_by_role("button", name="Duplicate Library levy").click()
    expect(page).to_have_url(re.compile(r"/campaigns/[0-9a-f]{12}/settings$"))
    copy_id = page.url.split("/")[-2]
    page.goto("/campaigns")
    expect(page.locator(f"#campaign-{copy_id}")).to_contain_text("Library levy (copy)")
    page.get_by_role("button", name="Archive Library levy (copy)").click()
    page.get_by_role("dialog").get_by_role("button", name="Archive").click()  # "Volunteers calling it ..."
    expect(page.locator(f"#campaign-{copy_id}")).to_have_count(0)
    page.get_by_label("Archived").select_option("1")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator(".campaign")).to_have_count(1)
    expect(page.locator(f"#campaign-{copy_id}")).to_contain_text("archived")
    page.screenshot(path=str(shots / f"campaigns-archived-{size}.png"), full_page=True)
    page.get_by_role("button", name="Restore Library levy (copy)").click()
    expect(page.locator(".campaign")).to_have_count(0)
    page.get_by_label("Archived").select_option("all")
    page.get_by_label("Name").fill("copy")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator(".campaign")).to_have_count(1)
    with httpx.Client(base_url=server.base_url) as anon:
        assert anon.get(f"/api/campaigns/{copy_id}/stats").status_code == 401
    page.goto("/campaigns/levy/dashboard")
    page.get_by_text("Invite volunteers").click()
    qr = page.locator("#join-qr svg")
    expect(qr).to_be_visible()
    assert qr.bounding_box()["width"] >= 120  # type: ignore[index]
    page.get_by_role("button", name="Copy link").click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    assert _fits(page)
    page.screenshot(path=str(shots / f"join-qr-{size}.png"), full_page=True)
    context.close()


def test_the_dnc_export_button_is_a_button_size_on_a_phone(browser: Browser, server: Running) -> None:
    """It sat inside the page's big count and took its 2.2rem type: a button twice the others' height."""
    make_user(server, "olive@example.org", "Olive Organizer", role="organizer")
    context = _context(browser, server, "olive@example.org", "phone")
    page = context.new_page()
    page.goto("/dnc")
    expect(page.locator("#dnc-count")).to_have_text("0")
    export = page.get_by_role("link", name="Export CSV").bounding_box()
    search = page.get_by_role("button", name="Search").bounding_box()
    assert export is not None and search is not None
    assert export["height"] <= search["height"] + 1, (export, search)
    assert _fits(page)
    context.close()


def test_an_organizer_makes_a_volunteer_a_team_leader(browser: Browser, server: Running) -> None:
    """A new organizer could not make the team leaders a call day needs (only an admin could, and the demo has
    none): the People page's button makes a volunteer a leader, who then creates a team, and back."""
    make_user(server, "olga@example.org", "Olga Organizer", role="organizer")
    vic_token = make_user(server, "vic@example.org", "Vic Volunteer")
    context = _context(browser, server, "olga@example.org", "phone")
    page = context.new_page()
    page.goto("/people")
    row = page.locator("#people tbody tr", has_text="Vic Volunteer")
    row.get_by_role("button", name="Make Vic Volunteer a team leader").click()
    expect(page.locator("#people-status")).to_contain_text("Vic Volunteer is now a team leader")
    expect(row).to_contain_text("team leader")
    expect(row.get_by_role("button", name="Make Vic Volunteer a volunteer again")).to_be_focused()
    assert _fits(page)
    me = httpx.get(f"{server.base_url}/api/me", headers={"Authorization": f"Bearer {vic_token}"}).json()
    assert me["user"]["role"] == "leader"
    # Their own row has no such button; an organizer's role stays an admin's.
    expect(
        page.locator("#people tbody tr", has_text="Olga Organizer").get_by_role(
            "button", name=re.compile("Make")
        )
    ).to_have_count(0)
    row.get_by_role("button", name="Make Vic Volunteer a volunteer again").click()
    expect(page.locator("#people-status")).to_contain_text("Vic Volunteer is a volunteer again")
    expect(row.get_by_role("button", name="Make Vic Volunteer a team leader")).to_be_visible()
    me = httpx.get(f"{server.base_url}/api/me", headers={"Authorization": f"Bearer {vic_token}"}).json()
    assert me["user"]["role"] == "volunteer"
    context.close()


def test_the_teams_page_says_who_leads_each_team_and_how_to_make_a_leader(
    browser: Browser, server: Running
) -> None:
    """The Teams page never said who led a team, nor how a team gets a leader other than the organizer who
    created it."""
    make_user(server, "olga@example.org", "Olga Organizer", role="organizer")
    lee_token = make_user(server, "lee@example.org", "Lee Leader", role="leader")
    r = httpx.post(
        f"{server.base_url}/api/teams",
        json={"name": "Eastside"},
        headers={"Authorization": f"Bearer {lee_token}"},
    )
    assert r.status_code == 201, r.text
    context = _context(browser, server, "olga@example.org", "phone")
    page = context.new_page()
    page.goto("/teams")
    page.locator("#new-team-name").fill("Westside")
    page.get_by_role("button", name="Create the team").click()
    expect(page.get_by_role("region", name="Eastside").locator(".team-leader")).to_have_text(
        "Led by Lee Leader"
    )
    expect(page.get_by_role("region", name="Westside").locator(".team-leader")).to_have_text(
        "Led by Olga Organizer"
    )
    hint = page.locator("#leader-hint")
    expect(hint).to_contain_text("make a volunteer a team leader on the People page")
    hint.get_by_role("link", name="People").click()
    expect(page.locator("h1")).to_have_text("People")
    assert _fits(page)
    context.close()


def test_an_organizer_is_told_who_changes_roles(browser: Browser, server: Running) -> None:
    """Roles are an admin's to change: an organizer's People page showed them as plain words, with nothing to
    say why or how to make a team leader."""
    make_user(server, "olga@example.org", "Olga Organizer", role="organizer")
    make_user(server, "vic@example.org", "Vic Volunteer")
    context = _context(browser, server, "olga@example.org", "phone")
    page = context.new_page()
    page.goto("/people")
    row = page.locator("#people tbody tr", has_text="Vic Volunteer")
    expect(row).to_contain_text("volunteer")
    expect(row.get_by_label("Role of Vic Volunteer")).to_have_count(0)
    expect(page.locator("#roles-note")).to_contain_text("changed by an admin")
    context.close()
    make_user(server, "ada@example.org", "Ada Admin", role="admin")
    context = _context(browser, server, "ada@example.org", "phone")
    page = context.new_page()
    page.goto("/people")
    expect(page.get_by_label("Role of Vic Volunteer")).to_be_visible()
    expect(page.locator("#roles-note")).to_have_count(0)  # an admin changes them right there
    context.close()


def test_people_and_dnc_pages_show_the_apis_iso_times_as_dates(
    browser: Browser, server: Running, clean_redis: str
) -> None:
    """The API answers times in ISO 8601 (API.md); a page that still read epoch seconds (`seconds * 1000`)
    showed "Invalid Date" in People's "Last seen" and the do-not-call audit's time. Times set in the store
    (2027-01-15 08:00 UTC), the browser in UTC: nothing here depends on the wall clock."""
    make_user(server, "olga@example.org", "Olga Organizer", role="organizer")
    vic = make_user(server, "vic@example.org", "Vic Volunteer")
    with httpx.Client(base_url=server.base_url, headers={"Authorization": f"Bearer {vic}"}) as as_vic:
        vic_id = as_vic.get("/api/me").json()["user"]["id"]
    store = open_store(clean_redis)
    store.zadd(keys.USERS_SEEN, {vic_id: 1_800_000_000.0})  # as people.py writes it: epoch seconds
    store.xadd(
        keys.DNC_AUDIT,
        {"action": "remove", "phone": "+13122054321", "by": "someone", "by_name": "Olga Organizer"}
        | {"reason": "asked to be called", "at": repr(1_800_000_000.0)},  # as api_dnc.audit_change writes it
    )
    context = browser.new_context(base_url=server.base_url, locale="en-US", timezone_id="UTC")
    sign_in(context, server, "olga@example.org")
    page = context.new_page()
    page.goto("/people")
    page.get_by_label("Search people").fill("vic")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.locator("#people tbody tr")).to_have_count(1)
    expect(page.locator('#people tbody tr td[data-label="Last seen"]')).to_have_text("1/15/2027, 8:00:00 AM")
    page.goto("/dnc")
    audit = page.locator("#dnc-audit tbody tr").first
    expect(audit).to_contain_text("removed (312) 205-4321")
    expect(audit.locator("td").first).to_have_text("1/15/2027, 8:00:00 AM")
    context.close()


def test_an_organizer_hands_a_team_they_made_to_a_leader(browser: Browser, server: Running) -> None:
    """An organizer who made a team led it with no way to hand it over: the member list has "Make leader"."""
    make_user(server, "olga@example.org", "Olga Organizer", role="organizer")
    lee_token = make_user(server, "lee@example.org", "Lee Leader", role="leader")
    lee_id = httpx.get(f"{server.base_url}/api/me", headers={"Authorization": f"Bearer {lee_token}"}).json()
    context = _context(browser, server, "olga@example.org", "phone")
    page = context.new_page()
    page.goto("/teams")
    page.locator("#new-team-name").fill("Westside")
    page.get_by_role("button", name="Create the team").click()
    westside = page.get_by_role("region", name="Westside")
    expect(westside.locator(".team-leader")).to_have_text("Led by Olga Organizer")
    team_id = (westside.get_attribute("id") or "").removeprefix("team-")
    with server.client() as admin:
        moved = admin.put(f"/api/teams/{team_id}/members/{lee_id['user']['id']}")
        assert moved.status_code == 200, moved.text
    page.reload()
    westside.get_by_role("button", name="Make Lee Leader the leader of Westside").click()
    expect(page.locator("#teams-status")).to_contain_text("Lee Leader now leads Westside.")
    expect(westside.locator(".team-leader")).to_have_text("Led by Lee Leader")
    expect(westside.get_by_role("button", name="Make Olga Organizer the leader of Westside")).to_be_visible()
    assert _fits(page)
    context.close()
