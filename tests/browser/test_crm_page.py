"""The CRM page in headless Chromium: an organizer links VAN (the stand-in), checks the key, loads VAN's
codes, maps results and answers with the unmapped list shrinking as they go, saves, and finds the mapping
again after a reload; the key is on no page."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import make_user
from tests.browser.harness import Running, running_server
from tests.browser.scenario import seed_campaign, sign_in
from tests.integration.crm_support import CRM_KEY
from tests.servers import free_port
from tests.van_standin import VanStandin, serve

pytestmark = pytest.mark.browser


@pytest.fixture
def van() -> Iterator[tuple[VanStandin, int]]:
    standin, port = VanStandin(), free_port()
    server, thread = serve(standin, port)
    try:
        yield standin, port
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def crm_server(tmp_path: Path, clean_redis: str, van: tuple[VanStandin, int]) -> Iterator[Running]:
    env = {"DIALER_CRM_KEY": CRM_KEY, "VAN_API_BASE_URL": f"http://127.0.0.1:{van[1]}/v4"}
    with running_server(tmp_path, clean_redis, env=env) as running:
        yield running


def test_an_organizer_links_van_and_maps_the_script(
    browser: Browser, crm_server: Running, redis_url: str, van: tuple[VanStandin, int], shots: Path
) -> None:
    standin = van[0]
    campaign = seed_campaign(crm_server, redis_url)
    make_user(crm_server, "olive@example.org", "Olive Organizer", role="organizer")
    context = browser.new_context(base_url=crm_server.base_url, viewport={"width": 1280, "height": 900})
    sign_in(context, crm_server, "olive@example.org")
    page = context.new_page()
    page.goto(f"/campaigns/{campaign}/dashboard")
    page.get_by_role("link", name="CRM").click()
    expect(page.locator("h1")).to_have_text("Results into your CRM")
    expect(page.locator("#conn-now")).to_have_text("Not linked to a CRM.")

    page.locator("#app_name").fill(standin.app_name)
    page.locator("#mode").select_option("my_campaign")
    page.locator("#api_key").fill(standin.api_key)
    page.locator("#conn-save").click()
    expect(page.locator("#conn-status")).to_contain_text("will not be shown again")
    expect(page.locator("#conn-now")).to_contain_text("key …4567")
    expect(page.locator("#api_key")).to_have_value("")
    page.locator("#conn-check").click()
    expect(page.locator("#conn-status")).to_have_text("Working: VAN accepted the application name and key")

    expect(page.locator("#unmapped-count")).to_have_text("17")  # 13 results, intro's 2 choices, support's 2
    page.locator("#catalog-btn").click()
    expect(page.locator("#catalog-status")).to_contain_text("Loaded 3 survey questions, 10 result codes")
    page.get_by_label("CRM target for not_home").select_option(label="Not Home")
    page.get_by_label("CRM target for contacted").select_option(label="A conversation: send the answers")
    page.get_by_label("CRM target for support = yes").select_option(label="Support: Yes")
    page.get_by_label("CRM target for support = no").select_option(label="Needs a ride")
    page.get_by_label("CRM target for call_back").select_option(label="Send nothing")
    expect(page.locator("#unmapped-count")).to_have_text("12")
    expect(page.locator("#unmapped")).to_contain_text("result “busy”")
    expect(page.locator("#unmapped")).not_to_contain_text("support = “yes”")
    page.locator("#map-save").click()
    expect(page.locator("#map-status")).to_have_text("Saved for version 1; 12 left unmapped.")
    expect(page.locator("#ledger-counts")).to_contain_text("0 results")
    page.screenshot(path=shots / "crm-mapping.png", full_page=True)

    page.reload()
    expect(page.get_by_label("CRM target for support = yes")).to_have_value(
        '{"type":"survey_response","question":"101","response":"1001"}'
    )
    expect(page.locator("#unmapped-count")).to_have_text("12")
    assert standin.api_key not in page.content()
    assert standin.violations == []
    context.close()


def test_failed_results_show_when_they_were_recorded_as_a_local_date(
    browser: Browser, crm_server: Running, redis_url: str
) -> None:
    """The ledger answers `recorded_at` in ISO 8601 UTC (API.md), with the fraction of a second the server's
    clock had; the page shows it as a date and time in the organizer's own zone, not as that raw text. The
    failed list is the API's answer as the test gives it (a real failure needs VAN to refuse a sent result,
    which the integration tests do); the browser runs in UTC, so no wall clock is involved."""
    campaign = seed_campaign(crm_server, redis_url)
    make_user(crm_server, "olive@example.org", "Olive Organizer", role="organizer")
    context = browser.new_context(base_url=crm_server.base_url, locale="en-US", timezone_id="UTC")
    sign_in(context, crm_server, "olive@example.org")
    page = context.new_page()
    entry = {
        "entry_id": "1800000000250-0", "contact_id": "c1", "external_id": "100123", "result": "not_home",
        "recorded_at": "2027-01-15T08:00:00.250000+00:00", "status": "failed", "message": "VAN said no",
        "tries": 3, "in_doubt": False, "corrects": None, "retry_at": None,
    }  # fmt: skip
    failed = {"counts": {}, "results": 1, "waiting": 0, "entries": [entry]}
    page.route(
        f"**/api/campaigns/{campaign}/crm/ledger?status=failed",
        lambda route: route.fulfill(status=200, content_type="application/json", body=json.dumps(failed)),
    )
    page.goto(f"/campaigns/{campaign}/crm")
    row = page.locator("#ledger tbody tr").first
    expect(row).to_contain_text("VAN said no")
    expect(row.locator("td").nth(2)).to_have_text("1/15/2027, 8:00:00 AM")
    context.close()
