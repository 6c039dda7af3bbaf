"""A pacer that dies (or stalls past its lock) between taking contacts into the server's batch and calling
them: the next holder of the campaign's lock hands them back to the queue (dialer/dialing/orphans.py). The
server's batch is renewed at every take, so before this they stayed leased for the whole call day (a worker
killed mid-round left 65 of 400 contacts out of reach)."""

from __future__ import annotations

import time

import pytest
import redis.asyncio as aioredis

from dialer.dialing.agents import set_ready
from dialer.dialing.pacer_loop import LOOK_SECONDS, CampaignPacer
from dialer.queue import keys
from dialer.queue import keys as dkeys
from tests.integration.dialing_support import SETTINGS, FakeCarrier, add_contacts, make_campaign, pacer

pytestmark = pytest.mark.anyio


async def counts(redis: aioredis.Redis, campaign_id: str) -> tuple[int, int]:
    c = await redis.hgetall(keys.counters(campaign_id))
    return int(c.get("leased", 0)), int(c.get("pending", 0))


async def test_contacts_a_dead_pacer_took_and_never_dialed_go_back_to_the_queue(
    redis: aioredis.Redis,
) -> None:
    campaign = await make_campaign(redis)
    await add_contacts(redis, campaign.id, 6)
    now = time.time()
    await set_ready(redis, campaign.id, "u1", True, now=now, lease_seconds=600)
    dead_carrier = FakeCarrier()
    dead = pacer(redis, dead_carrier)
    assert await dead.dial(campaign, 1, now) == 1  # a line in flight: its voter is being called
    batch_id, taken = await dead.take(campaign, 3, now)  # and then it died, before calling these three
    assert len(taken) == 3 and await counts(redis, campaign.id) == (4, 2)
    await redis.delete(dkeys.dial_lock(campaign.id))  # its lock ran out

    clock = [now + 10]
    live = CampaignPacer(redis, FakeCarrier(), SETTINGS, campaign.id, clock=lambda: clock[0], scale=1.0)
    assert await live.hold_lock()
    await live.look_around(campaign)  # the first look: without a line, but perhaps being recorded this moment
    assert await counts(redis, campaign.id) == (4, 2)
    clock[0] += LOOK_SECONDS - 1
    await live.look_around(campaign)  # not time yet
    assert await counts(redis, campaign.id) == (4, 2)
    clock[0] += 1
    await live.look_around(campaign)
    assert await counts(redis, campaign.id) == (1, 5)  # the three are callable again, at their old due time
    lease_of = await redis.hmget(keys.lease_of(campaign.id), [c.id for c in taken])
    assert lease_of == ["pending"] * 3
    placed = dead_carrier.placed[0].status_callback.split("contact_id=")[1].split("&")[0]
    assert await redis.hget(keys.lease_of(campaign.id), placed) == batch_id  # the line's voter stays
    clock[0] += LOOK_SECONDS
    await live.look_around(campaign)  # nothing more to hand back; the line in flight is never a suspect
    assert await counts(redis, campaign.id) == (1, 5)
    assert live.suspects == frozenset()


async def test_a_contact_moved_on_between_two_looks_is_left_alone(redis: aioredis.Redis) -> None:
    """The first look can catch a line's end while its webhook records the outcome (which moves the
    contact out of the server's batch): the second look finds it gone and hands nothing back."""
    campaign = await make_campaign(redis)
    await add_contacts(redis, campaign.id, 2)
    now = time.time()
    clock = [now]
    p = CampaignPacer(redis, FakeCarrier(), SETTINGS, campaign.id, clock=lambda: clock[0], scale=1.0)
    assert await p.hold_lock()
    batch_id, taken = await p.take(campaign, 2, now)
    await p.look_around(campaign)
    assert p.suspects == {c.id for c in taken}
    # One of them is recorded meanwhile (as record_outcome does for a finished line): out of the batch.
    await redis.hset(keys.lease_of(campaign.id), taken[0].id, "done")
    await redis.srem(keys.batch_contacts(campaign.id, batch_id), taken[0].id)
    clock[0] += LOOK_SECONDS
    await p.look_around(campaign)
    assert await redis.hmget(keys.lease_of(campaign.id), [c.id for c in taken]) == ["done", "pending"]


async def test_a_pacer_that_lost_its_lock_stops_calling(redis: aioredis.Redis) -> None:
    """A pacer stalled past its lock's expiry (another worker holds the campaign now) places no more calls
    of the round it was in: two pacers would dial at twice the pace."""
    campaign = await make_campaign(redis)
    await add_contacts(redis, campaign.id, 3)
    now = time.time()
    carrier = FakeCarrier()
    stalled = pacer(redis, carrier)
    assert await stalled.hold_lock()
    await redis.set(dkeys.dial_lock(campaign.id), "another-workers-token", px=5000)
    assert await stalled.dial(campaign, 3, now) == 0
    assert carrier.placed == []
