"""The abandonment cap per 30-day period on a real Redis: the first dial starts the periods, answers and
their drops are counted in the period of the answer (dial_event.lua, dial_abandon.lua), the pacer plans
with the current period only while the lifetime figures stay as they were, and a campaign that dialed
before periods were counted goes on from its lifetime counters."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest
import redis.asyncio as aioredis

from dialer import pacing
from dialer.abandon_periods import PERIOD_SECONDS, START_FIELD
from dialer.dialing.agents import set_ready
from dialer.dialing.bridge import apply_verdict, dial_counters
from dialer.dialing.pacer_loop import CampaignPacer
from dialer.dialing.stats import dialer_numbers
from dialer.models import Mode
from dialer.queue import keys as dkeys
from dialer.times import iso
from tests.integration.dialing_support import SETTINGS, FakeCarrier, add_contacts, make_campaign

pytestmark = pytest.mark.anyio

DAY = 86400.0


class Clock:
    """The pacer's clock, set by the test (the first dial's time starts the periods)."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def pacer_at(redis: aioredis.Redis, carrier: FakeCarrier, clock: Clock) -> CampaignPacer:
    return CampaignPacer(redis, carrier, SETTINGS, "pw", scale=1.0, clock=clock)


async def test_a_long_campaign_plans_with_this_period_s_drops_not_its_banked_lifetime(
    redis: aioredis.Redis,
) -> None:
    campaign = await make_campaign(redis, mode=Mode.PREDICTIVE)
    await add_contacts(redis, campaign.id, 8)
    t0 = time.time()
    carrier, clock = FakeCarrier(), Clock(t0)
    p = pacer_at(redis, carrier, clock)
    assert await p.dial(campaign, 1, t0) == 1
    assert float(await redis.hget(dkeys.dial_counters(campaign.id), START_FIELD)) == t0
    assert (await apply_verdict(redis, campaign, carrier.sids[0], "end", now=t0 + 20, final_status="busy"))[
        0
    ] == "unanswered"
    # A first period of 10,000 answers and 200 drops behind it (counted straight into Redis: 10,000 verdicts
    # would say nothing more).
    key = dkeys.dial_counters(campaign.id)
    for name, n in (
        ("live_answers", 10_000),
        ("abandoned", 200),
        ("p0:live_answers", 10_000),
        ("p0:abandoned", 200),
    ):
        await redis.hincrby(key, name, n)

    # 31 days on (the same time of day: calling hours alike), one volunteer, three people answer.
    t1 = clock.now = t0 + 31 * DAY
    await set_ready(redis, campaign.id, "u1", True, now=t1, lease_seconds=600)
    assert await p.dial(campaign, 3, t1) == 3
    replies = [
        (await apply_verdict(redis, campaign, sid, "human", now=t1 + 6))[0] for sid in carrier.sids[1:]
    ]
    assert replies == ["bridged", "waiting", "waiting"]
    assert await p.abandon_overdue(campaign, t1 + 9) == 2

    inp, _ = await p.pacing_input(campaign, t1 + 10)
    assert (inp.live_answers, inp.abandoned) == (3, 2)  # this period's, not 10,003 and 202
    # With the lifetime bank the pacer would take risk; with this period's figures it takes none.
    assert pacing.decide(replace(inp, live_answers=10_003, abandoned=202)).theta > 0
    assert pacing.decide(inp).theta == 0.0

    counters = await dial_counters(redis, campaign.id)
    assert (counters.live_answers, counters.abandoned) == (10_003, 202)  # the lifetime, shown as such
    numbers = await dialer_numbers(redis, campaign, t1 + 10)
    assert (numbers["live_answers"], numbers["abandoned"]) == (10_003, 202)
    assert numbers["period"] == {
        "index": 1,
        "started_at": iso(t0 + PERIOD_SECONDS),
        "ends_at": iso(t0 + 2 * PERIOD_SECONDS),
        "live_answers": 3,
        "abandoned": 2,
        "abandon_rate": 2 / 3,
    }


async def test_a_drop_counts_in_the_period_its_answer_came_in(redis: aioredis.Redis) -> None:
    campaign = await make_campaign(redis, mode=Mode.PREDICTIVE)
    await add_contacts(redis, campaign.id, 4)
    t0 = time.time()
    carrier, clock = FakeCarrier(), Clock(t0)
    p = pacer_at(redis, carrier, clock)
    await p.dial(campaign, 1, t0)
    edge = t0 + PERIOD_SECONDS  # period 1 begins
    clock.now = edge - 10
    await p.dial(campaign, 2, edge - 10)
    # One answers a second before the period ends and is dropped after it; the other hangs up on the
    # silence after it: both are period 0's drops.
    assert (await apply_verdict(redis, campaign, carrier.sids[1], "human", now=edge - 1))[0] == "waiting"
    assert (await apply_verdict(redis, campaign, carrier.sids[2], "human", now=edge - 1))[0] == "waiting"
    assert await p.abandon_overdue(campaign, edge + 1.5) == 2
    assert (await apply_verdict(redis, campaign, carrier.sids[0], "human", now=edge + 2))[0] == "waiting"
    hung_up = await apply_verdict(
        redis, campaign, carrier.sids[0], "end", now=edge + 3, final_status="completed"
    )
    assert hung_up[0] == "abandoned"
    raw = await redis.hgetall(dkeys.dial_counters(campaign.id))
    assert (raw["p0:live_answers"], raw["p0:abandoned"]) == ("2", "2")
    assert (raw["p1:live_answers"], raw["p1:abandoned"]) == ("1", "1")
    assert (raw["live_answers"], raw["abandoned"]) == ("3", "3")


@pytest.mark.parametrize(("age_days", "expected"), [(3, (400, 9)), (45, (0, 0))])
async def test_a_campaign_dialing_before_periods_were_counted_goes_on(
    redis: aioredis.Redis, age_days: int, expected: tuple[int, int]
) -> None:
    """Only lifetime counters: in its first 30 days they are the period's; later its current period starts
    empty, anchored at its creation. Later dials never move the anchor."""
    now = time.time()
    campaign = await make_campaign(redis, mode=Mode.PREDICTIVE, created_at=now - age_days * DAY)
    await add_contacts(redis, campaign.id, 2)
    key = dkeys.dial_counters(campaign.id)
    await redis.hset(key, mapping={"dials": 2000, "live_answers": 400, "abandoned": 9, "human": 400})
    p = pacer_at(redis, FakeCarrier(), Clock(now))
    inp, _ = await p.pacing_input(campaign, now)
    assert (inp.live_answers, inp.abandoned) == expected
    assert float(await redis.hget(key, START_FIELD)) == campaign.created_at
    await p.dial(campaign, 1, now)
    assert float(await redis.hget(key, START_FIELD)) == campaign.created_at
    again, _ = await p.pacing_input(campaign, now + 1)
    assert (again.live_answers, again.abandoned) == expected
