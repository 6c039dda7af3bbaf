"""The stats' active_volunteers counts volunteers holding a list, not the server's own batch (in power and
predictive modes the pacer holds the contacts it is dialing in a batch of a pseudo-volunteer), as the stats
route and the live stats give them (campaign_stats.enrich over queue.results.stats)."""

from __future__ import annotations

import time

import pytest
import redis.asyncio as aioredis

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
