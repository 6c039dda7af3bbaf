"""Contacts a pacer took into the server's own batch and never dialed: it died between the take and the
calls (a worker killed mid-round, a machine lost), or a late callback's outcome was never recorded. The
server's batch is renewed at every take, so its lease never runs out while the campaign dials and nothing
else would bring them back. So the pacer holding the campaign's lock looks at its batch now and then,
between its rounds of calls (never while placing one), and hands back to the queue the contacts that were
without a line at two looks in a row (tests/integration/test_pacer_takeover.py): the first look after
taking the lock over finds a lost holder's; the second look spares a contact whose line ended a moment
ago and whose outcome a webhook is recording (it leaves the batch with it).

A contact counts as dialed while one of the campaign's lines in flight (ringing, or answered and waiting
for a volunteer) names it; a line answered by a person moves its contact into that volunteer's batch, out
of the server's, and dial_return.lua moves only contacts the server's batch still holds."""

from __future__ import annotations

import logging

import redis.asyncio as aioredis

from dialer.queue import keys
from dialer.queue import keys as dkeys
from dialer.queue.lua_scripts import run

log = logging.getLogger("dialer.pacer")

CHUNK = 500  # contacts handed back per script call


async def reclaim_undialed(
    redis: aioredis.Redis, campaign_id: str, suspects: frozenset[str]
) -> frozenset[str]:
    """Hand back to the queue the contacts the server's batch holds with no line in flight now that were
    `suspects` (without one at the last look too); returns those without one now that were not (the next
    look's suspects). Call it only while holding the campaign's pacer lock and placing no call."""
    cid = campaign_id
    held_by = await redis.get(keys.holder(cid, dkeys.AUTO))
    if not held_by:
        return frozenset()
    batch_id = str(held_by)
    async with redis.pipeline(transaction=False) as pipe:
        pipe.smembers(keys.batch_contacts(cid, batch_id))
        pipe.zrange(dkeys.dial_lines(cid), 0, -1)
        pipe.zrange(dkeys.dial_waiting(cid), 0, -1)
        members, lines, waiting = await pipe.execute()
    if not members:
        return frozenset()
    on_a_line: set[str] = set()
    sids = sorted(set(lines) | set(waiting))
    if sids:
        async with redis.pipeline(transaction=False) as pipe:
            for sid in sids:
                pipe.hget(dkeys.dial_line(cid, sid), "contact_id")
            on_a_line = {str(contact) for contact in await pipe.execute() if contact}
    without = frozenset(members) - on_a_line
    undialed = sorted(without & suspects)
    moved = 0
    for start in range(0, len(undialed), CHUNK):
        chunk = undialed[start : start + CHUNK]
        moved += int(
            await run(
                redis,
                "dial_return",
                [keys.counters(cid)],
                [dkeys.dial_prefix(cid), batch_id, "return", *chunk],
            )
        )
    if moved:
        log.warning(
            "%d contacts of %s were taken for dialing and never dialed: back in the queue", moved, cid
        )
    return without - suspects
