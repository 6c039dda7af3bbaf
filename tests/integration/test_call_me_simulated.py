""" "Call me" end to end with the simulated carrier over real HTTP and a real WebSocket: the simulated
volunteer's phone hears the verification code (a wrong one is typed first), answers "call me", presses 1
and joins the conference; the call socket hears each move of the leg, and hanging up the phone takes the
volunteer out of the dialing pool. The very webhooks and signatures Twilio would use are exercised."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
import websockets

from dialer.app import create_app
from dialer.connections import async_client
from dialer.dialing.agents import agent
from dialer.settings import Settings
from dialer.telephony.simulated import SimulatedCarrier
from dialer.telephony.simulated_phone import PhoneProfile
from tests.e2e.calling import seed_script
from tests.servers import ADMIN_TOKEN, free_port

MINE = "+13125550142"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@dataclass
class Served:
    base_url: str
    carrier: SimulatedCarrier
    redis_url: str


@pytest.fixture
async def served(clean_redis: str, tmp_path: Path) -> AsyncIterator[Served]:
    await seed_script(clean_redis)
    port = free_port()
    settings = Settings(
        redis_url=clean_redis,
        data_dir=tmp_path,
        secret_key="s",
        admin_token=ADMIN_TOKEN,
        public_url=f"http://127.0.0.1:{port}",
        carrier="simulated",
    )
    carrier = SimulatedCarrier(settings, seed=11, speed=40.0)
    carrier.phones.profile = PhoneProfile(answer_rate=1.0, press_one_rate=1.0)
    config = uvicorn.Config(
        create_app(settings, carrier=carrier),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        ws="websockets-sansio",
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(20):
            while not server.started:
                await asyncio.sleep(0.01)
        yield Served(settings.base_url, carrier, clean_redis)
    finally:
        server.should_exit = True
        await task
        await carrier.aclose()


async def until(what: str, check: Callable[[], Awaitable[Any]], seconds: float = 10.0) -> Any:
    """Waits for `check()` to be truthy, with a deadline."""
    async with asyncio.timeout(seconds):
        while not (found := await check()):
            await asyncio.sleep(0.02)
    assert found, what
    return found


async def next_leg_state(ws: Any, state: str, seconds: float = 10.0) -> dict[str, Any]:
    async with asyncio.timeout(seconds):
        while True:
            message = json.loads(await ws.recv())
            if message["type"] == "phone_leg" and message["state"] == state:
                return dict(message)


@pytest.mark.anyio
async def test_call_me_with_the_simulated_carrier(served: Served) -> None:
    redis = async_client(served.redis_url)
    async with httpx.AsyncClient(base_url=served.base_url) as http:
        body = {
            "id": "pw",
            "name": "PW",
            "script_id": "gotv-2026",
            "caller_id": "+12025550199",
            "mode": "power",
            "calling_method": ["browser", "call_me"],
        }
        assert (await http.post("/api/campaigns", json=body, headers=ADMIN)).status_code == 201
        r = await http.post(
            "/api/auth/signup", json={"email": "v@example.org", "name": "V", "password": "long password"}
        )
        token, uid = r.json()["token"], r.json()["user"]["id"]
        http.cookies.clear()
        me = {"Authorization": f"Bearer {token}"}

        r = await http.put("/api/campaigns/pw/call-me/number", json={"phone": MINE}, headers=me)
        assert r.status_code == 202, r.text
        heard = await until("the code read to the phone", lambda: _heard(served.carrier, MINE))
        code = re.search(r"code is ((?:\d, ){5}\d)", heard).group(1).replace(", ", "")  # type: ignore[union-attr]
        wrong = "000000" if code != "000000" else "111111"
        r = await http.post("/api/campaigns/pw/call-me/number/verify", json={"code": wrong}, headers=me)
        assert r.status_code == 422 and r.json()["error"]["code"] == "wrong_code"
        r = await http.post("/api/campaigns/pw/call-me/number/verify", json={"code": code}, headers=me)
        assert r.status_code == 200 and r.json() == {"number": "•••• •••0142"}

        ws_url = served.base_url.replace("http", "ws", 1) + f"/ws/call/pw?token={token}"
        async with websockets.connect(ws_url) as ws:
            r = await http.post("/api/campaigns/pw/call-me", headers=me)
            assert r.status_code == 201, r.text
            sid = r.json()["call_sid"]
            answered = await next_leg_state(ws, "answered")
            assert answered == {"type": "phone_leg", "state": "answered", "call_sid": sid}
            await next_leg_state(ws, "connected")
            ready = await agent(redis, "pw", uid)
            assert ready is not None and ready.state.value == "ready"
            view = (await http.get("/api/campaigns/pw/call-me", headers=me)).json()
            assert view["leg"] == {"call_sid": sid, "state": "connected"} and view["number"] == "•••• •••0142"

            await served.carrier.hangup(sid)  # the volunteer hangs up their phone
            await next_leg_state(ws, "ended")
            gone = await agent(redis, "pw", uid)
            assert gone is None or gone.state.value != "ready"
    await served.carrier.drain()
    assert all(d.status_code in (200, 204) for d in served.carrier.deliveries), served.carrier.deliveries
    await redis.aclose()


async def _heard(carrier: SimulatedCarrier, number: str) -> str | None:
    return carrier.phones.heard.get(number)


@pytest.mark.anyio
async def test_dial_in_with_the_simulated_carrier(served: Served) -> None:
    redis = async_client(served.redis_url)
    inbound = "+12025550199"
    async with httpx.AsyncClient(base_url=served.base_url) as http:
        body = {
            "id": "di",
            "name": "DI",
            "script_id": "gotv-2026",
            "caller_id": inbound,
            "mode": "predictive",
            "calling_method": ["browser", "dial_in"],
            "inbound_number": inbound,
        }
        assert (await http.post("/api/campaigns", json=body, headers=ADMIN)).status_code == 201
        r = await http.post(
            "/api/auth/signup", json={"email": "d@example.org", "name": "D", "password": "long password"}
        )
        token, uid = r.json()["token"], r.json()["user"]["id"]
        http.cookies.clear()
        me = {"Authorization": f"Bearer {token}"}
        pin = (await http.post("/api/campaigns/di/dial-in/pin", headers=me)).json()["pin"]
        wrong = "000000" if pin != "000000" else "111111"

        ws_url = served.base_url.replace("http", "ws", 1) + f"/ws/call/di?token={token}"
        async with websockets.connect(ws_url) as ws:
            # Three wrong PINs: hung up, nobody connected.
            _, connected = await served.carrier.dial_in("di", inbound, MINE, [wrong, wrong, wrong, pin])
            assert not connected and await agent(redis, "di", uid) is None
            # A wrong PIN, then the right one.
            sid, connected = await served.carrier.dial_in("di", inbound, MINE, [wrong, pin])
            assert connected
            message = await next_leg_state(ws, "connected")
            assert message["call_sid"] == sid
            ready = await agent(redis, "di", uid)
            assert ready is not None and ready.state.value == "ready"
            # The PIN worked once.
            _, again = await served.carrier.dial_in("di", inbound, MINE, [pin])
            assert not again
            await served.carrier.hangup(sid)  # the volunteer hangs up
            await next_leg_state(ws, "ended")
            gone = await agent(redis, "di", uid)
            assert gone is None or gone.state.value != "ready"
    await redis.aclose()
