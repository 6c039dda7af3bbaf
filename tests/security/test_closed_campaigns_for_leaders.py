"""Finding (attacker's probe): a closed or archived campaign is the organizers' only (docs/API-additions.md:
volunteers and leaders get 404 from every route that takes its id), but a team leader still read its roster,
its survey (JSON and CSV), its coach sessions and their team's progress in it, answered raised hands in it,
and saw it listed on the Teams page. Each is now 404 (the page leaves it out), as the call page already was;
organizers see it as before, and leaders still see their campaigns that are open."""

from __future__ import annotations

import asyncio

import pytest
from starlette.testclient import TestClient

from dialer.campaigns import Campaign, CampaignStatus
from dialer.connections import async_client
from dialer.stores.campaigns import CampaignStore
from tests.integration.organizer_support import NOW, account, fixed_api

__all__ = ["fixed_api"]


def _campaigns(url: str) -> None:
    async def make() -> None:
        redis = async_client(url)
        store = CampaignStore(redis)
        common = {"script_id": "s", "caller_id": "+12025550199", "created_at": NOW}
        await store.create(Campaign(id="open-drive", name="Open Drive", **common))  # type: ignore[arg-type]
        await store.create(
            Campaign(id="shut-drive", name="Shut Drive", status=CampaignStatus.CLOSED, **common)  # type: ignore[arg-type]
        )
        await store.create(Campaign(id="old-drive", name="Old Drive", archived=True, **common))  # type: ignore[arg-type]
        await redis.aclose()

    asyncio.run(make())


def _routes(campaign: str, team: str, volunteer: str) -> list[tuple[str, str, dict[str, object] | None]]:
    base = f"/api/campaigns/{campaign}"
    return [
        ("GET", f"{base}/roster", None),
        ("GET", f"{base}/survey", None),
        ("GET", f"{base}/survey.csv", None),
        ("GET", f"{base}/roster/{volunteer}/coach", None),
        ("POST", f"{base}/roster/{volunteer}/hand", {"raised": False}),
        ("GET", f"/api/teams/{team}?campaign_id={campaign}", None),
    ]


@pytest.mark.parametrize("hidden", ["shut-drive", "old-drive"])
def test_a_leader_gets_404_for_a_closed_or_archived_campaign(
    fixed_api: TestClient, clean_redis: str, hidden: str
) -> None:
    _campaigns(clean_redis)
    _, lead = account(fixed_api, "lena@example.org", "Lena Leader", "leader")
    _, org = account(fixed_api, "otto@example.org", "Otto Organizer", "organizer")
    vid, vol = account(fixed_api, "val@example.org", "Val Volunteer")
    team = fixed_api.post("/api/teams", json={"name": "East"}, headers=lead).json()
    joined = fixed_api.post("/api/teams/join", json={"join_code": team["join_code"]}, headers=vol)
    assert joined.status_code == 200

    for method, path, body in _routes(hidden, team["id"], vid):
        r = fixed_api.request(method, path, json=body, headers=lead)
        assert r.status_code == 404, (method, path, r.status_code, r.text)
        assert r.json()["error"]["code"] == "not_found"
    page = fixed_api.get("/teams", headers=lead)
    assert page.status_code == 200 and "Open Drive" in page.text
    assert "Shut Drive" not in page.text and "Old Drive" not in page.text

    # What stays: the leader's open campaign, and the organizers' view of the hidden one.
    assert fixed_api.get("/api/campaigns/open-drive/roster", headers=lead).status_code == 200
    assert fixed_api.get(f"/api/teams/{team['id']}?campaign_id=open-drive", headers=lead).status_code == 200
    assert fixed_api.get(f"/api/campaigns/{hidden}/roster", headers=org).status_code == 200
    assert fixed_api.get(f"/api/teams/{team['id']}?campaign_id={hidden}", headers=org).status_code == 200
