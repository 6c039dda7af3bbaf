"""Power mode, a phone's connection dropped silently: the page opens a new call socket and says it is ready
again; the server notices the old socket's end only afterwards. That late clean-up took the volunteer out
of the dialing pool (no voters until their next heartbeat, up to 25 s). Only the close of the page's latest
socket takes a waiting volunteer out now (real server, real sockets)."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import httpx
import websockets

from dialer.connections import async_client
from dialer.queue import keys
from tests.e2e.calling import seed_script
from tests.e2e.test_power_dialing import seed
from tests.servers import ServerProcess


async def next_of(ws: Any, *kinds: str) -> dict[str, Any]:
    while True:
        message = json.loads(await asyncio.wait_for(ws.recv(), 10))
        if message["type"] in kinds:
            return dict(message)


async def sockets_left(redis: Any, uid: str, n: int) -> None:
    """Waits until the server has processed the closes down to `n` open sockets of the volunteer (the
    roster's count drops after the pool's clean-up)."""
    deadline = time.monotonic() + 10
    while int(await redis.hget(keys.roster_sockets("pw"), uid) or 0) != n:
        assert time.monotonic() < deadline, "the server never processed the socket's close"
        await asyncio.sleep(0.02)


async def scenario(redis_url: str, server: ServerProcess, token: str, uid: str) -> None:
    redis = async_client(redis_url)
    http = httpx.AsyncClient(base_url=server.base_url, headers={"Authorization": f"Bearer {token}"})
    ws_url = server.base_url.replace("http", "ws", 1) + f"/ws/call/pw?token={token}"
    try:
        old = await websockets.connect(ws_url)
        await next_of(old, "campaign")
        assert (await http.post("/api/campaigns/pw/ready", json={"ready": True})).json()["state"] == "ready"
        async with websockets.connect(ws_url) as new:  # the page back on a new connection
            await next_of(new, "campaign")
            r = await http.post("/api/campaigns/pw/ready", json={"ready": True, "alive": True})
            assert r.json()["state"] == "ready", r.text
            await old.close()  # the server notices the old connection's end now
            await sockets_left(redis, uid, 1)
            assert await redis.zscore(keys.dial_ready("pw"), uid) is not None, (
                "the present page left the pool"
            )
        await sockets_left(redis, uid, 0)
        assert await redis.zscore(keys.dial_ready("pw"), uid) is None  # the page closed: out of the pool
        assert await redis.hget(keys.dial_agent("pw", uid), "state") == "away"
    finally:
        await http.aclose()
        await redis.aclose()


def test_a_late_noticed_old_socket_leaves_the_page_in_the_pool(tmp_path: Path, clean_redis: str) -> None:
    with ServerProcess(tmp_path, clean_redis) as server, server.client() as admin:
        asyncio.run(seed_script(clean_redis))
        r = admin.post("/api/campaigns", json={"id": "pw", "name": "Power", "script_id": "gotv-2026",
                                               "caller_id": "+14155550199", "mode": "power"})  # fmt: skip
        assert r.status_code == 201, r.text
        asyncio.run(seed(clean_redis, "pw", 2))
        r = httpx.post(
            f"{server.base_url}/api/auth/signup",
            json={"email": "s@example.org", "name": "S", "password": "a long password"},
        )
        asyncio.run(scenario(clean_redis, server, r.json()["token"], r.json()["user"]["id"]))
        assert not server.tracebacks(), server.tracebacks()
