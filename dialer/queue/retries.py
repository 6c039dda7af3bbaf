"""Retries made due at once: the organizer's "Call retries now" at the end of a call day (retries_now.lua)."""

from __future__ import annotations

from typing import cast

import redis.asyncio as aioredis

from dialer.queue import keys
from dialer.queue.lua_scripts import run

PAGE = 500


async def make_retries_due(redis: aioredis.Redis, campaign_id: str, now: float) -> int:
    """Every contact waiting for a retry becomes callable now (call-backs keep their time); returns how many.
    A page at a time, so no script runs long; contacts skipped (call-backs) stay in the range, hence the
    offset, while those made due leave it."""
    made = 0
    for zone in sorted(cast(set[str], await redis.smembers(keys.zones(campaign_id)))):
        pending = keys.pending(campaign_id, zone)
        skipped = 0
        while True:
            ids = cast(
                list[str], await redis.zrangebyscore(pending, f"({now!r}", "+inf", start=skipped, num=PAGE)
            )
            if not ids:
                break
            done = int(
                await run(
                    redis, "retries_now", [pending], [keys.tag(campaign_id) + ":", repr(now), zone, *ids]
                )
            )
            made += done
            skipped += len(ids) - done
    return made
