"""Carrier verdicts on server-dialed lines -> bridging, abandonment accounting and recorded outcomes.

The webhook routes call `DialEvents.on_event` (registered as `services["call_event"]`) after applying each
status or AMD callback. A human verdict reserves the longest-waiting free volunteer atomically (one Lua
script, dial_event.lua) and queues a `bridge` action for the campaign's pacer, which placed the call and
moves it (REST update) into the volunteer's conference; with nobody free the voter waits, and the pacer
abandons them at the deadline: 2 seconds after the completed greeting, i.e. after the AMD verdict
(47 CFR 64.1200(a)(7)). Machines get the voicemail message. Outcomes nobody talked through (no answer,
busy, machine, abandoned) are recorded as results by the server's own pseudo-volunteer, so attempts and
retries follow the campaign's policy like any other result.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import cast

import redis.asyncio as aioredis

from dialer.campaigns import Campaign
from dialer.dialing.agents import AGENT_TIMEOUT
from dialer.models import ResultCode
from dialer.queue import keys
from dialer.queue import keys as dkeys
from dialer.queue.errors import QueueError
from dialer.queue.lease import new_batch_id
from dialer.queue.lua_scripts import run
from dialer.queue.results import ResultInput, RetryPolicy, record_result
from dialer.settings import Settings
from dialer.telephony.base import AnsweredBy, CallEvent, CallStatus, EventKind

log = logging.getLogger("dialer.dialing")

BRIDGE_WINDOW = 2.0  # seconds an answered voter may wait for a volunteer before the call is abandoned
ABANDONED_NOTE = "abandoned: no volunteer was free within 2 seconds"

_UNANSWERED = {
    CallStatus.BUSY: ResultCode.BUSY,
    CallStatus.FAILED: ResultCode.DISCONNECTED,
    CallStatus.NO_ANSWER: ResultCode.NO_ANSWER,
    CallStatus.CANCELED: ResultCode.NO_ANSWER,
    CallStatus.COMPLETED: ResultCode.NO_ANSWER,  # picked up and hung up before any verdict
}


# Status callbacks that say how far a line has got, and the line field that keeps when we heard it.
_PROGRESS = {CallStatus.RINGING: "ringing_at", CallStatus.IN_PROGRESS: "picked_up_at"}


def time_scale(settings: Settings) -> float:
    """How much faster than real time calls run: the simulated carrier's speed, else 1."""
    return settings.sim_speed if settings.carrier == "simulated" else 1.0


@dataclass(frozen=True)
class DialCounters:
    dials: int = 0
    live_answers: int = 0
    abandoned: int = 0
    bridged: int = 0
    wait_total: float = 0.0
    human: int = 0
    machine: int = 0
    failed: int = 0
    no_answer: int = 0
    canceled: int = 0  # lines the pacer hung up after their legal ring, nobody being free for them
    canceled_seconds: float = 0.0  # how long those rang, in all (wall-clock seconds)

    @property
    def abandon_rate(self) -> float:
        return self.abandoned / self.live_answers if self.live_answers else 0.0

    @property
    def mean_wait(self) -> float | None:
        """Seconds a volunteer waited, on average, from becoming free to getting a voter."""
        return self.wait_total / self.bridged if self.bridged else None


async def dial_counters(redis: aioredis.Redis, campaign_id: str) -> DialCounters:
    raw = cast(dict[str, str], await redis.hgetall(dkeys.dial_counters(campaign_id)))

    def n(name: str) -> int:
        return int(raw.get(name) or 0)

    return DialCounters(
        dials=n("dials"),
        live_answers=n("live_answers"),
        abandoned=n("abandoned"),
        bridged=n("bridged"),
        wait_total=float(raw.get("wait_total") or 0.0),
        human=n("human"),
        machine=n("machine"),
        failed=n("failed"),
        no_answer=n("no_answer"),
        canceled=n("canceled"),
        canceled_seconds=float(raw.get("canceled_seconds") or 0.0),
    )


async def abandon_rate(redis: aioredis.Redis, campaign_id: str) -> float:
    """Abandoned calls over live answers for the campaign so far (0.0 before any live answer)."""
    return (await dial_counters(redis, campaign_id)).abandon_rate


def abandon_rate_services(
    redis: aioredis.Redis,
) -> tuple[Callable[[Campaign], Awaitable[float]], Callable[[str], Awaitable[float | None]]]:
    """The two shapes callers want: by Campaign (services["abandon_rate"]) and by id (LiveHub)."""

    async def by_campaign(campaign: Campaign) -> float:
        return await abandon_rate(redis, campaign.id)

    async def by_id(campaign_id: str) -> float | None:
        return await abandon_rate(redis, campaign_id)

    return by_campaign, by_id


async def record_outcome(
    redis: aioredis.Redis,
    campaign: Campaign,
    *,
    contact_id: str,
    batch_id: str,
    result: ResultCode,
    call_sid: str,
    now: float,
    notes: str = "",
) -> None:
    """Record what happened on a line nobody talked through, once per line (idempotent per CallSid)."""
    if not contact_id or not batch_id:
        return
    try:
        await record_result(
            redis,
            campaign.id,
            batch_id,
            dkeys.AUTO,
            ResultInput(
                contact_id=contact_id,
                result=result,
                idempotency_key=f"dial:{call_sid}",
                notes=notes,
                call_sid=call_sid,
            ),
            policy=RetryPolicy(campaign.max_attempts, campaign.retry_minutes),
            now=now,
            volunteer_name=dkeys.AUTO_NAME,
        )
    except QueueError as exc:  # e.g. a final result was recorded meanwhile: nothing more to keep
        log.info("outcome of %s for contact %s not recorded: %s", call_sid, contact_id, exc.code)


async def apply_verdict(
    redis: aioredis.Redis,
    campaign: Campaign,
    call_sid: str,
    kind: str,
    *,
    now: float,
    scale: float = 1.0,
    final_status: str = "",
    duration: int | None = None,
) -> list[str]:
    """Run dial_event.lua for one verdict on a line (kind: human | machine | end | unheard); returns its
    reply."""
    cid = campaign.id
    reply = await run(
        redis,
        "dial_event",
        [
            dkeys.dial_line(cid, call_sid),
            dkeys.dial_lines(cid),
            dkeys.dial_waiting(cid),
            dkeys.dial_ready(cid),
            dkeys.dial_counters(cid),
            keys.leases(cid),
            dkeys.dial_actions(cid),
            keys.attempt(cid, call_sid),
            dkeys.dial_talk(cid),
            dkeys.dial_settling(cid),
        ],
        [
            dkeys.dial_prefix(cid),
            call_sid,
            kind,
            final_status,
            repr(now),
            repr(now + BRIDGE_WINDOW / scale),
            new_batch_id(cid),
            repr(now + campaign.lease_seconds),
            repr(now - AGENT_TIMEOUT),
            keys.calls_channel(cid),
            "" if duration is None else str(duration),  # carrier seconds, as the pacer thinks
        ],
    )
    return [str(part) for part in reply]


class DialEvents:
    """The webhook side of server-dialed calls: `await on_event(event, campaign)` after each callback."""

    def __init__(
        self, redis: aioredis.Redis, settings: Settings, clock: Callable[[], float] = time.time
    ) -> None:
        self.redis = redis
        self.clock = clock
        self.scale = time_scale(settings)

    async def on_event(self, event: CallEvent, campaign: Campaign) -> None:
        """`campaign` is the one the callback names, already loaded by the webhook route."""
        if event.parent_call_sid:
            return  # preview calls (a browser's child leg) are not ours
        if event.kind is EventKind.STATUS and event.status in _PROGRESS:
            await self._progress(campaign.id, event.call_sid, _PROGRESS[event.status])
            return
        verdict_due = event.kind is EventKind.AMD or (event.status is not None and event.status.is_final)
        if not verdict_due:
            return  # queued, initiated: nothing to decide (and no Redis read to spend)
        if not await self.redis.exists(dkeys.dial_line(campaign.id, event.call_sid)):
            return
        if event.kind is EventKind.AMD:
            verdict = event.answered_by
            kind = (
                "machine"
                if verdict is not None and (verdict.is_machine or verdict is AnsweredBy.FAX)
                else "human"
            )
            reply = await apply_verdict(
                self.redis, campaign, event.call_sid, kind, now=self.clock(), scale=self.scale
            )
        elif event.status is not None and event.status.is_final:
            if event.answered_by is not None:
                await self._verdict_with_the_end(event, campaign)
            reply = await apply_verdict(
                self.redis,
                campaign,
                event.call_sid,
                "end",
                now=self.clock(),
                scale=self.scale,
                final_status=event.status.value,
                duration=event.duration,
            )
        else:
            return
        await self._record(campaign, event, reply)

    async def _verdict_with_the_end(self, event: CallEvent, campaign: Campaign) -> None:
        """A final callback that carries the AnsweredBy verdict for a line whose AMD callback never came
        (lost while Redis or the web process was down, or still on its way): the verdict first, as the
        carrier's lookup would give it (quiet_lines.py). Only a line still without a verdict changes: a
        machine gets its voicemail result, a person who was never connected is abandoned. Without it the
        crowd run's Redis kill left 28 people who answered counted as `no_answer`, not as abandoned."""
        verdict = event.answered_by
        if verdict is not None and (verdict.is_machine or verdict is AnsweredBy.FAX):
            reply = await apply_verdict(
                self.redis, campaign, event.call_sid, "machine", now=self.clock(), scale=self.scale
            )
            if reply[0] == "machine":  # its voicemail action finds the call over: nothing is left
                await self._record(campaign, event, reply)
            return
        await self.on_unheard(event, campaign)

    async def on_unheard(self, event: CallEvent, campaign: Campaign) -> None:
        """A line the carrier says a person answered and that has ended, its verdicts never heard here
        (dialing/quiet_lines.py): nobody was connected to them, so it counts as abandoned."""
        reply = await apply_verdict(
            self.redis, campaign, event.call_sid, "unheard", now=self.clock(), scale=self.scale
        )
        await self._record(campaign, event, reply)

    async def _progress(self, campaign_id: str, call_sid: str, field: str) -> None:
        """Note when a server-dialed line started ringing or was answered (the first time only; a late or
        repeated callback changes nothing): the pacer may hang up a line only after it has rung 15 s and
        while nobody has answered. Times are when we heard, never earlier than it happened."""
        await run(
            self.redis, "dial_progress", [dkeys.dial_line(campaign_id, call_sid)], [field, repr(self.clock())]
        )

    async def _record(self, campaign: Campaign, event: CallEvent, reply: list[str]) -> None:
        outcome = reply[0]
        if outcome == "machine":
            code = ResultCode.WRONG_NUMBER if event.answered_by is AnsweredBy.FAX else ResultCode.VOICEMAIL
            await self._keep(campaign, reply[1], reply[2], code, event.call_sid)
        elif outcome == "unanswered":
            code = (
                _UNANSWERED.get(event.status, ResultCode.NO_ANSWER) if event.status else ResultCode.NO_ANSWER
            )
            await self._keep(campaign, reply[1], reply[2], code, event.call_sid)
        elif outcome == "abandoned":
            await self._keep(
                campaign, reply[1], reply[2], ResultCode.NO_ANSWER, event.call_sid, ABANDONED_NOTE
            )

    async def _keep(
        self,
        campaign: Campaign,
        contact_id: str,
        batch_id: str,
        code: ResultCode,
        call_sid: str,
        notes: str = "",
    ) -> None:
        await record_outcome(
            self.redis,
            campaign,
            contact_id=contact_id,
            batch_id=batch_id,
            result=code,
            call_sid=call_sid,
            now=self.clock(),
            notes=notes,
        )
