"""The invariant claim.lua relies on: a zone's pending set holds exactly the contacts whose lease state
({c}:lease_of) is `pending`, each in its own zone's set (so the page a claim takes from a set is never
read back from lease_of; see docs/performance.md)."""

from __future__ import annotations

from typing import cast

import redis.asyncio as aioredis

from dialer.queue import keys


async def pending_mismatches(redis: aioredis.Redis, campaign_id: str) -> tuple[list[str], list[str]]:
    """(entries of a pending set whose contact is not pending or of another zone, pending contacts in no
    pending set); both empty when the invariant holds."""
    states = cast(dict[str, str], await redis.hgetall(keys.lease_of(campaign_id)))
    stale, queued = [], set()
    for zone in sorted(cast(set[str], await redis.smembers(keys.zones(campaign_id)))):
        for cid in cast(list[str], await redis.zrange(keys.pending(campaign_id, zone), 0, -1)):
            tz = await redis.hget(keys.contact(campaign_id, cid), "tz")
            if states.get(cid) != "pending" or tz != zone or cid in queued:
                stale.append(f"{cid} in {zone}: {states.get(cid)}")
            queued.add(cid)
    lost = sorted(cid for cid, state in states.items() if state == "pending" and cid not in queued)
    return stale, lost
