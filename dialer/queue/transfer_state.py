"""Warm transfers in Redis: one hash per transferred voter's line (`{c:<id>}:transfer:<voter sid>`):
volunteer, contact_id, target, phone, staff_sid, conference_sid, status (ringing | answered | failed),
started. Every change is transfer_state.lua, which moves a transfer only from the state it expects."""

from __future__ import annotations

from typing import cast

import redis.asyncio as aioredis

from dialer.queue import keys
from dialer.queue.lua_scripts import run
from dialer.transfers import TransferStatus

TTL = 24 * 3600


class Transfers:
    def __init__(self, redis: aioredis.Redis, campaign_id: str) -> None:
        self.redis = redis
        self.campaign_id = campaign_id

    async def _op(self, sid: str, *args: str) -> bool:
        changed = await run(self.redis, "transfer_state", [keys.transfer(self.campaign_id, sid)], [*args])
        return bool(changed)

    async def claim(self, voter_sid: str, *, volunteer: str, contact_id: str, target: str, phone: str,
                    now: float) -> bool:  # fmt: skip
        fields = {"volunteer": volunteer, "contact_id": contact_id, "target": target, "phone": phone,
                  "staff_sid": "", "conference_sid": "", "status": TransferStatus.RINGING,
                  "started": repr(now)}  # fmt: skip
        flat = [part for pair in fields.items() for part in pair]
        return await self._op(voter_sid, "claim", str(TTL), *flat)

    async def fill(self, voter_sid: str, staff_sid: str, conference_sid: str) -> bool:
        return await self._op(voter_sid, "fill", staff_sid, conference_sid)

    async def advance(self, voter_sid: str, staff_sid: str, old: str, new: str) -> bool:
        return await self._op(voter_sid, "advance", staff_sid, old, new)

    async def release(self, voter_sid: str, staff_sid: str = "") -> bool:
        return await self._op(voter_sid, "release", staff_sid)

    async def get(self, voter_sid: str) -> dict[str, str]:
        return cast(dict[str, str], await self.redis.hgetall(keys.transfer(self.campaign_id, voter_sid)))


async def handed_on(redis: aioredis.Redis, campaign_id: str, voter_sid: str) -> bool:
    """Whether this voter went on with a staff member: saving the volunteer's result must not hang up."""
    status = await redis.hget(keys.transfer(campaign_id, voter_sid), "status")
    return bool(status == TransferStatus.ANSWERED)
