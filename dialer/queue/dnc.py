"""The organization-wide do-not-call list (`keys.DNC`, a set of E.164 phones).

It is checked at import (importer.py), at lease time and at dial time (`is_listed`, by the telephony
layer before a call is placed). For the lease-time check each campaign keeps a mirror in its own slot
(`keys.dnc_mirror`: its phones that are on the list), written here together with the list itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import cast

import redis.asyncio as aioredis

from dialer.contacts import CsvError, InvalidRow, normalize_phone, parse_contacts
from dialer.queue import keys
from dialer.queue.lua_scripts import run

CHUNK = 1000


async def add_phones(
    redis: aioredis.Redis, phones: Iterable[str], region: str = "US"
) -> tuple[int, list[str]]:
    """Adds the phones (normalized to E.164); returns (newly added, the inputs that are not phone numbers)."""
    added = 0
    invalid: list[str] = []
    batch: list[str] = []
    for raw in phones:
        e164 = normalize_phone(raw, region) if isinstance(raw, str) else None
        if e164 is None:
            invalid.append(str(raw))
            continue
        batch.append(e164)
        if len(batch) >= CHUNK:
            added += await _add(redis, batch)
            batch = []
    if batch:
        added += await _add(redis, batch)
    return added, invalid


async def add_csv(redis: aioredis.Redis, chunks: Iterable[bytes]) -> tuple[int, list[InvalidRow]]:
    """Adds the `phone` column of a CSV; raises contacts.CsvError when the file has none."""
    added = 0
    invalid: list[InvalidRow] = []
    batch: list[str] = []
    for item in parse_contacts(chunks, default_timezone="UTC"):
        if isinstance(item, InvalidRow):
            invalid.append(item)
            continue
        batch.append(item.phone)
        if len(batch) >= CHUNK:
            added += await _add(redis, batch)
            batch = []
    if batch:
        added += await _add(redis, batch)
    return added, invalid


async def _campaigns(redis: aioredis.Redis) -> list[str]:
    return sorted(cast(set[str], await redis.smembers(keys.QUEUE_CAMPAIGNS)))


async def _add(redis: aioredis.Redis, phones: list[str]) -> int:
    """Adds E.164 phones to the list and to the mirror of every campaign that has them."""
    added = int(await redis.sadd(keys.DNC, *phones))
    for campaign_id in await _campaigns(redis):
        await run(redis, "mirror_dnc", [keys.phones(campaign_id), keys.dnc_mirror(campaign_id)], phones)
    return added


async def remove(redis: aioredis.Redis, phone: str, region: str = "US") -> bool:
    """Takes a phone off the list (and every campaign's mirror); False when it was not on it."""
    e164 = normalize_phone(phone, region)
    if e164 is None:
        return False
    removed = bool(await redis.srem(keys.DNC, e164))
    campaigns = await _campaigns(redis)
    if campaigns:
        async with redis.pipeline(transaction=False) as pipe:
            for campaign_id in campaigns:
                pipe.srem(keys.dnc_mirror(campaign_id), e164)
            await pipe.execute()
    return removed


async def is_listed(redis: aioredis.Redis, phone: str, region: str = "US") -> bool:
    e164 = normalize_phone(phone, region) or phone
    return bool(await redis.sismember(keys.DNC, e164))


async def listed(redis: aioredis.Redis, phones: Sequence[str]) -> list[bool]:
    """For E.164 phones: which are on the list (one round trip)."""
    if not phones:
        return []
    return [bool(x) for x in await redis.smismember(keys.DNC, list(phones))]


__all__ = ["CsvError", "add_csv", "add_phones", "is_listed", "listed", "remove"]
