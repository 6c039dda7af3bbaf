"""The abandonment cap's current 30-day period in Redis (the rule: dialer/abandon_periods.py).

A period's counts are fields of the campaign's dial counters (`{c:<id>}:dial:counters`: `period_start`,
`p<n>:live_answers`, `p<n>:abandoned`), kept by dial_event.lua and dial_abandon.lua with the lifetime ones,
so they share its hash tag and its atomicity. The pacer sets `period_start` at the campaign's first dial.
"""

from __future__ import annotations

from typing import cast

import redis.asyncio as aioredis

from dialer import abandon_periods
from dialer.abandon_periods import PeriodFigures
from dialer.campaigns import Campaign
from dialer.queue import keys as dkeys


async def period_figures(redis: aioredis.Redis, campaign_id: str, now: float) -> PeriodFigures:
    """The current period's live answers and abandoned calls (read only)."""
    raw = cast(dict[str, str], await redis.hgetall(dkeys.dial_counters(campaign_id)))
    return abandon_periods.current(raw, now)


async def anchor(redis: aioredis.Redis, campaign: Campaign, now: float) -> None:
    """Give a campaign that dialed before periods were counted its `period_start` and seed its current
    period (abandon_periods.legacy_anchor); a campaign that has one, or never dialed, is left alone. Only
    fields not set yet are written, so two pacers (or a Lua count in between) cannot count twice."""
    key = dkeys.dial_counters(campaign.id)
    dials, start, answers, abandoned = await redis.hmget(
        key, ["dials", abandon_periods.START_FIELD, "live_answers", "abandoned"]
    )
    if start is not None or not int(dials or 0):
        return
    begun, seed = abandon_periods.legacy_anchor(
        campaign.created_at, now, int(answers or 0), int(abandoned or 0)
    )
    async with redis.pipeline(transaction=True) as pipe:
        for name, value in seed.items():
            pipe.hsetnx(key, name, value)
        pipe.hsetnx(key, abandon_periods.START_FIELD, repr(begun))
        await pipe.execute()
