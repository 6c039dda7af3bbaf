"""The do-not-call list as the organizers' page reads it: a count, pages of numbers in order, prefix
search, an export, and the audit of who added or removed what (with the reason for a removal).

Never loads the list: pages come from the sorted index (`keys.DNC_INDEX`, every phone scored 0, so
ZRANGEBYLEX walks it in order) from a cursor, the phone the last page ended on. The index is written
with the set by dnc.py; a list that predates it is indexed here, by SSCAN, the first time it is read.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, cast

import redis.asyncio as aioredis

from dialer.contacts import normalize_phone
from dialer.queue import keys

AUDIT_CAP = 100_000
EXPORT_CHUNK = 5_000
_NOT_DIGITS = re.compile(r"[^0-9]")


@dataclass(frozen=True)
class DncPage:
    count: int  # the whole list's size
    phones: list[str]
    next: str | None  # the cursor of the next page, None on the last


def search_prefix(query: str, region: str = "US") -> tuple[str | None, str]:
    """(a whole phone in E.164 when `query` is one, the E.164 prefix to list otherwise).

    `+44 20` is a prefix as typed; digits without `+` are read in the default region (US: `+1` first),
    as the importer reads numbers."""
    whole = normalize_phone(query, region) if len(_NOT_DIGITS.sub("", query)) >= 7 else None
    digits = _NOT_DIGITS.sub("", query)
    if query.strip().startswith("+"):
        return whole, f"+{digits}"
    if region == "US" and not digits.startswith("1"):
        return whole, f"+1{digits}"
    return whole, f"+{digits}"


async def ensure_index(redis: aioredis.Redis) -> None:
    """Indexes a list written before the index existed (a no-op, two counts, when it is up to date)."""
    async with redis.pipeline(transaction=False) as pipe:
        pipe.scard(keys.DNC)
        pipe.zcard(keys.DNC_INDEX)
        listed, indexed = await pipe.execute()
    if int(listed) <= int(indexed):
        return
    async for chunk in _scan(redis):
        await redis.zadd(keys.DNC_INDEX, dict.fromkeys(chunk, 0))


async def _scan(redis: aioredis.Redis) -> AsyncIterator[list[str]]:
    cursor = 0
    while True:
        cursor, found = await redis.sscan(keys.DNC, cursor, count=EXPORT_CHUNK)
        if found:
            yield [str(p) for p in found]
        if not cursor:
            return


async def page(redis: aioredis.Redis, query: str = "", after: str = "", limit: int = 50) -> DncPage:
    """Up to `limit` phones in order, after the cursor `after`, that start like `query` (all when empty)."""
    await ensure_index(redis)
    count = int(await redis.scard(keys.DNC))
    whole, prefix = search_prefix(query) if query.strip() else (None, "+")
    if whole is not None:  # one number: is it on the list
        found = bool(await redis.sismember(keys.DNC, whole)) and whole > after
        return DncPage(count, [whole] if found else [], None)
    low = f"({after}" if after and after >= prefix else f"[{prefix}"
    got = await redis.zrangebylex(keys.DNC_INDEX, low, f"[{prefix}\xff", start=0, num=limit + 1)
    phones = [str(p) for p in got]
    more = len(phones) > limit
    phones = phones[:limit]
    return DncPage(count, phones, phones[-1] if more and phones else None)


async def export(redis: aioredis.Redis) -> AsyncIterator[list[str]]:
    """The whole list in order, a chunk at a time (for the CSV export: one chunk in memory at once)."""
    await ensure_index(redis)
    low = "-"
    while True:
        got = [str(p) for p in await redis.zrangebylex(keys.DNC_INDEX, low, "+", start=0, num=EXPORT_CHUNK)]
        if not got:
            return
        yield got
        low = f"({got[-1]}"


async def record(redis: aioredis.Redis, entry: dict[str, str]) -> str:
    """Appends an audit entry (action, phone or count, by, by_name, reason, at); returns its id."""
    entry_id = await redis.xadd(keys.DNC_AUDIT, cast(Any, entry), maxlen=AUDIT_CAP, approximate=True)
    return str(entry_id)


async def audit(
    redis: aioredis.Redis, before: str = "", limit: int = 50
) -> tuple[list[dict[str, str]], str | None]:
    """Audit entries newest first, before the entry id `before`; and the cursor of the next page."""
    high = f"({before}" if before else "+"
    got = cast(list[tuple[str, dict[str, str]]], await redis.xrevrange(keys.DNC_AUDIT, high, "-", limit + 1))
    entries = [
        {"id": str(entry_id), **{str(k): str(v) for k, v in fields.items()}} for entry_id, fields in got
    ]
    more = len(entries) > limit
    entries = entries[:limit]
    return entries, entries[-1]["id"] if more and entries else None


__all__ = ["DncPage", "audit", "ensure_index", "export", "page", "record", "search_prefix"]
