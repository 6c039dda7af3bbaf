"""Teams: leaders create, volunteers join with a code, the campaign keeps a team leaderboard."""

from __future__ import annotations

import asyncio
import time

from starlette.testclient import TestClient

from dialer.connections import async_client
from dialer.contacts import Contact
from dialer.queue.lease import LeaseQueue
from tests.conftest import ADMIN, bearer
from tests.e2e.calling import midday_zone
from tests.stores import open_store


def account(api: TestClient, email: str) -> tuple[str, dict[str, str]]:
    r = api.post(
        "/api/auth/signup", json={"email": email, "name": email.split("@")[0], "password": "long password"}
    )
    api.cookies.clear()
    return r.json()["user"]["id"], bearer(r.json()["token"])


async def _contacts(url: str) -> None:
    client = async_client(url)
    try:
        contacts = [
            Contact(phone=f"+1312555{120 + i:04d}", timezone=midday_zone(time.time())) for i in range(6)
        ]
        await LeaseQueue(client).add_contacts("tc", contacts, time.time())
    finally:
        await client.aclose()


def test_teams_from_creation_to_the_leaderboard(api: TestClient, clean_redis: str) -> None:

    from dialer.queue import keys

    open_store(clean_redis).set(keys.script_latest("s"), 1)
    leader_id, leader = account(api, "lee@example.org")
    vol_id, vol = account(api, "val@example.org")
    loner_id, loner = account(api, "solo@example.org")
    assert api.post("/api/teams", json={"name": "Eastside"}, headers=leader).status_code == 403  # a volunteer
    api.put(f"/api/users/{leader_id}/role", json={"role": "leader"}, headers=ADMIN)
    r = api.post("/api/teams", json={"name": "Eastside"}, headers=leader)
    assert r.status_code == 201
    team = r.json()
    assert len(team["join_code"]) == 8
    assert api.post("/api/teams", json={"name": ""}, headers=leader).status_code == 422
    # Volunteers see the team but not its code; they join with the code the leader shares.
    listed = api.get("/api/teams", headers=vol).json()
    assert listed == [{"id": team["id"], "name": "Eastside", "leader": leader_id, "mine": False}]
    assert api.post("/api/teams/join", json={"join_code": "NOPE2345"}, headers=vol).status_code == 404
    r = api.post("/api/teams/join", json={"join_code": team["join_code"].lower()}, headers=vol)
    assert r.status_code == 200 and r.json()["team"]["id"] == team["id"]
    assert api.get(f"/api/teams/{team['id']}", headers=vol).status_code == 403

    assert (
        api.post(
            "/api/campaigns",
            json={
                "id": "tc",
                "name": "T",
                "script_id": "s",
                "caller_id": "+13125550199",
                "calling_hours": {"start": "08:00", "end": "21:00"},
                "batch_size": 2,
            },
            headers=ADMIN,
        ).status_code
        == 201
    )
    asyncio.run(_contacts(clean_redis))
    for who, n in ((vol, 2), (leader, 1), (loner, 1)):
        batch = api.post("/api/campaigns/tc/batches", headers=who).json()
        for c in batch["contacts"][:n]:
            r = api.post(
                f"/api/batches/{batch['id']}/results",
                json={"contact_id": c["id"], "result": "refused"},
                headers=who,
            )
            assert r.status_code == 200, r.text
    stats = api.get("/api/campaigns/tc/stats", headers=ADMIN).json()
    assert stats["teams"] == [{"team": team["id"], "name": "Eastside", "calls": 3}]
    detail = api.get(f"/api/teams/{team['id']}?campaign_id=tc", headers=leader).json()
    assert {m["id"]: m["calls"] for m in detail["members"]} == {leader_id: 1, vol_id: 2}
    assert loner_id not in {m["id"] for m in detail["members"]}
    assert api.delete("/api/teams/membership", headers=vol).status_code == 204
    assert vol_id not in {
        m["id"] for m in api.get(f"/api/teams/{team['id']}", headers=leader).json()["members"]
    }
