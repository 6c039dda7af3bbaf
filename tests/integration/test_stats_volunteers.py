"""The stats' active_volunteers counts volunteers holding a list, not the server's own batch (in power and
predictive modes the pacer holds the contacts it is dialing in a batch of a pseudo-volunteer), as the stats
route and the live stats give them (campaign_stats.enrich over queue.results.stats)."""

from __future__ import annotations

import time

import pytest
import redis.asyncio as aioredis

from dialer.dialing.agents import AGENT_TIMEOUT, set_ready
from dialer.queue.lease import LeaseQueue, NoContacts
from dialer.queue.results import stats
from dialer.stores.campaign_stats import enrich
from tests.integration.dialing_support import FakeCarrier, add_contacts, make_campaign, pacer

pytestmark = pytest.mark.anyio


async def test_the_pacers_batch_is_not_an_active_volunteer(redis: aioredis.Redis) -> None:
    campaign = await make_campaign(redis)
    await add_contacts(redis, campaign.id, 6)
    now = time.time()

    async def active() -> int:
        return int(
            (await enrich(redis, campaign, await stats(redis, campaign.id, now), now))["active_volunteers"]
        )

    assert await active() == 0
    _, taken = await pacer(redis, FakeCarrier()).take(campaign, 2, now)  # the pacer's batch
    assert len(taken) == 2
    assert await active() == 0
    queue = LeaseQueue(redis)
    got = await queue.claim(
        campaign.id,
        "vol-1",
        batch_size=2,
        lease_seconds=600,
        open_zones=await queue.zones(campaign.id),
        now=now,
        max_attempts=3,
    )
    assert not isinstance(got, NoContacts)
    assert await active() == 1


async def test_power_counts_only_lists_of_volunteers_still_taking_calls(redis: aioredis.Redis) -> None:
    """A power volunteer's list (where the voters bridged to them go) is held for the campaign's lease, 15
    minutes in the demo, after they stop taking calls or the campaign pauses: the tile counted 3 while 1
    was online. One who left the pool, or went quiet past the pool's timeout, is not counted."""
    campaign = await make_campaign(redis, lease_seconds=900)
    await add_contacts(redis, campaign.id, 9)
    now = time.time()
    queue = LeaseQueue(redis)

    async def active(at: float) -> int:
        data = await enrich(redis, campaign, await stats(redis, campaign.id, at), at)
        return int(data["active_volunteers"])

    for volunteer in ("vol-1", "vol-2", "vol-3"):
        await set_ready(redis, campaign.id, volunteer, True, now=now, lease_seconds=900)
        got = await queue.claim(
            campaign.id, volunteer, batch_size=2, lease_seconds=900,
            open_zones=await queue.zones(campaign.id), now=now, max_attempts=3,
        )  # fmt: skip
        assert not isinstance(got, NoContacts)
    assert await active(now) == 3
    await set_ready(redis, campaign.id, "vol-2", False, now=now + 1, lease_seconds=900)  # stopped
    assert await active(now + 1) == 2
    later = now + AGENT_TIMEOUT + 5  # vol-1's page is alive; vol-3's went quiet (its list is still held)
    await set_ready(redis, campaign.id, "vol-1", True, now=later - 1, lease_seconds=900, alive=True)
    assert await active(later) == 1
    numbers = (await enrich(redis, campaign, await stats(redis, campaign.id, later), later))["dialer"]
    assert numbers["volunteers"]["ready"] == 1
