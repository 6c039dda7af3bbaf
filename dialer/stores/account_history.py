"""An account's history (Redis stream `user:<id>:audit`): who reset or changed its password, changed its
role, disabled or enabled it, and when. Organizers read it on the People page
(`GET /api/users/{id}/history`)."""

from __future__ import annotations

import json
from typing import Any, cast

import redis.asyncio as aioredis

from dialer.queue import keys
from dialer.times import iso

AUDIT_ENTRIES = 1000  # about; older entries are trimmed


async def note(
    redis: aioredis.Redis, uid: str, action: str, *, by: str, name: str, now: float, **detail: Any
) -> None:
    """Notes in the account's history that `by` (a user id, "admin" for the admin token, "cli") did
    `action` to it."""
    fields = {"at": repr(now), "user": by, "name": name, "action": action, "detail": json.dumps(detail)}
    await redis.xadd(keys.user_audit(uid), fields, maxlen=AUDIT_ENTRIES, approximate=True)  # type: ignore[arg-type]


async def history(redis: aioredis.Redis, uid: str, count: int = 50) -> list[dict[str, Any]]:
    """The account's newest `count` entries, newest first."""
    entries = cast(
        list[tuple[str, dict[str, str]]], await redis.xrevrange(keys.user_audit(uid), "+", "-", count)
    )
    return [
        {
            "at": iso(float(e.get("at") or 0)),
            "user": e.get("user", ""),
            "name": e.get("name", ""),
            "action": e.get("action", ""),
            "detail": json.loads(e.get("detail") or "{}"),
        }
        for _, e in entries
    ]
