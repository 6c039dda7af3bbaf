"""Voters out on volunteers' lists: how many, and when the first of those lists runs out (its lease's
deadline; claim reaps expired ones first, so after a claim every deadline left is to come). What a
volunteer told there is nobody to call is told when the names left are all with other callers."""

from __future__ import annotations

from dataclasses import dataclass

import redis.asyncio as aioredis

from dialer.queue import keys


@dataclass(frozen=True)
class Held:
    voters: int  # the campaign's `leased` counter: on a list (a batch, or a dialer's line) now
    until: float | None  # the earliest deadline of those lists: names not called by then come back


async def held_lists(redis: aioredis.Redis, campaign_id: str) -> Held:
    leased = await redis.hget(keys.counters(campaign_id), "leased")
    first = await redis.zrange(keys.leases(campaign_id), 0, 0, withscores=True)
    return Held(max(0, int(leased or 0)), float(first[0][1]) if first else None)
