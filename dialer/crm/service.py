"""What the CRM routes do, apart from HTTP: open a campaign's CRM client, the ledger's listing, replays.

Only organizers reach this; the CRM key is opened here for a check or a catalog fetch and for nothing else.
"""

from __future__ import annotations

from typing import Any, cast

import httpx
import redis.asyncio as aioredis

from dialer.crm.ledger import Ledger
from dialer.crm.port import CrmClient
from dialer.crm.requests import ResultEntry
from dialer.crm.runner import make_client, open_key
from dialer.crm.store import CrmStore
from dialer.queue import keys
from dialer.settings import Settings
from dialer.times import iso_or_none

RECENT = 100


async def client_for(
    redis: aioredis.Redis, settings: Settings, campaign_id: str, transport: httpx.AsyncBaseTransport | None
) -> CrmClient | None:
    linked = await CrmStore(redis).get(campaign_id)
    if linked is None:
        return None
    return make_client(settings, linked[0], open_key(settings, linked[1]), transport)


async def ledger_view(redis: aioredis.Redis, campaign_id: str, status: str | None) -> dict[str, Any]:
    """Counts, how many results wait to be read, and the newest results (or the failed ones) with their
    state: what the CRM page shows."""
    ledger = Ledger(redis, campaign_id)
    counts = await ledger.counts()
    total = int(await redis.xlen(keys.results(campaign_id)))
    if status == "failed":
        ids = await ledger.failed(RECENT)
        found: list[tuple[str, dict[str, str]]] = []
        for i in ids:
            found += cast(
                list[tuple[str, dict[str, str]]], await redis.xrange(keys.results(campaign_id), i, i)
            )
    else:
        found = cast(
            list[tuple[str, dict[str, str]]], await redis.xrevrange(keys.results(campaign_id), count=RECENT)
        )
    states = await ledger.get([i for i, _ in found])
    rows = []
    for (entry_id, fields), state in zip(found, states, strict=True):
        entry = ResultEntry.from_fields(entry_id, fields)
        if status is not None and (state.status if state else "waiting") != status:
            continue
        rows.append(
            {
                "entry_id": entry_id,
                "contact_id": entry.contact_id,
                "external_id": entry.external_id,
                "result": entry.result,
                "recorded_at": iso_or_none(entry.recorded_at),
                "status": state.status if state else "waiting",
                "message": state.message if state else "",
                "tries": state.tries if state else 0,
                "in_doubt": bool(state and state.in_doubt),
                "corrects": (state.corrects or None) if state else None,
                "retry_at": iso_or_none(state.retry_at) if state else None,
            }
        )
    settled = sum(counts[s] for s in ("sent", "skipped", "failed", "sending", "pending"))
    return {"counts": counts, "results": total, "waiting": max(total - settled, 0), "entries": rows}


async def requeue(redis: aioredis.Redis, campaign_id: str, entry_ids: list[str], now: float) -> int:
    ledger = Ledger(redis, campaign_id)
    done = 0
    for entry_id in entry_ids:
        done += await ledger.requeue(entry_id, now)
    return done


async def replay(redis: aioredis.Redis, campaign_id: str, start: float, end: float, now: float) -> int:
    """Sends again every settled result recorded from `start` to `end` (epoch seconds, by the time the app
    recorded it), reading the campaign's results a thousand at a time."""
    done = 0
    cursor = "-"
    while True:
        page = cast(
            list[tuple[str, dict[str, str]]],
            await redis.xrange(keys.results(campaign_id), cursor, "+", count=1000),
        )
        if not page:
            return done
        ids = [i for i, f in page if start <= float(f.get("recorded_at") or 0) <= end]
        done += await requeue(redis, campaign_id, ids, now)
        if len(page) < 1000:
            return done
        cursor = "(" + page[-1][0]
