"""The organization-wide do-not-call list (`keys.DNC`, a set of E.164 phones).

It is checked at import (importer.py), at lease time and at dial time (`is_listed`, by the telephony
layer before a call is placed). For the lease-time check each campaign keeps a mirror in its own slot
(`keys.dnc_mirror`: its phones that are on the list), written here together with the list itself, and
a sorted copy (`keys.DNC_INDEX`) for the organizers' page (dnc_pages.py).
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterable, Sequence
from typing import cast

import redis.asyncio as aioredis

from dialer.connections import uses_cluster
from dialer.contacts import CsvError, FileWarning, InvalidRow, normalize_phone, read_phones
from dialer.queue import keys
from dialer.queue.lua_scripts import run

CHUNK = 1000
PARSE_SLICE = 5000  # CSV rows parsed per trip to a worker thread


def normalize_all(phones: Sequence[object], region: str = "US") -> list[str | None]:
    """Each phone in E.164, or None where it is not a phone number (pure, CPU-bound: phonenumbers)."""
    return [normalize_phone(raw, region) if isinstance(raw, str) else None for raw in phones]


async def add_phones(
    redis: aioredis.Redis, phones: Iterable[str], region: str = "US"
) -> tuple[int, list[str]]:
    """Adds the phones (normalized to E.164); returns (newly added, the inputs that are not phone numbers).

    The normalizing runs in a worker thread: 100,000 phones take seconds of CPU."""
    given = list(phones)
    normalized = await asyncio.to_thread(normalize_all, given, region)
    invalid = [str(raw) for raw, e164 in zip(given, normalized, strict=True) if e164 is None]
    return await add_e164(redis, [e164 for e164 in normalized if e164 is not None]), invalid


async def add_e164(redis: aioredis.Redis, phones: Sequence[str]) -> int:
    """Adds phones already in E.164, a chunk at a time; returns how many were new to the list."""
    added = 0
    for start in range(0, len(phones), CHUNK):
        added += await _add(redis, list(phones[start : start + CHUNK]))
    return added


async def add_csv(
    redis: aioredis.Redis, chunks: Iterable[bytes], warnings: list[FileWarning] | None = None
) -> tuple[int, list[InvalidRow]]:
    """Adds every number of every phone column of a CSV (a VAN row's cell and home phones both); returns
    (numbers new to the list, the rows or cells that are not numbers), and puts the file's warnings (a
    repeated phone header) in `warnings`. Raises contacts.CsvError when the file has no phone column.

    Parsing (phonenumbers) runs in a worker thread a slice of rows at a time, as the contact import does."""
    added = 0
    invalid: list[InvalidRow] = []
    items = read_phones(chunks)
    while parsed := await asyncio.to_thread(lambda: list(itertools.islice(items, PARSE_SLICE))):
        invalid.extend(item for item in parsed if isinstance(item, InvalidRow))
        if warnings is not None:
            warnings.extend(item for item in parsed if isinstance(item, FileWarning))
        added += await add_e164(redis, [item for item in parsed if isinstance(item, str)])
    return added, invalid


async def _campaigns(redis: aioredis.Redis) -> list[str]:
    return sorted(cast(set[str], await redis.smembers(keys.QUEUE_CAMPAIGNS)))


async def _add(redis: aioredis.Redis, phones: list[str]) -> int:
    """Adds E.164 phones to the list and to the mirror of every campaign that has them.

    The list and its index are one MULTI on a single Redis; on a cluster (two slots) an ordered pipeline,
    the list first: a crash between leaves a phone listed but not yet in the search index."""
    async with redis.pipeline(transaction=not uses_cluster(redis)) as pipe:
        pipe.sadd(keys.DNC, *phones)
        pipe.zadd(keys.DNC_INDEX, dict.fromkeys(phones, 0))
        added = int((await pipe.execute())[0])
    for campaign_id in await _campaigns(redis):
        await mirror(redis, campaign_id, phones)
    return added


async def mirror(redis: aioredis.Redis, campaign_id: str, phones: Sequence[str]) -> int:
    """Puts those of `phones` the campaign has on its mirror, finishing its contacts of them that are still
    waiting to be called (lua/mirror_dnc.lua); how many were new to the mirror."""
    if not phones:
        return 0
    reply = await run(
        redis,
        "mirror_dnc",
        [
            keys.phones(campaign_id),
            keys.dnc_mirror(campaign_id),
            keys.lease_of(campaign_id),
            keys.counters(campaign_id),
            keys.reserved(campaign_id),
        ],
        [keys.tag(campaign_id) + ":", *phones],
    )
    return int(reply)


async def remove(redis: aioredis.Redis, phone: str, region: str = "US") -> bool:
    """Takes a phone off the list (and every campaign's mirror); False when it was not on it."""
    e164 = normalize_phone(phone, region)
    if e164 is None:
        return False
    async with redis.pipeline(transaction=not uses_cluster(redis)) as pipe:
        pipe.srem(keys.DNC, e164)
        pipe.zrem(keys.DNC_INDEX, e164)
        removed = bool((await pipe.execute())[0])
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


__all__ = [
    "CsvError",
    "add_csv",
    "add_e164",
    "add_phones",
    "is_listed",
    "listed",
    "mirror",
    "normalize_all",
    "remove",
]
