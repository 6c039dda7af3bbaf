"""Preview over "call me", end to end with the simulated carrier over real HTTP and a real WebSocket: the
volunteer's phone is rung and presses 1; Call has the server call the voter into their conference; the call
socket hears the voter's call_status messages; the result recorded over the socket carries the CallSid and
hangs up the voter's leg, while the volunteer's phone stays connected for the next voter. A second click
while the call is up places nothing. Every webhook is signed and delivered as Twilio would."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

import httpx
import pytest
import websockets

from dialer.connections import async_client
from dialer.queue import keys
from dialer.telephony.simulated_plan import SimProfile
from tests.e2e.calling import STAYS_ON_THE_LINE, seed
from tests.integration.test_call_me_simulated import (
    ADMIN,
    MINE,
    Served,
    _heard,
    next_leg_state,
    served,
    until,
)

__all__ = ["served"]  # the fixture, shared with the power-mode "call me" test


async def next_status(ws: Any, status: str | set[str], sid: str, seconds: float = 15.0) -> dict[str, Any]:
    wanted = {status} if isinstance(status, str) else status
    async with asyncio.timeout(seconds):
        while True:
            message = json.loads(await ws.recv())
            if (
                message["type"] == "call_status"
                and message.get("call_sid") == sid
                and message["status"] in wanted
            ):
                return dict(message)


async def next_of(ws: Any, kind: str, seconds: float = 10.0) -> dict[str, Any]:
    async with asyncio.timeout(seconds):
        while True:
            message = json.loads(await ws.recv())
            if message["type"] == kind:
                return dict(message)


@pytest.mark.anyio
async def test_preview_call_over_the_volunteers_phone(served: Served) -> None:
    served.carrier.profile = SimProfile(**json.loads(STAYS_ON_THE_LINE))
    redis = async_client(served.redis_url, decode_responses=True)
    async with httpx.AsyncClient(base_url=served.base_url) as http:
        body = {
            "id": "pv",
            "name": "PV",
            "script_id": "gotv-2026",
            "caller_id": "+12025550199",
            "mode": "preview",
            "calling_method": ["call_me"],
        }
        assert (await http.post("/api/campaigns", json=body, headers=ADMIN)).status_code == 201
        await seed(served.redis_url, "pv", 3)
        r = await http.post(
            "/api/auth/signup", json={"email": "v@example.org", "name": "V", "password": "long password"}
        )
        token, uid = r.json()["token"], r.json()["user"]["id"]
        http.cookies.clear()
        me = {"Authorization": f"Bearer {token}"}
        r = await http.put("/api/campaigns/pv/call-me/number", json={"phone": MINE}, headers=me)
        assert r.status_code == 202, r.text
        heard = await until("the code read to the phone", lambda: _heard(served.carrier, MINE))
        code = re.search(r"code is ((?:\d, ){5}\d)", heard).group(1).replace(", ", "")  # type: ignore[union-attr]
        r = await http.post("/api/campaigns/pv/call-me/number/verify", json={"code": code}, headers=me)
        assert r.status_code == 200, r.text
        batch = (await http.post("/api/campaigns/pv/batches", headers=me)).json()
        contact = batch["contacts"][0]["id"]

        ws_url = served.base_url.replace("http", "ws", 1) + f"/ws/call/pv?token={token}"
        async with websockets.connect(ws_url) as ws:
            r = await http.post("/api/campaigns/pv/call-me", headers=me)
            assert r.status_code == 201, r.text
            leg_sid = r.json()["call_sid"]
            await next_leg_state(ws, "connected")
            assert await redis.hget(keys.dial_agent("pv", uid), "state") is None  # preview: no pool

            await ws.send(json.dumps({"type": "start", "contact_id": contact}))
            step = await next_of(ws, "step")
            assert step["step"]["id"] == "intro"
            r = await http.post("/api/campaigns/pv/phone-leg/calls", json={"contact_id": contact}, headers=me)
            assert r.status_code == 201, r.text
            sid = r.json()["call_sid"]
            assert sid != leg_sid
            await next_status(ws, "in-progress", sid)
            # A second click while the voter is on the line places nothing.
            again = await http.post(
                "/api/campaigns/pv/phone-leg/calls", json={"contact_id": contact}, headers=me
            )
            assert again.status_code == 409 and again.json()["error"]["code"] == "already_on_call"

            # "Not home" ends the script; saving it records the result with the CallSid and hangs up the
            # voter's leg (the volunteer's phone stays in their conference for the next one).
            await ws.send(json.dumps({"type": "answer", "step": "intro", "choice": 1}))
            done = await next_of(ws, "done")
            assert done["result"] == "not_home"
            finish = {"type": "finish", "contact_id": contact, "notes": "", "idempotency_key": "k-1"}
            await ws.send(json.dumps(finish))
            await next_of(ws, "recorded")
            await next_status(ws, "completed", sid)
            assert await redis.hget(keys.phone_leg("pv", uid), "state") == "connected"

            # The next voter is called into the same phone leg.
            second = batch["contacts"][1]["id"]
            r = await http.post("/api/campaigns/pv/phone-leg/calls", json={"contact_id": second}, headers=me)
            assert r.status_code == 201, r.text
            following = r.json()["call_sid"]
            await next_status(ws, "ringing", following)
            # The voter stays on the line: the page's Hang up, then the volunteer hangs up their phone.
            r = await http.post(f"/api/campaigns/pv/calls/{following}/hangup", headers=me)
            assert r.status_code == 204, r.text
            await next_status(ws, {"completed", "canceled", "no-answer"}, following)
            await served.carrier.hangup(leg_sid)
            await next_leg_state(ws, "ended")
        rows = (await http.get("/api/campaigns/pv/results.csv", headers=ADMIN)).text
        assert len(rows.splitlines()) == 2 and f",not_home,1,{uid}," in rows and sid in rows, rows
    async with asyncio.timeout(30):
        await served.carrier.drain()
    assert all(d.status_code in (200, 204) for d in served.carrier.deliveries), served.carrier.deliveries
    dials = [d for d in served.carrier.deliveries if "contact_id=" in d.url and "/twilio/status" in d.url]
    assert dials, "the voter's status callbacks were delivered"
    await redis.aclose()
