"""Campaign copies (settings and script, never contacts), archiving, list filters; teams renamed, given a
goal, members moved, and a leader sees their own team's numbers only."""

from __future__ import annotations

import asyncio

from starlette.testclient import TestClient

from dialer.connections import async_client
from dialer.contacts import Contact
from dialer.queue import keys
from dialer.queue.lease import LeaseQueue
from dialer.times import iso
from tests.integration.organizer_support import NOW, account, fixed_api, staff
from tests.stores import open_store

__all__ = ["fixed_api"]

CAMPAIGN = {
    "id": "spring",
    "name": "Spring canvass",
    "script_id": "s",
    "caller_id": "+13125550199",
    "mode": "power",
    "batch_size": 7,
    "goal": 500,
    "calling_hours": {"start": "10:00", "end": "20:00"},
}


def _contacts(url: str) -> None:
    async def add() -> None:
        client = async_client(url)
        contacts = [Contact(phone=f"+1312555{120 + i:04d}", timezone="America/Chicago") for i in range(5)]
        await LeaseQueue(client).add_contacts("spring", contacts, NOW)
        await client.aclose()

    asyncio.run(add())


def test_duplicate_copies_settings_and_script_but_no_contacts(
    fixed_api: TestClient, clean_redis: str
) -> None:
    roles = staff(fixed_api)
    org = roles["organizer"][1]
    open_store(clean_redis).set(keys.script_latest("s"), 1)
    assert fixed_api.post("/api/campaigns", json=CAMPAIGN, headers=org).status_code == 201
    _contacts(clean_redis)
    assert fixed_api.get("/api/campaigns/spring/stats", headers=org).json()["contacts"] == 5
    assert (
        fixed_api.post("/api/campaigns/spring/duplicate", json={}, headers=roles["leader"][1]).status_code
        == 403
    )
    r = fixed_api.post("/api/campaigns/spring/duplicate", json={"id": "autumn"}, headers=org)
    assert r.status_code == 201, r.text
    copy = r.json()
    assert (
        copy["id"] == "autumn" and copy["name"] == "Spring canvass (copy)" and copy["created_at"] == iso(NOW)
    )
    same = ("script_id", "caller_id", "mode", "batch_size", "goal", "calling_hours")
    assert {k: copy[k] for k in same} == {k: CAMPAIGN[k] for k in same}
    assert fixed_api.get("/api/campaigns/autumn/stats", headers=org).json()["contacts"] == 0
    assert not open_store(clean_redis).exists(keys.phones("autumn"))
    again = fixed_api.post("/api/campaigns/spring/duplicate", json={"id": "autumn"}, headers=org)
    assert again.status_code == 409
    named = fixed_api.post("/api/campaigns/spring/duplicate", json={"name": "Fall"}, headers=org).json()
    assert named["name"] == "Fall" and named["id"] not in ("spring", "autumn")
    for body in ({"id": "Bad Id"}, {"id": None}, {"name": None}, {"x": 1}, {"id": "ok\n"}):
        assert fixed_api.post("/api/campaigns/spring/duplicate", json=body, headers=org).status_code == 422
    assert fixed_api.post("/api/campaigns/nope/duplicate", json={}, headers=org).status_code == 404


def test_archived_campaigns_leave_lists_and_come_back(fixed_api: TestClient, clean_redis: str) -> None:
    roles = staff(fixed_api)
    org, vol = roles["organizer"][1], roles["volunteer"][1]
    open_store(clean_redis).set(keys.script_latest("s"), 1)
    fixed_api.post("/api/campaigns", json=CAMPAIGN, headers=org)
    fixed_api.post(
        "/api/campaigns",
        json={**CAMPAIGN, "id": "phone-day", "name": "Phone day", "mode": "preview"},
        headers=org,
    )
    r = fixed_api.patch("/api/campaigns/spring", json={"archived": True}, headers=org)
    assert r.status_code == 200 and r.json()["archived"] is True

    def ids(headers: dict[str, str], **params: str) -> list[str]:
        r = fixed_api.get("/api/campaigns", params=params, headers=headers)
        assert r.status_code == 200, r.text
        return sorted(c["id"] for c in r.json())  # (both made at the same instant)

    assert ids(vol) == ["phone-day"] and ids(vol, archived="1") == ["phone-day"]
    assert ids(org) == ["phone-day"]
    assert ids(org, archived="1") == ["spring"] and ids(org, archived="all") == ["phone-day", "spring"]
    assert ids(org, archived="all", mode="power") == ["spring"]
    assert ids(org, archived="all", q="PHONE") == ["phone-day"]
    fixed_api.patch("/api/campaigns/phone-day", json={"status": "paused"}, headers=org)
    assert ids(org, status="paused") == ["phone-day"] and ids(org, status="active") == []
    for params in ({"status": "x"}, {"status": ""}, {"mode": "x"}, {"archived": "2"}, {"q": "x" * 201}):
        assert fixed_api.get("/api/campaigns", params=params, headers=org).status_code == 422, params
    assert fixed_api.patch("/api/campaigns/spring", json={"archived": "no"}, headers=org).status_code == 422
    fixed_api.patch("/api/campaigns/spring", json={"archived": False}, headers=org)
    assert ids(vol) == ["phone-day", "spring"]


def test_teams_renamed_goals_moves_and_leaders_scoped(fixed_api: TestClient, clean_redis: str) -> None:
    roles = staff(fixed_api)
    lid, lead = roles["leader"]
    org = roles["organizer"][1]
    vid, vol = roles["volunteer"]
    other_lid, other_lead = account(fixed_api, "l2@example.org", "Other Leader", "leader")
    east = fixed_api.post("/api/teams", json={"name": "East"}, headers=lead).json()
    west = fixed_api.post("/api/teams", json={"name": "West"}, headers=other_lead).json()
    fixed_api.post("/api/teams/join", json={"join_code": east["join_code"]}, headers=vol)
    r = fixed_api.patch(f"/api/teams/{east['id']}", json={"name": "East side", "goal": 300}, headers=lead)
    assert r.status_code == 200 and r.json()["name"] == "East side" and r.json()["goal"] == 300
    assert fixed_api.patch(f"/api/teams/{west['id']}", json={"name": "Mine"}, headers=lead).status_code == 403
    for body in ({"name": ""}, {"name": None}, {"goal": 0}, {"goal": "5"}, {"x": 1}):
        assert fixed_api.patch(f"/api/teams/{east['id']}", json=body, headers=org).status_code == 422, body
    cleared = fixed_api.patch(f"/api/teams/{east['id']}", json={"goal": None}, headers=org).json()
    assert "goal" not in cleared
    # Moving a member: organizers only.
    assert fixed_api.put(f"/api/teams/{west['id']}/members/{vid}", headers=lead).status_code == 403
    r = fixed_api.put(f"/api/teams/{west['id']}/members/{vid}", headers=org)
    assert r.status_code == 200 and r.json()["user_id"] == vid
    west_members = fixed_api.get(f"/api/teams/{west['id']}", headers=other_lead).json()["members"]
    assert sorted(m["id"] for m in west_members) == sorted([other_lid, vid])
    assert vid not in [
        m["id"] for m in fixed_api.get(f"/api/teams/{east['id']}", headers=lead).json()["members"]
    ]
    assert fixed_api.put(f"/api/teams/{west['id']}/members/nobody", headers=org).status_code == 404
    assert fixed_api.put(f"/api/teams/nope/members/{vid}", headers=org).status_code == 404
    # A leader sees their own team's numbers, not another's.
    assert fixed_api.get(f"/api/teams/{west['id']}", headers=lead).status_code == 403
    assert lid in [m["id"] for m in fixed_api.get(f"/api/teams/{east['id']}", headers=lead).json()["members"]]


def test_a_team_shows_its_progress_in_a_campaign(fixed_api: TestClient, clean_redis: str) -> None:
    roles = staff(fixed_api)
    lead, org = roles["leader"][1], roles["organizer"][1]
    open_store(clean_redis).set(keys.script_latest("s"), 1)
    assert fixed_api.post("/api/campaigns", json=CAMPAIGN, headers=org).status_code == 201
    team = fixed_api.post("/api/teams", json={"name": "East"}, headers=lead).json()
    fixed_api.patch(f"/api/teams/{team['id']}", json={"goal": 40}, headers=lead)
    store = open_store(clean_redis)
    store.zincrby(keys.team_board("spring"), 12, team["id"])  # as record.lua counts the team's calls
    store.hset(keys.survey_team("spring", team["id"]), "conversations", 5)
    r = fixed_api.get(f"/api/teams/{team['id']}", params={"campaign_id": "spring"}, headers=lead).json()
    progress = r["progress"]
    assert r["goal"] == 40 and (progress["campaign_id"], progress["calls"], progress["conversations"]) == (
        "spring",
        12,
        5,
    )
    assert (progress["rank"], progress["teams"]) == (1, 1)  # its place among the teams that called
    assert "progress" not in fixed_api.get(f"/api/teams/{team['id']}", headers=lead).json()
