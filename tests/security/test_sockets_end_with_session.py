"""Finding (attacker's probe): a WebSocket outlived the session and the role it was opened with. Signing out
revoked the token, but the live dashboard (and the call socket) opened with it went on for as long as the
page stayed open; an organizer demoted to volunteer kept receiving the campaign's live counters and
leaderboard. Disabling an account already ended its sockets; now signing out ends the sockets of that
session (4401) and a role change ends the sockets that need more than the new role (4403). Other sessions,
and sockets the new role still allows, go on."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from dialer.campaigns import Campaign
from dialer.connections import async_client
from dialer.stores.campaigns import CampaignStore
from tests.conftest import ADMIN, bearer
from tests.integration.organizer_support import NOW, account, fixed_api

__all__ = ["fixed_api"]

LIVE = "/ws/campaigns/pc/live?token={}"


def _campaign(url: str) -> None:
    async def make() -> None:
        redis = async_client(url)
        campaign = Campaign(id="pc", name="People", script_id="s", caller_id="+12025550199", created_at=NOW)
        await CampaignStore(redis).create(campaign)
        await redis.aclose()

    asyncio.run(make())


def _sign_in(api: TestClient, email: str) -> str:
    r = api.post("/api/auth/login", json={"email": email, "password": "a long password"})
    assert r.status_code == 200, r.text
    api.cookies.clear()
    token: str = r.json()["token"]
    return token


def _closed_with(socket: Any) -> int:
    with pytest.raises(WebSocketDisconnect) as closed:
        while True:
            socket.receive_json()
    code: int = closed.value.code
    return code


def _canary(api: TestClient) -> tuple[str, str]:
    """An organizer (id, token) whose live socket is disabled to know the events before it were handled."""
    uid, headers = account(api, "cara@example.org", "Cara Canary", "organizer")
    return uid, headers["Authorization"].split()[1]


def _settle(api: TestClient, canary_id: str, canary: Any) -> None:
    """Every account event sent before now has been handled: the app handles them in order, and the
    canary's `disabled` (which ended sockets before this fix too) is handled once its socket closes."""
    r = api.put(f"/api/users/{canary_id}/disabled", json={"disabled": True}, headers=ADMIN)
    assert r.status_code == 200
    assert _closed_with(canary) == 4401


def _state(socket: Any) -> int | str:
    """The code the socket was closed with, or "open" when it still answers a ping."""
    try:
        socket.send_json({"type": "ping"})
        while socket.receive_json()["type"] != "pong":
            pass  # a stats message may come first
    except WebSocketDisconnect as closed:
        code: int = closed.code
        return code
    return "open"


def test_signing_out_ends_that_sessions_sockets_only(fixed_api: TestClient, clean_redis: str) -> None:
    _campaign(clean_redis)
    account(fixed_api, "olive@example.org", "Olive Organizer", "organizer")
    first, second = _sign_in(fixed_api, "olive@example.org"), _sign_in(fixed_api, "olive@example.org")
    canary_id, canary_token = _canary(fixed_api)
    with (
        fixed_api.websocket_connect(LIVE.format(first)) as leaving,
        fixed_api.websocket_connect(LIVE.format(second)) as staying,
        fixed_api.websocket_connect(LIVE.format(canary_token)) as canary,
    ):
        for socket in (leaving, staying, canary):
            assert socket.receive_json()["type"] == "stats"
        assert fixed_api.post("/api/auth/logout", headers=bearer(first)).status_code == 204
        _settle(fixed_api, canary_id, canary)
        assert _state(leaving) == 4401
        assert _state(staying) == "open"
    assert fixed_api.get("/api/me", headers=bearer(second)).status_code == 200


def test_a_role_change_ends_the_sockets_the_new_role_may_not_open(
    fixed_api: TestClient, clean_redis: str
) -> None:
    _campaign(clean_redis)
    demoted_id, demoted = account(fixed_api, "dora@example.org", "Dora Demoted", "organizer")
    promoted_id, promoted = account(fixed_api, "pat@example.org", "Pat Promoted", "organizer")
    token = {"d": demoted["Authorization"].split()[1], "p": promoted["Authorization"].split()[1]}
    canary_id, canary_token = _canary(fixed_api)
    with (
        fixed_api.websocket_connect(LIVE.format(token["p"])) as kept,
        fixed_api.websocket_connect(LIVE.format(token["d"])) as ended,
        fixed_api.websocket_connect(LIVE.format(canary_token)) as canary,
    ):
        for socket in (kept, ended, canary):
            assert socket.receive_json()["type"] == "stats"
        r = fixed_api.put(f"/api/users/{promoted_id}/role", json={"role": "admin"}, headers=ADMIN)
        assert r.status_code == 200
        r = fixed_api.put(f"/api/users/{demoted_id}/role", json={"role": "volunteer"}, headers=ADMIN)
        assert r.status_code == 200
        _settle(fixed_api, canary_id, canary)
        assert _state(ended) == 4403
        assert _state(kept) == "open"
    with pytest.raises(WebSocketDisconnect) as refused:  # and a new one is refused, as before
        with fixed_api.websocket_connect(LIVE.format(token["d"])) as again:
            again.receive_json()
    assert refused.value.code == 4403


def test_a_new_password_ends_the_other_sessions_sockets_and_keeps_this_ones(
    fixed_api: TestClient, clean_redis: str
) -> None:
    _campaign(clean_redis)
    account(fixed_api, "olive@example.org", "Olive Organizer", "organizer")
    changer, other = _sign_in(fixed_api, "olive@example.org"), _sign_in(fixed_api, "olive@example.org")
    canary_id, canary_token = _canary(fixed_api)
    with (
        fixed_api.websocket_connect(LIVE.format(changer)) as staying,
        fixed_api.websocket_connect(LIVE.format(other)) as ending,
        fixed_api.websocket_connect(LIVE.format(canary_token)) as canary,
    ):
        for socket in (staying, ending, canary):
            assert socket.receive_json()["type"] == "stats"
        body = {"current_password": "a long password", "new_password": "violet kettle harbour"}
        assert fixed_api.post("/api/auth/password", json=body, headers=bearer(changer)).status_code == 200
        _settle(fixed_api, canary_id, canary)
        assert _state(ending) == 4401
        assert _state(staying) == "open"


def test_using_a_reset_link_ends_every_socket_of_the_account(fixed_api: TestClient, clean_redis: str) -> None:
    _campaign(clean_redis)
    olive_id, olive = account(fixed_api, "olive@example.org", "Olive Organizer", "organizer")
    canary_id, canary_token = _canary(fixed_api)
    r = fixed_api.post(f"/api/users/{olive_id}/password-reset", headers=ADMIN)
    assert r.status_code == 201, r.text
    with (
        fixed_api.websocket_connect(LIVE.format(olive["Authorization"].split()[1])) as ending,
        fixed_api.websocket_connect(LIVE.format(canary_token)) as canary,
    ):
        for socket in (ending, canary):
            assert socket.receive_json()["type"] == "stats"
        body = {"token": r.json()["url"].rpartition("/")[2], "new_password": "violet kettle harbour"}
        assert fixed_api.post("/api/auth/password-reset", json=body).status_code == 200
        fixed_api.cookies.clear()
        _settle(fixed_api, canary_id, canary)
        assert _state(ending) == 4401
    assert fixed_api.get("/api/me", headers=olive).status_code == 401
