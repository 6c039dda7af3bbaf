"""The script a campaign's calls run: a stored version, parsed once per version and kept in memory.

A call keeps the version it started with (the session's state names it); new calls take the latest.
Stored versions never change, so caching the parsed script by (id, version) is safe.
"""

from __future__ import annotations

import json
from functools import lru_cache

import redis.asyncio as aioredis

from dialer.campaigns import Campaign
from dialer.queue import keys
from dialer.scripts.loader import load_script
from dialer.scripts.model import Script, ScriptError


@lru_cache(maxsize=256)
def _parse(script_id: str, version: int, document: str) -> Script:
    return load_script(document, "application/json").script


async def load_script_version(
    redis: aioredis.Redis, script_id: str, version: int | None = None
) -> tuple[Script, int] | None:
    if version is None:
        latest = await redis.get(keys.script_latest(script_id))
        if latest is None:
            return None
        version = int(latest)
    raw = await redis.hget(keys.script(script_id), str(version))
    if raw is None:
        return None
    document = raw if isinstance(raw, str) else json.dumps(raw)
    try:
        return _parse(script_id, version, document), version
    except ScriptError:
        return None  # stored before a stricter validator: treated as missing rather than crashing calls


async def load_campaign_script(
    redis: aioredis.Redis, campaign: Campaign, version: int | None = None
) -> tuple[Script, int] | None:
    return await load_script_version(redis, campaign.script_id, version)
