"""News for everyone calling in a campaign, on the campaign's `calls` channel (web/call_hub.py fans it out
to every call socket of the campaign, in every web process).

`{"type": "campaign", "status": "active"|"paused"|"closed", "reason": ...}`, where the reason says what
changed: `status` (paused, resumed or closed), `settings` (other settings changed), `retries_due` (an
organizer made waiting retries callable now), `contacts_added` (a call list was imported). A page waiting for
somebody to call takes names again.
"""

from __future__ import annotations

import json

import redis.asyncio as aioredis

from dialer.queue import keys

REASONS = ("status", "settings", "retries_due", "contacts_added")


async def campaign_news(redis: aioredis.Redis, campaign_id: str, status: str, reason: str) -> None:
    assert reason in REASONS, reason
    message = {"type": "campaign", "status": status, "reason": reason}
    await redis.publish(keys.calls_channel(campaign_id), json.dumps(message))
