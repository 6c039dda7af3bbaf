"""Start-up migration of contacts imported before the per-campaign lease keys (keys_lease.py).

Older contacts kept their lease state (`status`, `batch`), their `card` and their call-back reservation
(`reserved_for`, `reserved_until`) in their own hash; the scripts now read and write those in per-campaign
hashes, so that a claim of 20 costs O(1) commands. `ensure_layout` moves every older contact there, in
chunks of one Lua script each (lease_layout.lua: each contact moves in one step; running it again moves
nothing), then sets `keys.LEASE_LAYOUT`, after which a start costs one GET. `dialer serve` and `dialer
worker` run it before they serve or dial anything (a worker that cannot stops; a web process whose Redis is
down at start serves 503s and runs it before its first claim instead: `ensure_layout_once`). Processes of
the older version must be stopped before the upgrade.
"""

from __future__ import annotations

import logging
from typing import cast

import redis.asyncio as aioredis

from dialer.queue import keys
from dialer.queue.lua_scripts import run

log = logging.getLogger("dialer.queue.lease_layout")

CHUNK = 500  # contacts per script call
VERSION = "2"


async def migrate_campaign(redis: aioredis.Redis, campaign_id: str) -> int:
    """Moves the campaign's older contacts to the per-campaign lease keys; returns how many moved."""
    last = int(cast(str | None, await redis.get(keys.contact_seq(campaign_id))) or 0)
    script_keys = [
        keys.lease_of(campaign_id),
        keys.cards(campaign_id),
        keys.tries(campaign_id),
        keys.reserved(campaign_id),
        keys.phone_of(campaign_id),
    ]
    moved = 0
    for start in range(1, last + 1, CHUNK):
        ids = [str(i) for i in range(start, min(start + CHUNK, last + 1))]
        moved += int(await run(redis, "lease_layout", script_keys, [keys.tag(campaign_id) + ":", *ids]))
    return moved


async def ensure_layout_once(redis: aioredis.Redis) -> None:
    """`ensure_layout` the first time this client asks (LeaseQueue.claim asks before every claim)."""
    if not redis.__dict__.get("_dialer_lease_layout"):
        await ensure_layout(redis)
        redis.__dict__["_dialer_lease_layout"] = True


async def ensure_layout(redis: aioredis.Redis) -> int:
    """Brings every campaign's contacts to the current layout once; returns how many contacts moved."""
    if await redis.get(keys.LEASE_LAYOUT) == VERSION:
        return 0
    campaigns = cast(set[str], await redis.smembers(keys.QUEUE_CAMPAIGNS))
    campaigns |= set(cast(list[str], await redis.zrange(keys.CAMPAIGNS, 0, -1)))
    if not campaigns:
        # An empty store: nothing to move, and no marker written (the next start asks again, in two reads),
        # so that a store nobody used holds no key of ours.
        return 0
    moved = 0
    for campaign_id in sorted(campaigns):
        moved += await migrate_campaign(redis, campaign_id)
    await redis.set(keys.LEASE_LAYOUT, VERSION)
    if moved:
        log.info("moved %d contacts of %d campaigns to the per-campaign lease keys", moved, len(campaigns))
    return moved
