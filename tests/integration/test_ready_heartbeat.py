"""The waiting page's heartbeat never ends a call the server has just put through.

The page says `ready` every 25 s while it waits (a sign of life). A voter bridged to the volunteer while
that request was on its way (before the page heard `bridged`) met a "ready while talking", which ends the
call: the voter who had just been put through was hung up (two a run in bench/crowd_kill.py's power runs,
where the simulated volunteer said ready on a new socket). The heartbeat now says `alive`: a volunteer
already on a call keeps it; an explicit `ready` (the page's next call after saving) still ends it."""

from __future__ import annotations

import time

import pytest
import redis.asyncio as aioredis

from dialer.dialing.agents import AgentState, agent, set_ready, socket_opened
from dialer.dialing.bridge import apply_verdict
from dialer.models import Mode
from dialer.queue import keys as dkeys
from tests.integration.dialing_support import FakeCarrier, add_contacts, make_campaign, pacer
from tests.integration.test_api_batches import World, world

__all__ = ["world"]


@pytest.mark.anyio
async def test_a_heartbeat_keeps_the_voter_just_bridged_and_a_ready_ends_the_call(
    redis: aioredis.Redis,
) -> None:
    campaign = await make_campaign(redis, mode=Mode.POWER)
    await add_contacts(redis, campaign.id, 2)
    now = time.time()
    await set_ready(redis, campaign.id, "val", True, now=now, lease_seconds=600)
    carrier = FakeCarrier()
    assert await pacer(redis, carrier).dial(campaign, 1, now) == 1
    bridged = await apply_verdict(redis, campaign, carrier.sids[0], "human", now=now + 1)
    assert bridged[0] == "bridged" and bridged[1] == "val"
    before = await redis.lrange(dkeys.dial_actions(campaign.id), 0, -1)

    beat = await set_ready(redis, campaign.id, "val", True, now=now + 1.1, lease_seconds=600, alive=True)
    assert beat.state == "talking" and beat.call_sid == carrier.sids[0] and beat.contact_id == bridged[2]
    found = await agent(redis, campaign.id, "val")
    assert found is not None and found.state is AgentState.TALKING and found.seen == pytest.approx(now + 1.1)
    assert await redis.lrange(dkeys.dial_actions(campaign.id), 0, -1) == before  # no hang-up asked for

    ready = await set_ready(redis, campaign.id, "val", True, now=now + 60, lease_seconds=600)
    assert ready.state == "ready"
    actions = await redis.lrange(dkeys.dial_actions(campaign.id), 0, -1)
    assert actions[len(before) :] == [f"hangup|{carrier.sids[0]}"]


@pytest.mark.anyio
async def test_a_heartbeat_of_a_waiting_or_dropped_volunteer_is_a_ready(redis: aioredis.Redis) -> None:
    campaign = await make_campaign(redis, mode=Mode.POWER)
    now = time.time()
    assert (
        await set_ready(redis, campaign.id, "val", True, now=now, lease_seconds=600, alive=True)
    ).state == "ready"
    assert await redis.zscore(dkeys.dial_ready(campaign.id), "val") is not None
    await set_ready(redis, campaign.id, "val", False, now=now + 1, lease_seconds=600)
    back = await set_ready(redis, campaign.id, "val", True, now=now + 2, lease_seconds=600, alive=True)
    assert back.state == "ready" and await redis.zscore(dkeys.dial_ready(campaign.id), "val") is not None


def test_the_ready_route_takes_alive_only_with_ready_true(world: World) -> None:
    """`{ready: true, alive: true}` is accepted (here a preview campaign's 409 `not_dialing` follows);
    `alive` without `ready: true`, or not a boolean, is a 422 naming it."""
    post = world.client.post
    r = post("/api/campaigns/dc/ready", json={"ready": True, "alive": True}, headers=world.volunteer)
    assert r.status_code == 409 and r.json()["error"]["code"] == "not_dialing", r.text
    for body in ({"ready": False, "alive": True}, {"ready": True, "alive": "yes"}):
        r = post("/api/campaigns/dc/ready", json=body, headers=world.volunteer)
        assert r.status_code == 422 and r.json()["error"]["details"][0]["path"] == "alive", (body, r.text)


@pytest.mark.anyio
async def test_a_socket_noticed_closed_after_a_newer_one_opened_leaves_the_volunteer_in_the_pool(
    redis: aioredis.Redis,
) -> None:
    """A phone's connection dropped silently: the page opened a new socket and said ready again before the
    server noticed the old socket's end. That late clean-up took the present volunteer out of the pool until
    their next heartbeat (up to 25 s of no voters); now only the latest socket's close takes them out."""
    campaign = await make_campaign(redis, mode=Mode.POWER)
    now = time.time()
    old = await socket_opened(redis, campaign.id, "val")
    await set_ready(redis, campaign.id, "val", True, now=now, lease_seconds=600)
    new = await socket_opened(redis, campaign.id, "val")
    assert new != old
    await set_ready(redis, campaign.id, "val", True, now=now + 1, lease_seconds=600, alive=True)

    late = await set_ready(redis, campaign.id, "val", False, now=now + 2, lease_seconds=600,
                           only_if_ready=True, socket=old)  # fmt: skip
    assert late.state == "kept" and await redis.zscore(dkeys.dial_ready(campaign.id), "val") is not None
    last = await set_ready(redis, campaign.id, "val", False, now=now + 3, lease_seconds=600,
                           only_if_ready=True, socket=new)  # fmt: skip
    assert last.state == "away" and await redis.zscore(dkeys.dial_ready(campaign.id), "val") is None
    found = await agent(redis, campaign.id, "val")
    assert found is not None and found.state is AgentState.AWAY
