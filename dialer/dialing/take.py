"""The pacer's take (dial_take.lua) and why it came back empty.

When the pacer wants to dial and takes nobody, volunteers waiting in the pool are told why, and when calling
can resume: the voters left to call now are all cell phones without consent (never autodialed), or everyone
left is outside calling hours until their zone opens, or waits for a retry, or the list is used up. The take
reports what it learned on its way (the cells it paged over; when short, one look per zone at the first
later entry), so no extra scan is made: `why_idle` turns that into a reason. The pacer keeps the reason in
the campaign's dial status (`idle_reason`, `idle_until`, `cells`) and announces each change on the campaign's
`calls` channel as `{"type": "dialer", "reason", "resume_at"}`, which every call socket of the campaign relays
to its page (and sends on connect, from the dial status).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

import redis.asyncio as aioredis

from dialer.calling_hours import Window, next_opening, open_zones
from dialer.campaigns import Campaign
from dialer.queue import keys
from dialer.queue.lease import BatchContact, LeaseQueue, new_batch_id
from dialer.queue.lua_scripts import run
from dialer.times import iso

AUTO_LEASE = 3600.0  # the server's own batch; renewed at every take
SCAN = 200  # pending entries read at a time by a take
MAX_SKIPPED = 5000  # cells without consent paged over per zone and take, at most

CELLS = "cells_without_consent"
OUTSIDE_HOURS = "outside_hours"
WAITING_RETRY = "waiting_retry"
USED_UP = "list_used_up"
REASONS = (CELLS, OUTSIDE_HOURS, WAITING_RETRY, USED_UP)


@dataclass(frozen=True)
class Idle:
    """Why the pacer took nobody ("" when it took someone), when some voter may be dialed again (None:
    not known to come), and the cells without consent it paged over (due now, in open zones)."""

    reason: str = ""
    until: float | None = None
    cells: int = 0

    def same(self, other: Idle | None) -> bool:
        return other is not None and (self.reason, self.until) == (other.reason, other.until)

    def message(self) -> dict[str, Any]:
        """What the call sockets relay to the pages."""
        at = iso(self.until) if self.until is not None else None
        return {"type": "dialer", "reason": self.reason or None, "resume_at": at, "cells": self.cells}


def why_idle(
    cells: int, open_next: float | None, closed_first: Sequence[tuple[str, float]], window: Window, now: float
) -> Idle:
    """A take that came back empty: `cells` paged over, `open_next` the first later due time in the open
    zones, `closed_first` each closed zone's first due time. Cells come first (they are callable now, only
    not by the server); otherwise the earliest of a retry coming due and a zone opening; else used up."""
    times: list[tuple[float, str]] = []
    if open_next is not None:
        times.append((max(open_next, now), WAITING_RETRY))
    for zone_name, first in closed_first:
        at = next_opening(zone_name, window, max(first, now))
        if at is not None:
            times.append((at, OUTSIDE_HOURS))
    soonest = min(times) if times else None
    if cells > 0:
        return Idle(CELLS, soonest[0] if soonest else None, cells)
    if soonest is not None:
        return Idle(soonest[1], soonest[0], 0)
    return Idle(USED_UP, None, 0)


def _score(value: Any) -> float | None:
    return float(value) if value not in ("", b"", None) else None


async def take(
    redis: aioredis.Redis, campaign: Campaign, k: int, now: float
) -> tuple[str, list[BatchContact], Idle]:
    """Take up to k contacts into the server's own batch; the batch id ("" when no zone is open), the
    contacts, and why nobody was taken (an Idle with no reason when somebody was)."""
    cid = campaign.id
    window = campaign.calling_hours.window()
    zones = await LeaseQueue(redis).zones(cid)
    opened = sorted(open_zones(zones, window, now))
    closed = sorted(zones - set(opened))
    if not opened:  # no take at all: one look per zone instead
        async with redis.pipeline(transaction=False) as pipe:
            for zone_name in closed:
                pipe.zrange(keys.pending(cid, zone_name), 0, 0, withscores=True)
            heads = await pipe.execute() if closed else []
        firsts = [(z, float(h[0][1])) for z, h in zip(closed, heads, strict=True) if h]
        return "", [], why_idle(0, None, firsts, window, now)
    reply = await run(
        redis,
        "dial_take",
        [keys.leases(cid), keys.holder(cid, keys.AUTO), keys.counters(cid)],
        [
            keys.dial_prefix(cid),
            keys.AUTO,
            new_batch_id(cid),
            k,
            repr(now + AUTO_LEASE),
            repr(now),
            campaign.max_attempts,
            "1" if campaign.cell_consent else "0",
            SCAN,
            MAX_SKIPPED,
            len(opened),
            *opened,
            *closed,
        ],
    )
    contacts = [BatchContact.from_hash(dict(zip(flat[::2], flat[1::2], strict=True))) for flat in reply[2:]]
    report = cast(list[Any], reply[1])
    cells = int(report[0])
    if contacts or not int(report[1]):
        return str(reply[0]), contacts, Idle(cells=cells)
    firsts = [(z, s) for z, v in zip(closed, report[3:], strict=True) if (s := _score(v)) is not None]
    return str(reply[0]), contacts, why_idle(cells, _score(report[2]), firsts, window, now)


async def announce_idle(redis: aioredis.Redis, campaign_id: str, idle: Idle) -> None:
    """Tell the campaign's call sockets (web/call_hub.py fans it out to all of them)."""
    await redis.publish(keys.calls_channel(campaign_id), json.dumps(idle.message()))


def idle_from_status(status: dict[str, str]) -> Idle | None:
    """The pacer's last reason from the campaign's dial status (None when it has none)."""
    if "idle_reason" not in status:
        return None
    until = status.get("idle_until") or ""
    return Idle(status["idle_reason"], float(until) if until else None, int(status.get("cells") or 0))


def status_fields(idle: Idle) -> dict[str, str]:
    return {"idle_reason": idle.reason, "idle_until": repr(idle.until) if idle.until is not None else "",
            "cells": str(idle.cells)}  # fmt: skip
