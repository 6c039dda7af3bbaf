"""The dialer's numbers for organizers: mode, dial ratio, abandonment and how long volunteers wait."""

from __future__ import annotations

from typing import Any, cast

import redis.asyncio as aioredis

from dialer.campaigns import Campaign
from dialer.dialing.agents import AgentState, pool
from dialer.dialing.bridge import dial_counters
from dialer.queue import keys as dkeys


async def dialer_numbers(redis: aioredis.Redis, campaign: Campaign) -> dict[str, Any]:
    """`dial_ratio` is lines in flight per volunteer in the pool at the pacer's last decision (at most 1 in
    power mode); `mean_wait_seconds` is how long a free volunteer waited for a voter, on average;
    `canceled` counts lines the pacer hung up after 15 s of ringing with nobody free for them."""
    counters = await dial_counters(redis, campaign.id)
    agents = await pool(redis, campaign.id)
    status = cast(dict[str, str], await redis.hgetall(dkeys.dial_status(campaign.id)))
    return {
        "campaign_id": campaign.id,
        "mode": campaign.mode.value,
        "dials": counters.dials,
        "live_answers": counters.live_answers,
        "abandoned": counters.abandoned,
        "canceled": counters.canceled,
        "abandon_rate": counters.abandon_rate,
        "abandon_cap": campaign.abandon_cap,
        "dial_ratio": float(status.get("dial_ratio") or 0.0),
        "lines": int(status.get("lines") or 0),
        "mean_wait_seconds": counters.mean_wait,
        "volunteers": {state.value: sum(1 for a in agents if a.state is state) for state in AgentState},
    }
