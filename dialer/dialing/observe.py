"""What the pacer sees of a campaign, read from Redis: the volunteers in the pool, the lines in flight, the
outcome and talk-time estimates and the abandonment in the cap's period, as the pure pacer's `PacingInput`."""

from __future__ import annotations

import logging
from collections import Counter

import redis.asyncio as aioredis

from dialer import pacing
from dialer.campaigns import Campaign
from dialer.dialing import periods
from dialer.dialing.agents import Agent, is_stale, pool, set_ready
from dialer.dialing.bridge import DialCounters, dial_counters
from dialer.dialing.model import agent_view
from dialer.queue import keys
from dialer.queue import keys as dkeys
from dialer.queue.lua_scripts import run

log = logging.getLogger("dialer.pacer")

LOST_LINE = 180.0  # carrier seconds after which a line with no verdict is taken for lost


async def observe(
    redis: aioredis.Redis,
    campaign: Campaign,
    now: float,
    *,
    scale: float,
    cps: float,
    recent: list[float],
    config: pacing.PacerConfig,
) -> tuple[pacing.PacingInput, list[str]]:
    """The pacer's view of a campaign now: its pool, the lines in flight, the outcome and talk-time
    estimates and the abandonment in the cap's current 30-day period (times in carrier seconds: `scale`
    times real time); and the CallSids of the lines, in the order of `PacingInput.ringing`."""
    cid, s = campaign.id, scale
    agents: list[Agent] = []
    for a in await pool(redis, cid):
        if is_stale(a, now):
            await set_ready(redis, cid, a.volunteer, False, now=now, lease_seconds=campaign.lease_seconds)
        else:
            agents.append(a)
    views = [agent_view(a, now, s) for a in agents]
    async with redis.pipeline(transaction=False) as pipe:
        pipe.zrange(dkeys.dial_lines(cid), 0, -1, withscores=True)
        pipe.zcard(dkeys.dial_waiting(cid))
        pipe.lrange(dkeys.dial_talk(cid), 0, -1)
        lines, waiting, talks = await pipe.execute()
    lost = [sid for sid, at in lines if (now - float(at)) * s > LOST_LINE]
    if lost:
        # No verdict long after any ring or pick-up could last: its callbacks were lost. It stops counting
        # as ringing (else power mode would wait for it forever); a late callback still resolves it.
        log.warning("%d lines of %s had no callback for %.0f s", len(lost), cid, LOST_LINE)
        await give_up_lines(redis, cid, lost)
        lines = [(sid, at) for sid, at in lines if sid not in set(lost)]
    counters = await dial_counters(redis, cid)
    # The cap is measured over the current 30-day period, not the campaign's life (abandon_periods.py).
    await periods.anchor(redis, campaign, now)
    period = await periods.period_figures(redis, cid, now)
    talk = pacing.TalkTimeEstimator()
    for seconds in talks:
        talk = talk.observed(float(seconds))
    outcomes = pacing.OutcomeEstimator(counts=await settled_counts(redis, cid, counters, now, scale))
    if counters.canceled:
        # Lines we hung up count as a share of each outcome, judged at the mean time they rang.
        rang = counters.canceled_seconds * s / counters.canceled
        outcomes = outcomes.hung_up(rang, config.timing, count=counters.canceled)
    ringing = [max(0.0, (now - float(at)) * s) for _, at in lines]
    cancellable = await _cancellable(redis, cid, lines, ringing, now, s, config)
    inp = pacing.PacingInput(
        now=now * s,
        mode=campaign.mode,
        agents=views,
        ringing=ringing,
        outcomes=outcomes,
        talk=talk.model,
        live_answers=period.live_answers,
        abandoned=period.abandoned,
        waiting=int(waiting),
        abandon_cap=campaign.abandon_cap,
        cps_limit=cps,
        recent_dials=[t * s for t in recent],
        cancellable=cancellable,
    )
    return inp, [str(sid) for sid, _ in lines]


async def _cancellable(
    redis: aioredis.Redis,
    cid: str,
    lines: list[tuple[str, float]],
    ringing: list[float],
    now: float,
    scale: float,
    config: pacing.PacerConfig,
) -> list[bool]:
    """Lines the pacer may hang up: heard ringing at least `min_ring` carrier seconds ago and not picked
    up. Only lines that old since their dial can be; the rest are not read."""
    out = [False] * len(lines)
    old = [i for i, age in enumerate(ringing) if age >= config.min_ring]
    if not old:
        return out
    async with redis.pipeline(transaction=False) as pipe:
        for i in old:
            pipe.hmget(dkeys.dial_line(cid, lines[i][0]), ["ringing_at", "picked_up_at", "state"])
        replies = await pipe.execute()
    for i, (ringing_at, picked_up_at, state) in zip(old, replies, strict=True):
        out[i] = (
            state == "dialing"
            and not picked_up_at
            and ringing_at is not None
            and (now - float(ringing_at)) * scale >= config.min_ring
        )
    return out


async def give_up_lines(redis: aioredis.Redis, cid: str, sids: list[str]) -> None:
    """Lines given up for lost: out of the lines in flight, their voters back to the queue (we cannot tell
    whether anyone answered, so no outcome is recorded)."""
    await redis.zrem(dkeys.dial_lines(cid), *sids)
    for sid in sids:
        contact_id, batch_id = await redis.hmget(dkeys.dial_line(cid, sid), ["contact_id", "batch"])
        if contact_id and batch_id:
            await run(redis, "dial_return", [keys.counters(cid)],
                      [dkeys.dial_prefix(cid), batch_id, "return", contact_id])  # fmt: skip


async def settled_counts(
    redis: aioredis.Redis, cid: str, counters: DialCounters, now: float, scale: float
) -> tuple[float, float, float, float]:
    """Outcome counts of dials old enough to have settled. Fast failures (2-5 s) arrive before any
    pick-up (5-18 s): counted at once they make a young campaign's answer rate look low, and a big pool
    floods (the simulator showed up to 13% abandoned at the start before this)."""
    horizon = now - pacing.CallTiming().settled_after / scale
    async with redis.pipeline(transaction=False) as pipe:
        pipe.zremrangebyscore(dkeys.dial_settling(cid), "-inf", f"({horizon!r}")
        pipe.zrange(dkeys.dial_settling(cid), 0, -1)
        _, recent = await pipe.execute()
    young = Counter(str(member).split("|", 1)[0] for member in recent)
    return (
        max(0.0, counters.human - young["human"]),
        max(0.0, counters.machine - young["machine"]),
        max(0.0, counters.failed - young["failed"]),
        max(0.0, counters.no_answer - young["no_answer"]),
    )
