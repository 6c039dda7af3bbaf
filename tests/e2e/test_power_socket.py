"""The call socket in power mode, with a real WebSocket client against `dialer serve`: a voter bridged to
the volunteer arrives as `bridged` and the script's first step; a page reconnecting mid-call is shown its
voter again; closing the page takes a waiting volunteer out of the pool."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import httpx
import websockets

from dialer.connections import async_client
from dialer.dialing.agents import AgentState, agent
from dialer.dialing.bridge import apply_verdict
from dialer.stores.campaigns import CampaignStore
from tests.e2e.calling import seed_script
from tests.e2e.test_power_dialing import seed
from tests.integration.dialing_support import FakeCarrier, pacer
from tests.servers import ADMIN_TOKEN, ServerProcess


async def next_of(ws: Any, kind: str) -> dict[str, Any]:
    while True:
        message = json.loads(await asyncio.wait_for(ws.recv(), 5))
        if message["type"] == kind:
            return dict(message)


async def page_gone(base_url: str, uid: str, seconds: float = 10) -> None:
    """Waits until the volunteer's call page is off the campaign's roster (its socket's clean-up done)."""
    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    async with httpx.AsyncClient(base_url=base_url, headers=headers) as admin, asyncio.timeout(seconds):
        while any(v["volunteer"] == uid for v in (await admin.get("/api/campaigns/pw/roster")).json()):
            await asyncio.sleep(0.05)


async def scenario(redis_url: str, base_url: str, token: str, uid: str) -> None:
    redis = async_client(redis_url)
    http = httpx.AsyncClient(base_url=base_url, headers={"Authorization": f"Bearer {token}"})
    ws_url = base_url.replace("http", "ws", 1) + f"/ws/call/pw?token={token}"
    try:
        campaign = await CampaignStore(redis).get("pw")
        assert campaign is not None
        carrier = FakeCarrier()
        dialer = pacer(redis, carrier, "pw")  # one pacer: it holds the campaign's lock while it dials
        async with websockets.connect(ws_url) as ws:
            assert (await http.post("/api/campaigns/pw/ready", json={"ready": True})).json()[
                "state"
            ] == "ready"
            await dialer.dial(campaign, 1, time.time())
            reply = await apply_verdict(redis, campaign, carrier.sids[0], "human", now=time.time())
            assert reply[:2] == ["bridged", uid]
            bridged = await next_of(ws, "bridged")
            assert bridged["call_sid"] == carrier.sids[0] and bridged["contact"]["first_name"].startswith(
                "Voter"
            )
            step = await next_of(ws, "step")
            assert step["contact_id"] == bridged["contact_id"] and step["step"]["id"] == "intro"
        # The page reloads in the middle of the call: the voter and the step come back.
        async with websockets.connect(ws_url) as ws:
            again = await next_of(ws, "step")
            assert again["contact_id"] == bridged["contact_id"]
        found = await agent(redis, "pw", uid)
        assert found is not None and found.state is AgentState.TALKING  # a reload does not drop the voter
        # The server has finished with that page (its clean-up leaves the pool if ready) before we go on:
        # otherwise the clean-up could come after the ready below and undo it.
        await page_gone(base_url, uid)
        # Bridged while no page is open (say, between a reload's two requests): shown on connecting.
        assert (await http.post("/api/campaigns/pw/ready", json={"ready": True})).json()["state"] == "ready"
        await dialer.dial(campaign, 1, time.time())
        assert (await apply_verdict(redis, campaign, carrier.sids[1], "human", now=time.time()))[1] == uid
        async with websockets.connect(ws_url) as ws:
            missed = await next_of(ws, "bridged")
            assert missed["call_sid"] == carrier.sids[1] and missed["contact_id"] != bridged["contact_id"]
            assert (await next_of(ws, "step"))["contact_id"] == missed["contact_id"]
        # Ready again (the call is over), then the page closes: out of the pool, no voter sent to it.
        async with websockets.connect(ws_url) as ws:
            await http.post("/api/campaigns/pw/ready", json={"ready": True})
        for _ in range(50):
            found = await agent(redis, "pw", uid)
            if found is not None and found.state is AgentState.AWAY:
                break
            await asyncio.sleep(0.05)
        assert found is not None and found.state is AgentState.AWAY
    finally:
        await http.aclose()
        await redis.aclose()


def test_bridged_voters_reach_the_volunteers_page(tmp_path: Path, clean_redis: str) -> None:
    with ServerProcess(tmp_path, clean_redis) as server, server.client() as admin:
        asyncio.run(seed_script(clean_redis))
        r = admin.post("/api/campaigns", json={"id": "pw", "name": "Power", "script_id": "gotv-2026",
                                               "caller_id": "+14155550199", "mode": "power"})  # fmt: skip
        assert r.status_code == 201, r.text
        asyncio.run(seed(clean_redis, "pw", 5))
        r = httpx.post(
            f"{server.base_url}/api/auth/signup",
            json={"email": "p@example.org", "name": "P", "password": "a long password"},
        )
        asyncio.run(scenario(clean_redis, server.base_url, r.json()["token"], r.json()["user"]["id"]))
        assert not server.tracebacks(), server.tracebacks()
