"""A voter rung twice at once: 30 simultaneous `POST /api/campaigns/{id}/calls` for one contact placed two
calls at the same time. The per-batch dial limit (2: a redial after a busy signal) bounded the count, but
nothing stopped the second dial while the first was still ringing. Now dial_start.lua refuses a dial while
another call to the same voter is not yet final (409 `call_refused`, reason `call_in_progress`; the browser
hears the refusal), on every path that dials in preview: the voice webhook, the simulated phone's Call button
and a phone leg's calls. A final callback that never comes holds the voter only for a bound."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest
import redis.asyncio as aioredis
import uvicorn

from dialer.app import create_app
from dialer.connections import async_client
from dialer.contacts import Contact
from dialer.guardrails import Refusal
from dialer.queue import keys
from dialer.queue.attempts import CALL_TIME_LIMIT, UNANSWERED_LIVE_SECONDS, AttemptStore
from dialer.queue.lease import LeaseQueue
from dialer.settings import Settings
from dialer.telephony.simulated import SimulatedCarrier
from dialer.telephony.simulated_plan import SimProfile
from tests.e2e.calling import STAYS_ON_THE_LINE, seed_script
from tests.integration.test_call_me import ACCOUNT
from tests.integration.test_call_me_simulated import until
from tests.integration.test_phone_dial import World as PhoneWorld
from tests.integration.test_phone_dial import connect_phone
from tests.integration.test_phone_dial import world as phone_world
from tests.integration.test_webhooks import NOON_NEW_YORK, sign
from tests.servers import ADMIN_TOKEN, free_port

__all__ = ["phone_world"]

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
ZONE = "America/New_York"


@dataclass
class Served:
    base_url: str
    redis: aioredis.Redis


@pytest.fixture
async def served(clean_redis: str, tmp_path: Path) -> AsyncIterator[Served]:
    """The web app on a real port with the simulated carrier (which calls it back, signed), its clock
    held at noon in New York."""
    await seed_script(clean_redis)
    port = free_port()
    settings = Settings(
        redis_url=clean_redis, data_dir=tmp_path, secret_key="s", admin_token=ADMIN_TOKEN,
        public_url=f"http://127.0.0.1:{port}", carrier="simulated",
    )  # fmt: skip
    carrier = SimulatedCarrier(settings, seed=5, speed=40.0)
    carrier.profile = SimProfile(**json.loads(STAYS_ON_THE_LINE))
    config = uvicorn.Config(
        create_app(settings, carrier=carrier, clock=lambda: NOON_NEW_YORK),
        host="127.0.0.1", port=port, log_level="warning", ws="websockets-sansio",
    )  # fmt: skip
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    redis = async_client(clean_redis)  # a cluster client when the suite runs on one
    try:
        async with asyncio.timeout(20):
            while not server.started:
                await asyncio.sleep(0.01)
        yield Served(settings.base_url, redis)
    finally:
        server.should_exit = True
        await task
        await carrier.aclose()
        await redis.aclose()


async def _volunteer_with_a_contact(
    http: httpx.AsyncClient, redis: aioredis.Redis
) -> tuple[dict[str, str], str]:
    body = {"id": "once", "name": "Once", "script_id": "gotv-2026", "caller_id": "+12025550199"}
    assert (await http.post("/api/campaigns", json=body, headers=ADMIN)).status_code == 201
    await LeaseQueue(redis).add_contacts(
        "once", [Contact(phone="+12025550111", timezone=ZONE, first_name="Ada")], NOON_NEW_YORK
    )
    r = await http.post(
        "/api/auth/signup", json={"email": "v@example.org", "name": "V", "password": "long password"}
    )
    me = {"Authorization": f"Bearer {r.json()['token']}"}
    http.cookies.clear()
    batch = await http.post("/api/campaigns/once/batches", headers=me)
    assert batch.status_code == 201, batch.text
    return me, batch.json()["contacts"][0]["id"]


@pytest.mark.anyio
async def test_thirty_simultaneous_calls_ring_the_voter_once(served: Served) -> None:
    async with httpx.AsyncClient(base_url=served.base_url, timeout=60) as http:
        me, contact = await _volunteer_with_a_contact(http, served.redis)
        answers = await asyncio.gather(
            *(
                http.post("/api/campaigns/once/calls", json={"contact_id": contact}, headers=me)
                for _ in range(30)
            )
        )
        placed = [r for r in answers if r.status_code == 201]
        assert len(placed) == 1, [r.text for r in answers if r.status_code != 409]
        for r in answers:
            if r.status_code == 409:
                assert r.json()["error"]["code"] == "call_refused"
                assert r.json()["error"]["details"] == [{"reason": "call_in_progress"}]
        assert await served.redis.zcard(keys.attempts("once")) == 1
        sid = placed[0].json()["call_sid"]

        # Once that call has ended (the carrier's final callback), the voter may be called again.
        r = await http.post(f"/api/campaigns/once/calls/{sid}/hangup", headers=me)
        assert r.status_code == 204, r.text

        async def ended() -> bool:
            call = (await http.get(f"/api/campaigns/once/calls/{sid}", headers=me)).json()
            return call.get("status") in {"completed", "canceled", "no-answer", "busy", "failed"}

        await until("the first call's final callback", ended)
        again = await http.post("/api/campaigns/once/calls", json={"contact_id": contact}, headers=me)
        assert again.status_code == 201, again.text


async def _held(redis: aioredis.Redis) -> None:
    await redis.hset(keys.contact("lv", "7"), mapping={"phone": "+12025550107"})
    await redis.hset(keys.lease_of("lv"), "7", "b1")


async def _dial(store: AttemptStore, sid: str, now: float) -> Refusal | None:
    return await store.dial(
        "lv", sid, contact_id="7", volunteer="v", phone="+12025550107", now=now, max_attempts=3
    )


@pytest.mark.anyio
async def test_a_lost_final_callback_holds_the_voter_only_for_a_bound(redis: aioredis.Redis) -> None:
    await _held(redis)
    store = AttemptStore(redis)
    first, second, third = (f"CA{n:032x}" for n in range(3))
    assert await _dial(store, first, 100.0) is None
    assert await _dial(store, second, 100.0 + UNANSWERED_LIVE_SECONDS - 1) is Refusal.CALL_IN_PROGRESS
    assert await _dial(store, first, 101.0) is None  # Twilio retrying the webhook: the same call, uncounted
    # Never answered and its end never reported: it has rung out by now.
    assert await _dial(store, second, 100.0 + UNANSWERED_LIVE_SECONDS) is None
    # An answered call is held for as long as the carrier lets a call last.
    await redis.hset(
        keys.attempt("lv", second), mapping={"status": "in-progress", "rank": "3", "answered_at": "300"}
    )
    start = 100.0 + UNANSWERED_LIVE_SECONDS
    assert await _dial(store, third, start + UNANSWERED_LIVE_SECONDS + 1) is Refusal.CALL_IN_PROGRESS
    assert (
        await _dial(store, third, start + CALL_TIME_LIMIT) is Refusal.DIAL_LIMIT
    )  # no longer live: 2 a batch


@pytest.mark.anyio
async def test_a_final_status_frees_the_voter_at_once(redis: aioredis.Redis) -> None:
    await _held(redis)
    store = AttemptStore(redis)
    assert await _dial(store, "CA" + "1" * 32, 100.0) is None
    await redis.hset(keys.attempt("lv", "CA" + "1" * 32), mapping={"status": "busy", "rank": "4"})
    assert await _dial(store, "CA" + "2" * 32, 101.0) is None
    assert await _dial(store, "CA" + "3" * 32, 102.0) is Refusal.CALL_IN_PROGRESS


def test_a_call_placed_into_a_phone_leg_holds_the_voter_under_its_callsid(phone_world: PhoneWorld) -> None:
    """A volunteer on their own phone: the server places the voter's call under an id of its own, then
    attaches it to the carrier's CallSid (phone_dial_attach.lua); the voter stays held under that CallSid,
    so a browser's dial of them (the voice webhook) is refused until the call is over."""
    w = phone_world
    connect_phone(w)
    contact = w.contacts[0]
    r = w.dial(contact)
    assert r.status_code == 201, r.text
    sid = r.json()["call_sid"]
    assert w.store().hget(keys.contact("dc", contact), "live_sid") == sid
    form = {
        "AccountSid": ACCOUNT, "CallSid": "CA" + "b" * 32, "From": f"client:{w.volunteer}", "To": "",
        "CallStatus": "ringing", "Direction": "inbound", "ApiVersion": "2010-04-01",
        "contact_id": contact, "campaign_id": "dc",
    }  # fmt: skip
    browser = w.client.post("/twilio/voice", content=urlencode(form), headers=sign("/twilio/voice", form))
    assert "<Dial" not in browser.text and "already being called" in browser.text, browser.text
