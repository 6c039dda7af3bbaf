"""Stats' active_volunteers counts volunteers holding a list, not the server's own batch: in power and
predictive modes the pacer's batch of contacts it is dialing is held by a pseudo-volunteer, and the
dashboard's tile said one volunteer more than there were."""

from __future__ import annotations

import time

import pytest
import redis.asyncio as aioredis

from dialer.queue.lease import LeaseQueue, NoContacts
from dialer.queue.results import stats
from tests.integration.dialing_support import FakeCarrier, add_contacts, make_campaign, pacer

pytestmark = pytest.mark.anyio


async def test_the_pacers_batch_is_not_an_active_volunteer(redis: aioredis.Redis) -> None:
    campaign = await make_campaign(redis)
    await add_contacts(redis, campaign.id, 6)
    now = time.time()
    assert (await stats(redis, campaign.id, now))["active_volunteers"] == 0
    _, taken = await pacer(redis, FakeCarrier()).take(campaign, 2, now)  # the pacer's batch
    assert len(taken) == 2
    assert (await stats(redis, campaign.id, now))["active_volunteers"] == 0
    zones = await LeaseQueue(redis).zones(campaign.id)
    got = await LeaseQueue(redis).claim(
        campaign.id, "vol-1", batch_size=2, lease_seconds=600, open_zones=zones, now=now, max_attempts=3
    )
    assert not isinstance(got, NoContacts)
    assert (await stats(redis, campaign.id, now))["active_volunteers"] == 1
