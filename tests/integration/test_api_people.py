"""People: search by name and email a page at a time, rows with calls and last seen, and disabling an
account ends its tokens, its sign-in and its sockets."""

from __future__ import annotations

import asyncio

import pytest
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from dialer.app import create_app
from dialer.campaigns import Campaign
from dialer.connections import async_client
from dialer.models import Role
from dialer.settings import Settings
from dialer.stores import people
from dialer.stores.accounts import AccountStore
from dialer.stores.campaigns import CampaignStore
from tests.conftest import ADMIN, bearer
from tests.integration.organizer_support import NOW, account, fixed_api, staff

__all__ = ["fixed_api"]


def test_only_organizers_and_admins_see_people(fixed_api: TestClient) -> None:
    roles = staff(fixed_api)
    assert fixed_api.get("/api/users").status_code == 401
    for role in ("volunteer", "leader"):
        assert fixed_api.get("/api/users", headers=roles[role][1]).status_code == 403
        assert fixed_api.get(f"/api/users/{roles[role][0]}", headers=roles[role][1]).status_code == 403
    for role in ("organizer", "admin"):
        r = fixed_api.get("/api/users", params={"q": "volun"}, headers=roles[role][1])
        assert r.status_code == 200
        assert [u["email"] for u in r.json()["users"]] == ["volunteer@example.org"]


def test_search_pages_through_many_users_without_repeats(clean_redis: str) -> None:
    async def scenario() -> None:
        redis = async_client(clean_redis)
        store = AccountStore(redis)
        for i in range(120):
            await store.create(f"ann{i:03d}@example.org", f"Ann Annie {i:03d}", None, Role.VOLUNTEER, NOW + i)
        await store.create("bob@example.org", "Bob Stone", None, Role.VOLUNTEER, NOW)
        seen: list[str] = []
        cursor = ""
        while True:
            found = await people.search(redis, "ann", cursor, 25)
            assert len(found.ids) <= 25
            seen += found.ids
            if found.next is None:
                break
            cursor = found.next
        assert len(seen) == len(set(seen)) == 120  # "Ann" and "Annie" both match: each person once
        assert found.total == 121
        everyone = await people.search(redis, "", "", 100)
        assert len(everyone.ids) == 100 and everyone.next == "i:100"
        rest = await people.search(redis, "", everyone.next, 100)
        assert len(rest.ids) == 21 and rest.next is None
        assert (await people.search(redis, "stone")).ids == (await people.search(redis, "BOB@EX")).ids
        with pytest.raises(people.BadCursor):
            await people.search(redis, "", "m:x")
        await redis.aclose()

    asyncio.run(scenario())


def test_accounts_older_than_the_index_are_found(clean_redis: str) -> None:
    async def scenario() -> None:
        redis = async_client(clean_redis)
        await AccountStore(redis).create("old@example.org", "Olga Older", None, Role.VOLUNTEER, NOW)
        await redis.delete("dialer:users:lex")  # as a database from before the index
        assert len((await people.search(redis, "olga")).ids) == 1
        await redis.aclose()

    asyncio.run(scenario())


def test_rows_show_last_seen_and_bad_queries_are_refused(fixed_api: TestClient) -> None:
    roles = staff(fixed_api)
    org = roles["organizer"][1]
    fixed_api.get("/api/me", headers=roles["volunteer"][1])
    row = fixed_api.get(f"/api/users/{roles['volunteer'][0]}", headers=org).json()
    assert (
        row["last_seen"] == "2027-01-15T08:00:00+00:00"
        and row["calls"] == 0
        and row["campaigns"] == []
        and row["team"] is None
    )
    assert fixed_api.get("/api/users/nobody", headers=org).status_code == 404
    for params in ({"limit": "0"}, {"limit": "x"}, {"limit": "101"}, {"cursor": "zz"}, {"q": "x" * 101}):
        r = fixed_api.get("/api/users", params=params, headers=org)
        assert r.status_code == 422, params


def _campaign(url: str) -> None:
    async def make() -> None:
        redis = async_client(url)
        campaign = Campaign(id="pc", name="People", script_id="s", caller_id="+12025550199", created_at=NOW)
        await CampaignStore(redis).create(campaign)
        await redis.aclose()

    asyncio.run(make())


def test_disabling_ends_tokens_sign_in_and_sockets(fixed_api: TestClient, clean_redis: str) -> None:
    _campaign(clean_redis)
    oid, org = account(fixed_api, "olive@example.org", "Olive Organizer", "organizer")
    login = {"email": "olive@example.org", "password": "a long password"}
    r = fixed_api.post("/api/auth/login", json=login)
    second = r.json()["token"]
    fixed_api.cookies.clear()
    assert fixed_api.get("/api/me", headers=bearer(second)).status_code == 200
    with fixed_api.websocket_connect(f"/ws/campaigns/pc/live?token={second}") as socket:
        assert socket.receive_json()["type"] == "stats"
        r = fixed_api.put(f"/api/users/{oid}/disabled", json={"disabled": True}, headers=ADMIN)
        assert r.status_code == 200 and r.json()["disabled"] is True
        with pytest.raises(WebSocketDisconnect) as closed:
            while True:
                socket.receive_json()
        assert closed.value.code == 4401
    for headers in (org, bearer(second)):
        assert fixed_api.get("/api/me", headers=headers).status_code == 401
    r = fixed_api.post("/api/auth/login", json=login)
    assert r.status_code == 403 and r.json()["error"]["code"] == "account_disabled"
    with pytest.raises(WebSocketDisconnect) as refused:
        with fixed_api.websocket_connect(f"/ws/campaigns/pc/live?token={second}") as socket:
            socket.receive_json()
    assert refused.value.code == 4401
    # Enabled again: signing in works; the old tokens stay ended.
    assert (
        fixed_api.put(f"/api/users/{oid}/disabled", json={"disabled": False}, headers=ADMIN).status_code
        == 200
    )
    assert fixed_api.get("/api/me", headers=org).status_code == 401
    assert fixed_api.post("/api/auth/login", json=login).status_code == 200


def test_who_may_disable_whom(fixed_api: TestClient) -> None:
    roles = staff(fixed_api)
    oid, org = roles["organizer"]
    aid, adm = roles["admin"]
    other_org, _ = account(fixed_api, "o2@example.org", "Other Organizer", "organizer")
    put = fixed_api.put
    assert (
        put(f"/api/users/{roles['leader'][0]}/disabled", json={"disabled": True}, headers=org).status_code
        == 200
    )
    assert put(f"/api/users/{other_org}/disabled", json={"disabled": True}, headers=org).status_code == 403
    assert put(f"/api/users/{oid}/disabled", json={"disabled": True}, headers=org).status_code == 403
    assert put(f"/api/users/{aid}/disabled", json={"disabled": True}, headers=adm).status_code == 403
    assert put(f"/api/users/{other_org}/disabled", json={"disabled": True}, headers=adm).status_code == 200
    assert put(f"/api/users/{oid}/disabled", json={"disabled": True}, headers=ADMIN).status_code == 200
    vol = roles["volunteer"][1]
    assert put(f"/api/users/{oid}/disabled", json={"disabled": False}, headers=vol).status_code == 403
    for body in ({}, {"disabled": "yes"}, {"disabled": True, "x": 1}):
        assert put(f"/api/users/{oid}/disabled", json=body, headers=adm).status_code == 422


def test_organizers_make_volunteers_team_leaders_and_back(fixed_api: TestClient) -> None:
    """A call day needs team leaders, and only the admin token could make one: organizers now toggle a
    volunteer's or leader's account between the two, and nothing else."""
    roles = staff(fixed_api)
    vid, vol = roles["volunteer"]
    lid, _ = roles["leader"]
    oid, org = roles["organizer"]
    aid, adm = roles["admin"]
    put = fixed_api.put
    r = put(f"/api/users/{vid}/leader", json={"leader": True}, headers=org)
    assert r.status_code == 200 and r.json()["role"] == "leader", r.text
    assert fixed_api.get("/api/me", headers=vol).json()["user"]["role"] == "leader"
    r = fixed_api.post("/api/teams", json={"name": "Eastside"}, headers=vol)  # a leader's power, at once
    assert r.status_code == 201 and r.json()["leader"] == vid, r.text
    assert put(f"/api/users/{vid}/leader", json={"leader": True}, headers=org).json()["role"] == "leader"
    assert put(f"/api/users/{lid}/leader", json={"leader": False}, headers=adm).json()["role"] == "volunteer"
    # Never an organizer's or an admin's account, nor one's own, nor by a leader or a volunteer.
    other_org, _ = account(fixed_api, "o2@example.org", "Other Organizer", "organizer")
    for target in (other_org, aid, oid):
        r = put(f"/api/users/{target}/leader", json={"leader": False}, headers=org)
        assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden", r.text
    assert fixed_api.get(f"/api/users/{other_org}", headers=org).json()["role"] == "organizer"
    assert put(f"/api/users/{lid}/leader", json={"leader": True}, headers=vol).status_code == 403
    assert put("/api/users/nobody/leader", json={"leader": True}, headers=org).status_code == 404
    for body in ({}, {"leader": "yes"}, {"leader": True, "role": "admin"}):
        assert put(f"/api/users/{lid}/leader", json=body, headers=org).status_code == 422
    # The admin-only role route is unchanged.
    assert put(f"/api/users/{lid}/role", json={"role": "leader"}, headers=org).status_code == 403


def test_last_seen_is_written_once_a_minute_not_on_every_request(app_settings: Settings) -> None:
    clock = [NOW]
    with TestClient(create_app(app_settings, clock=lambda: clock[0]), raise_server_exceptions=False) as api:
        roles = staff(api)
        volunteer, org = roles["volunteer"], roles["organizer"][1]

        def seen() -> str:
            return str(api.get(f"/api/users/{volunteer[0]}", headers=org).json()["last_seen"])

        api.get("/api/me", headers=volunteer[1])
        clock[0] = NOW + 30
        api.get("/api/me", headers=volunteer[1])
        assert seen() == "2027-01-15T08:00:00+00:00"  # NOW: within the minute, no second write
        clock[0] = NOW + 61
        api.get("/api/me", headers=volunteer[1])
        assert seen() == "2027-01-15T08:01:01+00:00"  # NOW + 61


def test_an_accounts_history_says_who_did_what_to_it(fixed_api: TestClient) -> None:
    """Password links, role changes and disabling are noted in the account's history, newest first; only
    organizers and admins read it; a role set to what it was, or an account enabled that was not disabled,
    notes nothing."""
    roles = staff(fixed_api)
    vid, _ = roles["volunteer"]
    _, org = roles["organizer"]
    _, adm = roles["admin"]
    url = f"/api/users/{vid}/history"
    assert fixed_api.get(url, headers=org).json() == {"entries": []}
    assert fixed_api.post(f"/api/users/{vid}/password-reset", headers=org).status_code == 201
    for role in ("leader", "leader"):
        assert fixed_api.put(f"/api/users/{vid}/role", json={"role": role}, headers=adm).status_code == 200
    for disabled in (False, True, True, False):
        r = fixed_api.put(f"/api/users/{vid}/disabled", json={"disabled": disabled}, headers=org)
        assert r.status_code == 200, r.text
    entries = fixed_api.get(url, headers=adm).json()["entries"]
    assert [(e["action"], e["name"]) for e in entries] == [
        ("enabled", "Organizer Person"),
        ("disabled", "Organizer Person"),
        ("role_changed", "Admin Person"),
        ("password_reset_link", "Organizer Person"),
    ]
    assert entries[2]["detail"] == {"before": "volunteer", "after": "leader"}
    assert all(e["at"].endswith("+00:00") or e["at"].endswith("Z") for e in entries)
    assert fixed_api.get(url).status_code == 401
    assert fixed_api.get(url, headers=roles["leader"][1]).status_code == 403  # (the volunteer was signed out)
    assert fixed_api.get("/api/users/nobody/history", headers=org).status_code == 404
