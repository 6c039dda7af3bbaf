"""Power mode, a campaign switched to another script mid-day: the next voter the server puts through to a
page already open is walked with the new script. A preview page takes the campaign's current script when it
starts its next call (test_script_switch.py); a power page never sends a start, the server's `bridged` is
its next call, and it went on with the script it opened with until reloaded."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import httpx
import websockets

from dialer.connections import async_client
from dialer.dialing.bridge import apply_verdict
from dialer.stores.campaigns import CampaignStore
from tests.e2e.calling import EXAMPLES, seed_script
from tests.e2e.test_power_dialing import seed
from tests.integration.dialing_support import FakeCarrier, pacer
from tests.servers import ServerProcess


async def next_of(ws: Any, *kinds: str) -> dict[str, Any]:
    while True:
        message = json.loads(await asyncio.wait_for(ws.recv(), 10))
        if message["type"] in kinds:
            return dict(message)


async def scenario(redis_url: str, server: ServerProcess, token: str, uid: str) -> None:
    redis = async_client(redis_url)
    http = httpx.AsyncClient(base_url=server.base_url, headers={"Authorization": f"Bearer {token}"})
    ws_url = server.base_url.replace("http", "ws", 1) + f"/ws/call/pw?token={token}"
    try:
        carrier = FakeCarrier()
        dialer = pacer(redis, carrier, "pw")
        async with websockets.connect(ws_url) as ws:

            async def bridge(n: int) -> dict[str, Any]:
                campaign = await CampaignStore(redis).get("pw")
                assert campaign is not None
                assert (await http.post("/api/campaigns/pw/ready", json={"ready": True})).status_code == 200
                await dialer.dial(campaign, 1, time.time())
                reply = await apply_verdict(redis, campaign, carrier.sids[n], "human", now=time.time())
                assert reply[:2] == ["bridged", uid], reply
                await next_of(ws, "bridged")
                return await next_of(ws, "step", "error")

            first = await bridge(0)
            assert first["step"]["id"] == "intro" and "Thanks for supporting" not in first["step"]["text"]
            with server.client() as admin:
                r = admin.post(
                    "/api/scripts",
                    content=(EXAMPLES / "recruit.yaml").read_bytes(),
                    headers={"Content-Type": "application/yaml"},
                )
                assert r.status_code == 201, r.text
                r = admin.patch("/api/campaigns/pw", json={"script_id": "recruit-volunteers"})
                assert r.status_code == 200, r.text
            await ws.send(json.dumps({"type": "answer", "step": "intro", "choice": 0}))  # the call goes on
            assert (await next_of(ws, "step", "error"))["step"]["id"] == "support"  # with gotv, as it began
            key = {"type": "finish", "contact_id": first["contact_id"], "result": "contacted"}
            await ws.send(json.dumps({**key, "idempotency_key": "k-1"}))
            assert (await next_of(ws, "recorded", "error"))["type"] == "recorded"
            second = await bridge(1)
            assert second["contact_id"] != first["contact_id"]
            assert "Thanks for supporting us" in second["step"]["text"], second  # recruit's intro
    finally:
        await http.aclose()
        await redis.aclose()


def test_the_next_voter_put_through_is_walked_with_the_new_script(tmp_path: Path, clean_redis: str) -> None:
    with ServerProcess(tmp_path, clean_redis) as server, server.client() as admin:
        asyncio.run(seed_script(clean_redis))
        r = admin.post("/api/campaigns", json={"id": "pw", "name": "Power", "script_id": "gotv-2026",
                                               "caller_id": "+14155550199", "mode": "power"})  # fmt: skip
        assert r.status_code == 201, r.text
        asyncio.run(seed(clean_redis, "pw", 4))
        r = httpx.post(
            f"{server.base_url}/api/auth/signup",
            json={"email": "s@example.org", "name": "S", "password": "a long password"},
        )
        asyncio.run(scenario(clean_redis, server, r.json()["token"], r.json()["user"]["id"]))
        assert not server.tracebacks(), server.tracebacks()
