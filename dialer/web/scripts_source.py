"""The script a campaign's calls run: a call keeps the version it started with, new calls take the latest."""

from __future__ import annotations

import redis.asyncio as aioredis

from dialer.campaigns import Campaign
from dialer.scripts.model import Script, ScriptError
from dialer.stores.scripts import ScriptStore


async def load_campaign_script(
    redis: aioredis.Redis, campaign: Campaign, version: int | None = None
) -> tuple[Script, int] | None:
    """(script, version), or None when the campaign's script (version) is missing or no longer loads."""
    try:
        loaded = await ScriptStore(redis).load(campaign.script_id, version)
    except ScriptError:
        return None
    return (loaded[1], loaded[0]) if loaded else None
