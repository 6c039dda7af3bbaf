"""Lines whose final callback never reached us, asked of the carrier.

A status callback can be lost: the web process was down when the carrier posted it (Twilio does not retry
status callbacks), or the proxy in front dropped it. Its line then stays in flight with no verdict: power
mode waits for it, and after LOST_LINE (observe.py) its voter goes back to the queue without an outcome,
as if never dialed. So the pacer holding the campaign asks the carrier (Twilio's GET
Calls/{CallSid}.json, the `CallLookup` port) about lines that have gone quiet longer than any ring and
answering-machine verdict takes, between its rounds (never while placing a call), and applies a final
status it learns exactly as the lost callback would have been: the attempt record, then the pacer's
verdict and the recorded outcome (bridge.DialEvents), each idempotent, so a callback arriving late changes
nothing more.

A line whose answering-machine verdict was lost too (the carrier's AnsweredBy) is settled by it: a machine
or fax as its verdict would have been (the voicemail result; the message was never left), a person as an
abandoned call, counted against the 3% cap (they answered and nobody was connected: when Twilio cannot
fetch the answered call's instructions it plays an error and hangs up). A person's verdict is never applied
late as such: it would bridge a volunteer to a call that has ended.

A line still up at the carrier, answered, whose verdict the carrier knows and we never heard: a machine
gets its voicemail, a person is abandoned there and then (identification message, hang-up). The crowd
run's Redis kill left 3 voters on such lines for 180 carrier seconds, then LOST_LINE put them back in the
queue and they were dialed again while still on the first call. Other lines still up are left for their
callbacks, and to LOST_LINE.

A line the carrier does not know at all (404: a simulated carrier that died with its worker never placed
it for the new one) is given up at once, as LOST_LINE would later; unless a callback that did reach us
said a person answered it: nobody was connected to them, so it is abandoned and counted so (the crowd
runs' worker kills left such voters uncounted: 3 in 469 live answers).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any, cast

import redis.asyncio as aioredis

from dialer.calling_hours import local_day
from dialer.campaigns import Campaign
from dialer.dialing import twiml
from dialer.dialing.bridge import DialEvents
from dialer.dialing.observe import give_up_lines
from dialer.queue import keys as dkeys
from dialer.queue.attempts import AttemptStore
from dialer.settings import Settings
from dialer.telephony.base import AnsweredBy, CallEvent, CallLookup, CallStatus, CarrierError, EventKind

log = logging.getLogger("dialer.pacer")

QUIET_AFTER = 60.0  # carrier seconds without a verdict after which the carrier is asked about a line
MAX_ASKED = 50  # lines asked about in one look (the oldest first)


class QuietLines:
    def __init__(
        self, redis: aioredis.Redis, carrier: Any, settings: Settings, clock: Callable[[], float] = time.time
    ) -> None:
        self.redis = redis
        self.carrier = carrier
        self.lookup = carrier if isinstance(carrier, CallLookup) else None
        self.events = DialEvents(redis, settings, clock)
        self.attempts = AttemptStore(redis)

    async def settle(self, campaign: Campaign, now: float, scale: float) -> int:
        """Ask the carrier about the campaign's lines quiet for QUIET_AFTER carrier seconds; apply the final
        statuses it reports. Returns how many lines were settled."""
        if self.lookup is None:
            return 0
        cid = campaign.id
        quiet = cast(
            list[str],
            await self.redis.zrangebyscore(
                dkeys.dial_lines(cid), "-inf", repr(now - QUIET_AFTER / scale), start=0, num=MAX_ASKED
            ),
        )
        settled, unknown = 0, []
        for sid in quiet:
            try:
                event = await self.lookup.call_status(sid)
            except CarrierError as exc:
                log.info("could not ask the carrier about %s: %s", sid, exc)
                continue
            if event is None:  # no such call at the carrier (a simulated carrier that died with its
                unknown.append(sid)  # worker, or another account's): nothing will ever call back about it
                continue
            answered = event.status is CallStatus.IN_PROGRESS and event.answered_by is not None
            if not answered and (event.status is None or not event.status.is_final):
                continue
            contact_id = await self.redis.hget(dkeys.dial_line(cid, sid), "contact_id")
            event = replace(event, campaign_id=cid, contact_id=str(contact_id) if contact_id else None)
            if answered:
                await self.verdict_lost(campaign, event, now)
                settled += 1
                continue
            verdict = event.answered_by
            if verdict is not None and (verdict.is_machine or verdict is AnsweredBy.FAX):
                await self.events.on_event(replace(event, kind=EventKind.AMD), campaign)
            elif verdict is not None:
                await self.events.on_unheard(event, campaign)
            await self.attempts.apply(cid, event, now, day=local_day(campaign.default_timezone, now))
            await self.events.on_event(event, campaign)
            settled += 1
        if unknown:
            heard = await self._answered_by_a_person(cid, unknown)
            for sid in heard:
                await self.events.on_unheard(CallEvent(sid, None, campaign_id=cid), campaign)
            lost = [sid for sid in unknown if sid not in heard]
            log.warning("%d lines of %s are unknown to the carrier: %d answered by a person counted as "
                        "abandoned, the rest given up", len(unknown), cid, len(heard))  # fmt: skip
            await give_up_lines(self.redis, cid, lost)
        if settled:
            log.warning("%d lines of %s ended without their callback reaching us: settled from the carrier",
                        settled, cid)  # fmt: skip
        return settled

    async def verdict_lost(self, campaign: Campaign, event: CallEvent, now: float) -> None:
        """A line still up whose verdict the carrier knows and we never heard (the AMD callback was lost:
        Redis or the web process down). A machine gets the voicemail its callback would have brought; a
        person has waited far past the 2 s with nobody connected: abandoned now, told who called, and hung
        up, rather than left on the line until LOST_LINE hands the voter back to be dialed again while still
        on this call."""
        amd = replace(event, kind=EventKind.AMD, status=None)
        await self.attempts.apply(campaign.id, amd, now, day=local_day(campaign.default_timezone, now))
        verdict = event.answered_by
        if verdict is not None and (verdict.is_machine or verdict is AnsweredBy.FAX):
            await self.events.on_event(amd, campaign)
            return
        await self.events.on_unheard(event, campaign)
        try:
            await self.carrier.update_call(
                event.call_sid, twiml=twiml.identification_twiml(campaign.name, campaign.caller_id)
            )
        except CarrierError as exc:  # it ended meanwhile: its final callback finds the line settled
            log.info("could not end %s: %s", event.call_sid, exc)

    async def _answered_by_a_person(self, cid: str, sids: list[str]) -> set[str]:
        """The lines whose attempt heard a person answer (a status callback's AnsweredBy) before the
        carrier forgot them: the voter picked up and nobody was connected, so their call was abandoned."""
        async with self.redis.pipeline(transaction=False) as pipe:
            for sid in sids:
                pipe.hget(dkeys.attempt(cid, sid), "answered_by")
            verdicts = await pipe.execute()
        heard = set()
        for sid, raw in zip(sids, verdicts, strict=True):
            verdict = AnsweredBy(raw) if raw in AnsweredBy._value2member_map_ else None
            if verdict is not None and not verdict.is_machine and verdict is not AnsweredBy.FAX:
                heard.add(sid)
        return heard
