"""The campaign's audit log: who did what and when, for actions organizers take on other people's work
(making retries due at once, and so on). A capped Redis stream per campaign, newest last."""

from __future__ import annotations

import json
from typing import Any, cast

import redis.asyncio as aioredis

from dialer.queue import keys
from dialer.times import iso

MAX_ENTRIES = 10_000  # about; older entries are trimmed


async def record(
    redis: aioredis.Redis,
    campaign_id: str,
    *,
    user: str,
    name: str,
    action: str,
    detail: dict[str, Any],
    now: float,
) -> None:
    fields = {"at": repr(now), "user": user, "name": name, "action": action, "detail": json.dumps(detail)}
    await redis.xadd(keys.audit(campaign_id), fields, maxlen=MAX_ENTRIES, approximate=True)  # type: ignore[arg-type]


async def recent(
    redis: aioredis.Redis, campaign_id: str, count: int = 100, before: str = ""
) -> list[dict[str, Any]]:
    """The newest `count` entries, newest first; with `before` (an entry id), those older than it."""
    entries = cast(
        list[tuple[str, dict[str, str]]],
        await redis.xrevrange(keys.audit(campaign_id), f"({before}" if before else "+", "-", count),
    )
    return [
        {
            "id": str(entry_id),
            "at": iso(float(e.get("at") or 0)),
            "user": e.get("user", ""),
            "name": e.get("name", ""),
            "action": e.get("action", ""),
            "detail": json.loads(e.get("detail") or "{}"),
        }
        for entry_id, e in entries
    ]
