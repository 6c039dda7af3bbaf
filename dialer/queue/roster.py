"""The organizers' roster in Redis: each volunteer's entry, changed by their call socket (roster.lua), and
read in one pipeline with the day's counters (dialer/roster.py turns them into rows)."""

from __future__ import annotations

from typing import Any, cast

import redis.asyncio as aioredis

from dialer.queue import keys
from dialer.queue.lua_scripts import run
from dialer.roster import GONE_AFTER, roster_rows


class Roster:
    def __init__(self, redis: aioredis.Redis, campaign_id: str) -> None:
        self.redis = redis
        self.campaign_id = campaign_id

    async def _run(
        self, op: str, volunteer: str, now: float, value: str = "", name: str = "", team: str = ""
    ) -> bool:
        cid = self.campaign_id
        changed = await run(
            self.redis,
            "roster",
            [keys.roster(cid), keys.roster_seen(cid), keys.roster_sockets(cid)],
            [op, volunteer, repr(now), value, name, team, repr(now - GONE_AFTER), keys.events(cid)],
        )
        return bool(changed)

    async def join(self, volunteer: str, *, state: str, name: str, team: str, now: float) -> None:
        await self._run("join", volunteer, now, state, name, team)

    async def set_state(self, volunteer: str, state: str, now: float) -> None:
        await self._run("state", volunteer, now, state)

    async def hand(self, volunteer: str, raised: bool, now: float) -> bool:
        return await self._run("hand", volunteer, now, "1" if raised else "0")

    async def seen(self, volunteer: str, now: float) -> None:
        await self._run("seen", volunteer, now)

    async def leave(self, volunteer: str, now: float) -> None:
        await self._run("leave", volunteer, now)

    async def on_roster(self, volunteer: str) -> bool:
        return bool(await self.redis.hexists(keys.roster(self.campaign_id), volunteer))


async def read_roster(
    redis: aioredis.Redis, campaign_id: str, day: str, now: float, team: str | None = None
) -> list[dict[str, Any]]:
    """The roster's rows (one round trip): entries, who is alive, and the day's counters."""
    async with redis.pipeline(transaction=False) as pipe:
        pipe.hgetall(keys.roster(campaign_id))
        pipe.zrangebyscore(keys.roster_seen(campaign_id), repr(now - GONE_AFTER), "+inf")
        pipe.hgetall(keys.daily(campaign_id, day))
        entries, alive, daily = await pipe.execute()
    return roster_rows(cast(dict[str, str], entries), set(alive), cast(dict[str, str], daily), now, team)
