"""A power call survives the volunteer's page reloading mid-call, end to end: the app served by uvicorn with
the simulated carrier, real HTTP and real WebSockets, and the pacer with a carrier of its own (as the worker
runs it: the voter's leg exists only there, so only the pacer can move it), every webhook signed and
delivered as Twilio would.

The page's leg leaves its conference as the page goes; it used to end the room and hang the voter up. Now
the pacer holds the voter (told to hold, at most 60 s, then goodbye: the carrier keeps the limit), the
reloaded page is back at the same voter and step, and its new leg has the pacer take the voter back. A page
that never comes back leaves a voter told goodbye after the hold: a connected conversation that ended (the
volunteer records it), not an abandoned call."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis
import websockets

from dialer.connections import async_client
from dialer.dialing.pacer_loop import CampaignPacer
from dialer.queue import keys
from dialer.settings import Settings
from dialer.telephony.simulated import SimulatedCarrier
from dialer.telephony.simulated_plan import SimProfile
from tests.e2e.calling import STAYS_ON_THE_LINE
from tests.e2e.test_power_dialing import seed
from tests.e2e.test_preview_conference import account
from tests.integration.test_call_me_simulated import ADMIN, Served, served
from tests.integration.test_phone_dial_simulated import next_of

__all__ = ["served"]


@dataclass
class Call:
    http: httpx.AsyncClient
    redis: aioredis.Redis
    carrier: SimulatedCarrier  # the pacer's
    volunteer: str
    me: dict[str, str]
    ws_url: str
    leg: str
    sid: str
    contact: str
    step: str


async def until(check: Callable[[], Any], what: str, seconds: float = 30.0) -> None:
    """Wait for something the server or the carrier does in its own time (a bounded wait, then say what)."""
    try:
        async with asyncio.timeout(seconds):
            while not await check():
                await asyncio.sleep(0.02)
    except TimeoutError:
        raise AssertionError(f"never happened: {what}") from None


@pytest.fixture
async def on_a_call(served: Served, tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[Call]:
    """A volunteer on a power call the pacer dialed and bridged to them, their page's leg in their room.
    The pacer's carrier runs `request.param` times faster than real time."""
    speed = float(request.param)
    settings = Settings(redis_url=served.redis_url, data_dir=tmp_path, secret_key="s",
                        public_url=served.base_url, carrier="simulated", sim_speed=speed)  # fmt: skip
    talks = SimProfile(**json.loads(STAYS_ON_THE_LINE))
    carrier = SimulatedCarrier(settings, seed=7, speed=speed, profile=talks)
    redis = async_client(served.redis_url, decode_responses=True)
    stopped = False
    pacer = CampaignPacer(redis, carrier, settings, "ph", scale=speed)
    running = None
    try:
        async with httpx.AsyncClient(base_url=served.base_url) as http:
            body = {"id": "ph", "name": "Power Hold", "script_id": "gotv-2026", "caller_id": "+12025550199",
                    "mode": "power", "batch_size": 1}  # fmt: skip
            assert (await http.post("/api/campaigns", json=body, headers=ADMIN)).status_code == 201
            await seed(served.redis_url, "ph", 1)
            volunteer, token = await account(http, "hold@example.org")
            me = {"Authorization": f"Bearer {token}"}
            ws_url = served.base_url.replace("http", "ws", 1) + f"/ws/call/ph?token={token}"
            async with websockets.connect(ws_url) as ws:
                await next_of(ws, "campaign")
                r = await http.post("/api/campaigns/ph/conference-leg", headers=me)
                assert r.status_code == 201, r.text
                leg = r.json()["call_sid"]
                r = await http.post("/api/campaigns/ph/ready", json={"ready": True}, headers=me)
                assert r.is_success, r.text
                running = asyncio.create_task(pacer.run(lambda: stopped))
                bridged = await next_of(ws, "bridged", seconds=30)
                sid, contact = bridged["call_sid"], bridged["contact_id"]
                await ws.send(json.dumps({"type": "start", "contact_id": contact}))
                step = (await next_of(ws, "step"))["step"]["id"]
            yield Call(http, redis, carrier, volunteer, me, ws_url, leg, sid, contact, step)
    finally:
        stopped = True
        if running is not None:
            await running
        await carrier.aclose()
        await redis.aclose()


def told(carrier: SimulatedCarrier, sid: str, words: str) -> Callable[[], Any]:
    async def check() -> bool:
        return any(s.call_sid == sid and words in s.text for s in carrier.spoken)

    return check


async def counters(call: Call) -> dict[str, str]:
    return dict(await call.redis.hgetall(keys.dial_counters("ph")))


@pytest.mark.anyio
@pytest.mark.parametrize("on_a_call", [4], indirect=True)  # the hold's minute is 15 s of real time
async def test_a_reloaded_page_takes_its_voter_back_from_hold(on_a_call: Call) -> None:
    call, redis = on_a_call, on_a_call.redis
    # The page goes (its socket closed with the `async with` above): its leg leaves the room.
    r = await call.http.delete(f"/api/campaigns/ph/conference-leg/{call.leg}", headers=call.me)
    assert r.status_code == 204, r.text
    assert await redis.get(keys.held_voter("ph", call.volunteer)) == call.sid
    await until(told(call.carrier, call.sid, "will be right back"), "the voter told to hold")

    async with websockets.connect(call.ws_url) as ws:  # the reloaded page: the same voter, the same step
        assert (await next_of(ws, "step"))["step"]["id"] == call.step
        talking = await next_of(ws, "talking")
        assert (talking["contact_id"], talking["call_sid"]) == (call.contact, call.sid)
        r = await call.http.post("/api/campaigns/ph/conference-leg", headers=call.me)  # its leg joins
        assert r.status_code == 201, r.text
        assert await redis.get(keys.held_voter("ph", call.volunteer)) is None

        async def taken_back() -> bool:
            return call.carrier._legs[call.sid].held is None

        await until(taken_back, "the voter taken back into the room")
        assert await redis.hget(keys.attempt("ph", call.sid), "status") == "in-progress"
        # The conversation goes on; the volunteer hangs up at its end.
        r = await call.http.post(f"/api/campaigns/ph/calls/{call.sid}/hangup", headers=call.me)
        assert r.status_code == 204, r.text

        async def ended() -> bool:
            return await redis.hget(keys.attempt("ph", call.sid), "status") == "completed"

        await until(ended, "the call ended by the volunteer")
    assert (await counters(call)).get("abandoned", "0") == "0"


@pytest.mark.anyio
@pytest.mark.parametrize("on_a_call", [40], indirect=True)  # the hold's minute is 1.5 s of real time
async def test_a_page_that_never_comes_back_leaves_a_goodbye_not_an_abandoned_call(on_a_call: Call) -> None:
    call, redis = on_a_call, on_a_call.redis
    r = await call.http.delete(f"/api/campaigns/ph/conference-leg/{call.leg}", headers=call.me)
    assert r.status_code == 204, r.text

    async def ended() -> bool:
        return await redis.hget(keys.attempt("ph", call.sid), "status") == "completed"

    await until(ended, "the held call ended by the carrier")
    assert await told(call.carrier, call.sid, "we lost the connection to your caller. Goodbye.")()

    async def wrapping_up() -> bool:  # the callback notes the status first, then the pacer's verdict
        return await redis.hget(keys.dial_agent("ph", call.volunteer), "state") == "wrap_up"

    # The conversation ended: its volunteer records the result.
    await until(wrapping_up, "the volunteer in wrap-up once the carrier's final callback is applied")
    seen = await counters(call)
    assert (seen.get("live_answers"), seen.get("abandoned", "0")) == ("1", "0")
    assert await redis.xlen(keys.results("ph")) == 0  # nothing recorded for them by the dialer
    r = await call.http.post("/api/campaigns/ph/conference-leg", headers=call.me)  # back too late
    assert r.status_code == 201, r.text
    assert await redis.llen(keys.dial_actions("ph")) == 0  # nobody to take back
