"""Start-up migration of contacts imported before the per-campaign lease keys (keys_lease.py).

Older contacts kept their lease state (`status`, `batch`), their `card` and their call-back reservation
(`reserved_for`, `reserved_until`) in their own hash; the scripts now read and write those in per-campaign
hashes, so that a claim of 20 costs O(1) commands. `ensure_layout` moves every older contact there, in
chunks of one Lua script each (lease_layout.lua: each contact moves in one step; running it again moves
nothing), then sets `keys.LEASE_LAYOUT`, after which a start costs one GET. `dialer serve` and `dialer
worker` run it before they serve or dial anything (a worker that cannot stops; a web process whose Redis is
down at start serves 503s and runs it before its first claim instead: `ensure_layout_once`). Processes of
the older version must be stopped before the upgrade.

Layout 3: claim.lua takes the contacts of a pending set without reading their lease state back, since
every script keeps a pending set to pending contacts. Stores of layout 2 or older are checked once for
entries that are not (`drop_stale_pending`, lease_pending.lua) before the marker says "3".
"""

from __future__ import annotations

import logging
from typing import cast

import redis.asyncio as aioredis

from dialer.queue import keys
from dialer.queue.lua_scripts import run

log = logging.getLogger("dialer.queue.lease_layout")

CHUNK = 500  # contacts per script call
VERSION = "3"  # "2": lease state in the per-campaign hashes; "3": and no stale pending entry


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


async def drop_stale_pending(redis: aioredis.Redis, campaign_id: str) -> int:
    """Drops from the campaign's pending sets every entry whose contact is not pending; returns how many."""
    dropped = 0
    for zone in sorted(cast(set[str], await redis.smembers(keys.zones(campaign_id)))):
        script_keys = [keys.pending(campaign_id, zone), keys.lease_of(campaign_id)]
        start = 0
        while True:
            read, gone = (int(n) for n in await run(redis, "lease_pending", script_keys, [start, CHUNK]))
            dropped += gone
            if read < CHUNK:
                break
            start += read - gone  # the entries kept; those dropped no longer take a rank
    return dropped


async def ensure_layout_once(redis: aioredis.Redis) -> None:
    """`ensure_layout` the first time this client asks (LeaseQueue.claim asks before every claim)."""
    if not redis.__dict__.get("_dialer_lease_layout"):
        await ensure_layout(redis)
        redis.__dict__["_dialer_lease_layout"] = True


async def ensure_layout(redis: aioredis.Redis) -> int:
    """Brings every campaign's contacts to the current layout once; returns how many contacts moved."""
    marker = await redis.get(keys.LEASE_LAYOUT)
    if marker == VERSION:
        return 0
    campaigns = cast(set[str], await redis.smembers(keys.QUEUE_CAMPAIGNS))
    campaigns |= set(cast(list[str], await redis.zrange(keys.CAMPAIGNS, 0, -1)))
    if not campaigns:
        # An empty store: nothing to move, and no marker written (the next start asks again, in two reads),
        # so that a store nobody used holds no key of ours.
        return 0
    moved = dropped = 0
    for campaign_id in sorted(campaigns):
        if marker != "2":  # layout 2 already has every contact in the per-campaign hashes
            moved += await migrate_campaign(redis, campaign_id)
        dropped += await drop_stale_pending(redis, campaign_id)
    await redis.set(keys.LEASE_LAYOUT, VERSION)
    if moved:
        log.info("moved %d contacts of %d campaigns to the per-campaign lease keys", moved, len(campaigns))
    if dropped:
        log.info("dropped %d stale entries from the pending sets of %d campaigns", dropped, len(campaigns))
    return moved
