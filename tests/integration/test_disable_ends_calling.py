"""Disabling a volunteer stops their calling at once: the batch they held goes back to the queue (it stayed
leased for the rest of its 30-minute lease, so its voters went uncalled), the voter a power volunteer was
talking to is hung up by the pacer, they leave the dialing pool, and their own phone line is hung up."""

from __future__ import annotations

import asyncio
from typing import Any

from dialer.campaigns import Campaign
from dialer.connections import async_client
from dialer.dialing.agents import set_ready
from dialer.models import Mode
from dialer.queue import keys
from dialer.settings import Settings
from dialer.stores.campaigns import CampaignStore
from dialer.web.deps import Deps
from dialer.web.disabled_calls import end_calling
from tests.conftest import ADMIN
from tests.integration.test_api_batches import World, take, world

__all__ = ["world"]
NOW = 1_800_000_000.0


def _me(w: World, who: dict[str, str]) -> str:
    return str(w.client.get("/api/me", headers=who).json()["user"]["id"])


def _counts(w: World) -> dict[str, Any]:
    return dict(w.client.get("/api/campaigns/dc/stats", headers=ADMIN).json())


def test_a_disabled_volunteers_batch_goes_back_to_the_queue_at_once(world: World) -> None:
    w = world
    status, batch = take(w, w.volunteer)
    assert status == 201 and len(batch["contacts"]) == 2
    first, second = batch["contacts"]
    r = w.client.post(
        f"/api/batches/{batch['id']}/results",
        json={"contact_id": first["id"], "result": "not_home"},
        headers=w.volunteer,
    )
    assert r.status_code == 200, r.text
    before = _counts(w)
    assert before["leased"] == 1, before
    uid = _me(w, w.volunteer)
    r = w.client.put(f"/api/users/{uid}/disabled", json={"disabled": True}, headers=ADMIN)
    assert r.status_code == 200, r.text
    after = _counts(w)
    assert after["leased"] == 0 and after["pending"] == before["pending"] + 1, after
    # Still well inside the lease: the other volunteer is handed the voter the disabled one never called.
    handed: set[str] = set()
    while True:
        status, got = take(w, w.other)
        if status not in (200, 201) or not got["contacts"]:
            break
        ids = {c["id"] for c in got["contacts"]}
        if ids <= handed:
            break
        handed |= ids
        for c in got["contacts"]:
            w.client.post(
                f"/api/batches/{got['id']}/results",
                json={"contact_id": c["id"], "result": "not_home"},
                headers=w.other,
            )
    assert second["id"] in handed and first["id"] not in handed


class _Carrier:
    def __init__(self) -> None:
        self.hung_up: list[str] = []

    async def hangup(self, call_sid: str) -> None:
        self.hung_up.append(call_sid)


def test_a_disabled_power_volunteer_is_taken_off_the_line_and_out_of_the_pool(
    clean_redis: str, app_settings: Settings
) -> None:
    async def scenario() -> None:
        redis = async_client(clean_redis)
        campaign = Campaign(
            id="pw", name="Power", script_id="s", caller_id="+12025550199", created_at=NOW, mode=Mode.POWER
        )
        await CampaignStore(redis).create(campaign)
        for v in ("vol", "other"):
            await set_ready(redis, "pw", v, True, now=NOW, lease_seconds=600)
        # "vol" is talking to a voter the pacer dialed, on their own phone (call me).
        voter, phone = "CA" + "1" * 32, "CA" + "2" * 32
        await redis.hset(keys.dial_agent("pw", "vol"), mapping={"state": "talking", "call_sid": voter})
        await redis.hset(keys.phone_leg("pw", "vol"), mapping={"call_sid": phone, "state": "connected"})
        carrier = _Carrier()
        d = Deps(settings=app_settings, redis=redis, clock=lambda: NOW + 5, secret_key="s", carrier=carrier)
        await end_calling(d, "vol")
        assert await redis.lrange(keys.dial_actions("pw"), 0, -1) == [f"hangup|{voter}"]
        assert carrier.hung_up == [phone]
        assert await redis.hget(keys.dial_agent("pw", "vol"), "state") == "away"
        pool = await redis.zrange(keys.dial_pool("pw"), 0, -1)
        assert pool == ["other"]
        # Nothing of anyone else's is touched.
        assert await redis.hget(keys.dial_agent("pw", "other"), "state") == "ready"
        await redis.aclose()

    asyncio.run(scenario())
