"""The script a campaign's calls run: a call keeps the version it started with, new calls take the latest."""

from __future__ import annotations

import redis.asyncio as aioredis

from dialer.campaigns import Campaign
from dialer.scripts.model import Script, ScriptError
from dialer.session import CallSession
from dialer.stores.scripts import ScriptStore


async def load_campaign_script(
    redis: aioredis.Redis, campaign: Campaign, version: int | None = None, script_id: object = None
) -> tuple[Script, int] | None:
    """(script, version), or None when the campaign's script (version) is missing or no longer loads.
    `script_id` (a call's own, from its saved state) is read instead of the campaign's: a campaign switched
    to another script mid-call, the call goes on with the one it started with, not that one's `version`."""
    wanted = script_id if isinstance(script_id, str) and script_id else campaign.script_id
    try:
        loaded = await ScriptStore(redis).load(wanted, version)
    except ScriptError:
        return None
    return (loaded[1], loaded[0]) if loaded else None


async def script_of_state(
    redis: aioredis.Redis, campaign: Campaign, state: object
) -> tuple[Script, int] | None:
    """The script a reconnecting call socket resumes with: a call under way keeps the script and version it
    started with (whatever the campaign runs now); otherwise the campaign's latest."""
    loaded = None
    if isinstance(state, dict) and isinstance(state.get("script_version"), int) and state.get("contact_id"):
        loaded = await load_campaign_script(redis, campaign, state["script_version"], state.get("script_id"))
    return loaded or await load_campaign_script(redis, campaign)


async def latest_for_new_call(
    redis: aioredis.Redis, campaign: Campaign, session: CallSession, contact: object
) -> None:
    """A call to another voter takes the campaign's script as it is now (a new version, or another script
    the campaign was switched to), however long the volunteer's page has been open; the call under way,
    a repeated start, keeps its own."""
    under_way = session.walk is not None and session.contact_id not in session.completed
    if under_way and (
        contact == session.contact_id or contact not in session.contacts or contact in session.completed
    ):
        return  # the call goes on (a repeated start), or the session refuses this start
    loaded = await load_campaign_script(redis, campaign)
    if loaded is not None and (loaded[0].id, loaded[1]) != (session.script.id, session.script_version):
        session.script, session.script_version = loaded
