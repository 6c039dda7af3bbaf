"""A team leader sees each member's calls and conversations today and yesterday (the campaign's days), and
the team's, beside the campaign totals."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from dialer.app import create_app
from dialer.settings import Settings
from tests.conftest import ADMIN, ADMIN_TOKEN, bearer
from tests.e2e.calling import seed_script
from tests.integration.test_webhooks import NOON_NEW_YORK, PUBLIC_URL, _setup

DAY = 24 * 3600


@dataclass
class Team:
    client: TestClient
    clock: list[float]
    leader: dict[str, str]
    vera: dict[str, str]
    team_id: str


@pytest.fixture
def team(clean_redis: str, tmp_path: Path) -> Iterator[Team]:
    settings = Settings(
        redis_url=clean_redis,
        data_dir=tmp_path,
        secret_key="s",
        admin_token=ADMIN_TOKEN,
        public_url=PUBLIC_URL,
    )
    asyncio.run(seed_script(clean_redis))
    clock = [NOON_NEW_YORK]
    with TestClient(create_app(settings, clock=lambda: clock[0])) as client:
        body = {"id": "dc", "name": "DC", "script_id": "gotv-2026", "caller_id": "+12025550199"}
        assert client.post("/api/campaigns", json=body, headers=ADMIN).status_code == 201
        users = []
        for email in ("vera@example.org", "lena@example.org"):
            r = client.post(
                "/api/auth/signup", json={"email": email, "name": email[:4], "password": "long password"}
            )
            users.append(r.json())
        client.cookies.clear()
        vera, leader = bearer(users[0]["token"]), bearer(users[1]["token"])
        client.put(f"/api/users/{users[1]['user']['id']}/role", json={"role": "leader"}, headers=ADMIN)
        made = client.post("/api/teams", json={"name": "Eastside"}, headers=leader).json()
        assert (
            client.post("/api/teams/join", json={"join_code": made["join_code"]}, headers=vera).status_code
            == 200
        )
        asyncio.run(_setup(clean_redis, "dc", users[0]["user"]["id"], users[1]["user"]["id"]))
        yield Team(client, clock, leader, vera, made["id"])


def record(team: Team, result: str) -> None:
    batch = team.client.post("/api/campaigns/dc/batches", headers=team.vera).json()
    called = {c["id"] for c in batch.get("called") or []}
    contact = next(c["id"] for c in batch["contacts"] if c["id"] not in called)
    body = {"contact_id": contact, "result": result, "idempotency_key": f"{team.clock[0]}-{contact}"}
    r = team.client.post(f"/api/batches/{batch['id']}/results", json=body, headers=team.vera)
    assert r.status_code == 200, r.text


def test_members_and_the_team_show_today_and_yesterday(team: Team) -> None:
    record(team, "refused")  # a conversation, yesterday
    team.clock[0] += DAY
    record(team, "no_answer")  # a call, today
    shown = team.client.get(f"/api/teams/{team.team_id}?campaign_id=dc", headers=team.leader).json()
    vera = next(m for m in shown["members"] if m["name"] == "vera")
    assert vera["calls"] == 2
    assert vera["today"] == {"calls": 1, "conversations": 0}
    assert vera["yesterday"] == {"calls": 1, "conversations": 1}
    progress = shown["progress"]
    assert progress["today"] == {"calls": 1, "conversations": 0}
    assert progress["yesterday"] == {"calls": 1, "conversations": 1}
    assert (progress["calls"], progress["conversations"]) == (2, 1)
    team.clock[0] += DAY  # the next morning: today starts at nothing, yesterday is what was today
    shown = team.client.get(f"/api/teams/{team.team_id}?campaign_id=dc", headers=team.leader).json()
    assert shown["progress"]["today"] == {"calls": 0, "conversations": 0}
    assert shown["progress"]["yesterday"] == {"calls": 1, "conversations": 0}


def test_the_team_is_placed_among_the_teams_and_beside_the_campaign(team: Team) -> None:
    url = f"/api/teams/{team.team_id}?campaign_id=dc"
    progress = team.client.get(url, headers=team.leader).json()["progress"]
    assert (progress["rank"], progress["teams"], progress["campaign_calls"]) == (None, 0, 0)  # no call yet
    record(team, "refused")
    record(team, "busy")
    progress = team.client.get(url, headers=team.leader).json()["progress"]
    assert (progress["rank"], progress["teams"], progress["campaign_calls"]) == (1, 1, 2)


def test_the_teams_day_counts_only_calls_made_in_it_and_agrees_with_its_total(team: Team) -> None:
    """A card read "1 call ... in all" beside "Today 3 calls": the day added up the members' calls, also
    those made before they joined, while the total counted the team's own."""
    url = f"/api/teams/{team.team_id}?campaign_id=dc"
    code = team.client.get(url, headers=team.leader).json()["join_code"]
    assert team.client.delete("/api/teams/membership", headers=team.vera).status_code == 204
    record(team, "busy")  # vera's calls before she is in the team
    record(team, "refused")
    team.clock[0] += 5 * 3600  # the busy voter is due again, the same afternoon
    joined = team.client.post("/api/teams/join", json={"join_code": code}, headers=team.vera)
    assert joined.status_code == 200
    record(team, "no_answer")  # her first call as a member
    shown = team.client.get(url, headers=team.leader).json()
    progress = shown["progress"]
    assert (progress["calls"], progress["conversations"]) == (1, 0)
    assert progress["today"] == {"calls": 1, "conversations": 0}
    assert progress["yesterday"] == {"calls": 0, "conversations": 0}
    vera = next(m for m in shown["members"] if m["name"] == "vera")  # her own figures stay all of hers
    assert vera["today"] == {"calls": 3, "conversations": 1}
    team.clock[0] += DAY
    assert team.client.delete("/api/teams/membership", headers=team.vera).status_code == 204
    record(team, "refused")  # after she left: neither in the team's today nor in its total
    progress = team.client.get(url, headers=team.leader).json()["progress"]
    assert (progress["calls"], progress["conversations"]) == (1, 0)
    assert progress["today"] == {"calls": 0, "conversations": 0}
    assert progress["yesterday"] == {"calls": 1, "conversations": 0}
