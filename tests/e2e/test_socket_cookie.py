"""API.md: the sockets authenticate "as for HTTP": the signed session cookie that sign-in sets, or `?token=`.
A real WebSocket client with the cookie alone (no token) opens both sockets; without either it is refused."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import websockets
from websockets.typing import Origin

from tests.e2e.calling import PASSWORD, gotv_campaign, seed_script, signup
from tests.servers import ServerProcess
from tests.stores import open_store


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, redis_url: str) -> Iterator[ServerProcess]:
    open_store(redis_url).flushdb()
    with ServerProcess(tmp_path_factory.mktemp("socket-cookie"), redis_url) as running:
        asyncio.run(seed_script(redis_url))
        gotv_campaign(running, "dc")
        yield running


def session_cookie(server: ServerProcess, email: str) -> tuple[str, str]:
    """The Cookie header a browser sends after signing in (the sign-in page's API call), and the user's id."""
    r = httpx.post(f"{server.base_url}/api/auth/login", json={"email": email, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return "; ".join(f"{name}={value}" for name, value in r.cookies.items()), str(r.json()["user"]["id"])


async def first_message(url: str, cookie: str | None, origin: str) -> dict[str, Any]:
    headers = {"Cookie": cookie} if cookie else {}
    async with websockets.connect(url, additional_headers=headers, origin=Origin(origin)) as ws:
        return dict(json.loads(await asyncio.wait_for(ws.recv(), 5)))


async def close_code(url: str, origin: str) -> int | None:
    async with websockets.connect(url, origin=Origin(origin)) as ws:
        with pytest.raises(websockets.ConnectionClosed):
            await asyncio.wait_for(ws.recv(), 5)
        return ws.close_code


def test_the_session_cookie_opens_the_call_and_live_sockets(server: ServerProcess) -> None:
    signup(server.base_url, "cookie@example.org", "Coco")
    cookie, user_id = session_cookie(server, "cookie@example.org")
    ws_base = server.base_url.replace("http", "ws", 1)
    origin = server.base_url
    hello = asyncio.run(first_message(f"{ws_base}/ws/call/dc", cookie, origin))
    assert hello["type"] == "campaign" and hello["status"] == "active"
    assert asyncio.run(close_code(f"{ws_base}/ws/call/dc", origin)) == 4401  # no cookie, no token
    # An organizer's cookie opens the live counters: a stats message first.
    with server.client() as admin:
        assert admin.put(f"/api/users/{user_id}/role", json={"role": "organizer"}).status_code == 200
    stats = asyncio.run(first_message(f"{ws_base}/ws/campaigns/dc/live", cookie, origin))
    assert stats["type"] == "stats" and stats["campaign_id"] == "dc"
