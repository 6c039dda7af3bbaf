"""Where a script and a campaign's call lists meet: the contact fields the script reads that no list of the
campaign has (scripts/fields.py decides; this reads the script and the lists' columns from Redis).

Shown after an import (`script_fields` in the report) and when a new version of a script that campaigns use
is uploaded (its `warnings`). A campaign none of whose lists was imported since the columns were recorded
has no columns on record: nothing is said about it rather than every field being called missing.
"""

from __future__ import annotations

from typing import Any

from dialer.campaigns import Campaign
from dialer.queue import keys
from dialer.scripts.fields import MissingField, missing_fields
from dialer.scripts.model import Script
from dialer.stores.scripts import ScriptStore


async def columns_of(redis: Any, campaign_id: str) -> set[str] | None:
    """The columns of the campaign's lists, or None when no list is on record."""
    names = {
        n.decode() if isinstance(n, bytes) else str(n)
        for n in await redis.smembers(keys.list_columns(campaign_id))
    }
    return names - {""} if names else None


async def gaps_for_campaign(redis: Any, campaign: Campaign) -> list[MissingField]:
    """The fields the campaign's current script reads that its lists lack."""
    columns = await columns_of(redis, campaign.id)
    if columns is None:
        return []
    loaded = await ScriptStore(redis).load(campaign.script_id)
    if loaded is None:
        return []
    return missing_fields(loaded[1], columns)


async def gaps_in_campaigns(redis: Any, script: Script, campaigns: list[Campaign]) -> list[dict[str, Any]]:
    """Upload warnings (`{path, message}`) for a new version of `script`, for each campaign using it whose
    lists' columns are on record."""
    out: list[dict[str, Any]] = []
    for campaign in campaigns:
        if campaign.script_id != script.id or campaign.archived:
            continue
        columns = await columns_of(redis, campaign.id)
        if columns is None:
            continue
        out.extend(
            {"path": gap.paths[0], "message": gap.describe(f"campaign {campaign.id!r}")}
            for gap in missing_fields(script, columns)
        )
    return out
