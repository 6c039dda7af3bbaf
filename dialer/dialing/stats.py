"""The dialer's numbers for organizers: mode, dial ratio, abandonment and how long volunteers wait."""

from __future__ import annotations

from typing import Any, cast

import redis.asyncio as aioredis

from dialer.abandon_periods import PeriodFigures
from dialer.campaigns import Campaign
from dialer.dialing.agents import AGENT_TIMEOUT, AgentState, is_stale, pool
from dialer.dialing.bridge import dial_counters
from dialer.dialing.periods import period_figures
from dialer.queue import keys as dkeys
from dialer.queue.lua_scripts import run
from dialer.times import iso_or_none


async def dialer_numbers(redis: aioredis.Redis, campaign: Campaign, now: float) -> dict[str, Any]:
    """`dial_ratio` is lines in flight per volunteer in the pool at the pacer's last decision (at most 1 in
    power mode), 0 while the campaign does not dial (paused, archived, closed, preview); `lines` the lines
    in flight now; `mean_wait_seconds` is how long a free volunteer waited for a voter, on average;
    `canceled` counts lines the pacer hung up after 15 s of ringing with nobody free for them; `volunteers`
    leaves out the ones gone quiet (the pacer drops them only while it dials). `dials`, `live_answers`,
    `abandoned` and `abandon_rate` are the campaign's whole life; `period` is the 30-day period the cap is
    measured over, which the pacer plans with (abandon_periods.py)."""
    counters = await dial_counters(redis, campaign.id)
    agents = [a for a in await pool(redis, campaign.id) if not is_stale(a, now)]
    # The pacer's status lives a minute after its last decision: once it stops dialing, the tiles showed
    # its last ratio and lines for that minute, though nobody was being dialed.
    status = (
        cast(dict[str, str], await redis.hgetall(dkeys.dial_status(campaign.id))) if campaign.dialing else {}
    )
    lines = (
        int(status["lines"]) if "lines" in status else int(await redis.zcard(dkeys.dial_lines(campaign.id)))
    )
    return {
        "campaign_id": campaign.id,
        "mode": campaign.mode.value,
        "dials": counters.dials,
        "live_answers": counters.live_answers,
        "abandoned": counters.abandoned,
        "canceled": counters.canceled,
        "abandon_rate": counters.abandon_rate,
        "abandon_cap": campaign.abandon_cap,
        "period": period_view(await period_figures(redis, campaign.id, now)),
        "dial_ratio": float(status.get("dial_ratio") or 0.0),
        "lines": lines,
        "mean_wait_seconds": counters.mean_wait,
        "volunteers": {state.value: sum(1 for a in agents if a.state is state) for state in AgentState},
    }


async def volunteers_with_a_list(redis: aioredis.Redis, campaign_id: str, now: float) -> int:
    """Power and predictive: the volunteers holding a live list who are still taking calls. A list there
    is where the voters bridged to them go, and it is held for the campaign's lease (15 minutes in the
    demo) after they stop or the campaign pauses, so counting lists counted people long gone. One who left
    the pool (away) or went quiet is not counted; a list taken through the API without the pool is. One
    script (count_calling.lua): 1,000 lists took 94 ms as two pipelines of reads from here."""
    args = [dkeys.tag(campaign_id) + ":", repr(now), dkeys.AUTO, AGENT_TIMEOUT]
    return int(await run(redis, "count_calling", [dkeys.leases(campaign_id)], args))


def period_view(period: PeriodFigures) -> dict[str, Any]:
    """The abandonment cap's current period as the API answers it (times null before the first dial)."""
    return {
        "index": period.index,
        "started_at": iso_or_none(period.started_at),
        "ends_at": iso_or_none(period.ends_at),
        "live_answers": period.live_answers,
        "abandoned": period.abandoned,
        "abandon_rate": period.abandon_rate,
    }
