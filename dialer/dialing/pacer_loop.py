"""The per-campaign pacer loop: reads the pool and the lines from Redis, asks `dialer.pacing.decide` how many
lines to dial, takes that many contacts from the lease queue, checks each at dial time (guardrails) and
places the calls with answering-machine detection. It also carries out the carrier actions the webhooks
queue for the calls it placed (bridge into a volunteer's conference, voicemail, hang-up, recording, the
hold of a voter whose volunteer's page dropped out and the bridge that takes them back) and
abandons the voters nobody was free for at their deadline.

One loop per campaign dials at a time: each takes the campaign's Redis lock (a token with an expiry, renewed
every iteration), so running two workers is safe, and a restarted worker picks up where the lost one left
off (its queued actions, waiting voters and open lines are all in Redis). Times are wall-clock seconds in
Redis; the pacer thinks in carrier seconds (`scale` times faster with a sped-up simulated carrier).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Callable
from typing import Any, cast

import redis.asyncio as aioredis

from dialer import abandon_periods, pacing
from dialer.campaigns import Campaign
from dialer.dialing import twiml
from dialer.dialing.bridge import ABANDONED_NOTE, record_outcome, time_scale
from dialer.dialing.model import RING_TIMEOUT, pacer_config
from dialer.dialing.observe import observe
from dialer.dialing.orphans import reclaim_undialed
from dialer.dialing.quiet_lines import QuietLines
from dialer.dialing.record_call import record_dialer_call
from dialer.dialing.take import Idle, announce_idle, status_fields, take
from dialer.guardrails import DialFacts, Refusal, check_dial
from dialer.models import ResultCode
from dialer.queue import keys
from dialer.queue import keys as dkeys
from dialer.queue.attempts import AttemptStore
from dialer.queue.lease import BatchContact
from dialer.queue.lua_scripts import run
from dialer.settings import Settings
from dialer.stores.campaigns import CampaignStore
from dialer.stores.voicemail import has_voicemail, voicemail_twiml_for
from dialer.telephony.base import CarrierError, MachineDetection, PlaceCall
from dialer.telephony.forms import amd_callback_url, status_callback_url, webhook_url
from dialer.telephony.recording import recorder

log = logging.getLogger("dialer.pacer")

OUTBOUND_PATH = "/twilio/outbound"  # the answered voter's first TwiML (see api_dialer.py)
DEFAULT_CPS = 10.0  # new calls a (carrier) second, under the account's limit
TICK = 1.0  # carrier seconds between two pacing decisions
LOCK_MS = 5000
LINE_TTL = 24 * 3600
LOOK_SECONDS = 30.0  # carrier seconds between two looks for contacts taken and never dialed


class CampaignPacer:
    def __init__(
        self,
        redis: aioredis.Redis,
        carrier: Any,
        settings: Settings,
        campaign_id: str,
        *,
        clock: Callable[[], float] = time.time,
        scale: float | None = None,
        cps: float = DEFAULT_CPS,
    ) -> None:
        self.redis, self.carrier, self.settings = redis, carrier, settings
        self.campaign_id = campaign_id
        self.clock = clock
        self.scale = time_scale(settings) if scale is None else scale
        self.cps = cps
        self.token = secrets.token_hex(16)
        self.config = pacer_config()
        self.recent: list[float] = []  # wall-clock times of our last dials (for the CPS window)
        self.dialed = 0
        self.canceling: set[str] = set()  # lines we have asked the carrier to hang up (asked once each)
        self.suspects: frozenset[str] = frozenset()  # in our batch without a line at the last look
        self.next_look = 0.0  # (orphans.py): at once when this pacer takes the lock
        self.quiet = QuietLines(redis, carrier, settings, clock)
        self.idle: Idle | None = None  # why the last take that wanted someone got nobody (take.py)
        self.announced: Idle | None = None
        self.ready_before = 0  # volunteers ready at the last tick

    # -- the lock ------------------------------------------------------------------------------------

    async def hold_lock(self, ms: int = LOCK_MS) -> bool:
        return bool(await run(self.redis, "dial_lock", [dkeys.dial_lock(self.campaign_id)], [self.token, ms]))

    async def release_lock(self) -> None:
        await run(self.redis, "dial_lock", [dkeys.dial_lock(self.campaign_id)], [self.token, 0])

    # -- the loop ------------------------------------------------------------------------------------

    async def run(self, stop: Callable[[], bool] = lambda: False) -> None:
        """Pace the campaign until `stop()`, or until it stops dialing and nothing is in flight."""
        tick_real = max(0.02, TICK / self.scale)
        next_tick = 0.0
        try:
            while not stop():
                if not await self.hold_lock():
                    await asyncio.sleep(min(1.0, LOCK_MS / 4000))
                    continue
                campaign = await CampaignStore(self.redis).get(self.campaign_id)
                if campaign is None:
                    return
                await self.look_around(campaign)
                now = self.clock()
                await self.abandon_overdue(campaign, now)
                if now >= next_tick:
                    next_tick = now + tick_real
                    if campaign.dialing:
                        await self.tick(campaign, now)
                    elif await self._idle(campaign):
                        return
                await self.wait_for_actions(
                    campaign, min(next_tick, await self._next_deadline()) - self.clock()
                )
        finally:
            await self.release_lock()

    async def look_around(self, campaign: Campaign) -> None:
        """Now and then, between rounds: settle the lines whose callbacks were lost from the carrier
        (quiet_lines.py), and hand back what the server's batch holds undialed (orphans.py)."""
        now = self.clock()
        if now >= self.next_look:
            self.next_look = now + max(1.0, LOOK_SECONDS / self.scale)
            await self.quiet.settle(campaign, now, self.scale)
            self.suspects = await reclaim_undialed(self.redis, self.campaign_id, self.suspects)

    async def _idle(self, campaign: Campaign) -> bool:
        cid = campaign.id
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.zcard(dkeys.dial_lines(cid))
            pipe.zcard(dkeys.dial_waiting(cid))
            pipe.llen(dkeys.dial_actions(cid))
            counts = await pipe.execute()
        return not any(counts)

    async def _next_deadline(self) -> float:
        first = await self.redis.zrange(dkeys.dial_waiting(self.campaign_id), 0, 0, withscores=True)
        return float(first[0][1]) if first else float("inf")

    async def wait_for_actions(self, campaign: Campaign, timeout: float) -> None:
        """Carry out queued carrier actions; block up to `timeout` seconds for the first one."""
        key = dkeys.dial_actions(campaign.id)
        popped = await self.redis.blpop([key], timeout=max(0.01, min(timeout, 1.0)))
        if popped is None:
            return
        await self.perform(campaign, str(popped[1]))
        while (item := await self.redis.lpop(key)) is not None:
            await self.perform(campaign, str(item))

    async def perform(self, campaign: Campaign, action: str) -> None:
        kind, _, rest = action.partition("|")
        sid, _, volunteer = rest.partition("|")
        try:
            if kind == "bridge":
                await self.carrier.update_call(sid, twiml=twiml.bridge_twiml(campaign.id, volunteer))
            elif kind == "machine":  # the recording if the campaign has one, else its text read aloud
                message = await voicemail_twiml_for(
                    self.redis,
                    campaign,
                    base_url=self.settings.base_url,
                    secret=self.settings.resolve_secret_key(),
                    now=self.clock(),
                )
                await self.carrier.update_call(sid, twiml=message)
            elif kind == "hold":  # the volunteer's page dropped out mid-call (web/conference_hold.py)
                await self.carrier.update_call(sid, twiml=twiml.held_twiml(campaign.name))
            elif kind == "hangup":
                await self.carrier.hangup(sid)
            elif kind == "record":  # the volunteer read the disclosure (web/call_recording.py)
                await record_dialer_call(self.redis, recorder(self.carrier), campaign, sid, volunteer,
                                         self.settings.base_url)  # fmt: skip
        except CarrierError as exc:  # the call already ended, most often
            log.info("carrier refused %s on %s: %s", kind, sid, exc)

    async def abandon_overdue(self, campaign: Campaign, now: float) -> int:
        """Abandon every voter still waiting at their deadline: identification message, hang-up, record."""
        cid = campaign.id
        due = cast(list[str], await self.redis.zrangebyscore(dkeys.dial_waiting(cid), "-inf", repr(now)))
        abandoned = 0
        for sid in due:
            reply = await run(
                self.redis,
                "dial_abandon",
                [dkeys.dial_line(cid, sid), dkeys.dial_waiting(cid), dkeys.dial_counters(cid)],
                [sid, repr(now)],
            )
            if reply[0] != "abandoned":
                continue
            abandoned += 1
            try:
                await self.carrier.update_call(
                    sid, twiml=twiml.identification_twiml(campaign.name, campaign.caller_id)
                )
            except CarrierError as exc:
                log.info("could not play the identification on %s: %s", sid, exc)
            await record_outcome(
                self.redis,
                campaign,
                contact_id=str(reply[1]),
                batch_id=str(reply[2]),
                result=ResultCode.NO_ANSWER,
                call_sid=sid,
                now=now,
                notes=ABANDONED_NOTE,
            )
        return abandoned

    # -- pacing and dialing ----------------------------------------------------------------------------

    async def pacing_input(self, campaign: Campaign, now: float) -> tuple[pacing.PacingInput, list[str]]:
        self.recent = [t for t in self.recent if t > now - 2.0 / self.scale * max(1.0, 1.0 / self.cps)]
        return await observe(
            self.redis, campaign, now, scale=self.scale, cps=self.cps, recent=self.recent, config=self.config
        )

    async def tick(self, campaign: Campaign, now: float) -> int:
        inp, sids = await self.pacing_input(campaign, now)
        decision = pacing.decide(inp, self.config)
        await self.cancel([sids[i] for i in decision.cancel], sids)
        placed = await self.dial(campaign, decision.dials, now) if decision.dials > 0 else 0
        ready = sum(1 for a in inp.agents if a.status is pacing.AgentStatus.READY)
        status: dict[Any, Any] = status_fields(self.idle) if self.idle is not None else {}
        await self.redis.hset(
            dkeys.dial_status(campaign.id),
            mapping=status
            | {
                "at": repr(now),
                "mode": campaign.mode.value,
                "agents": len(inp.agents),
                "ready": ready,
                "lines": len(inp.ringing) + placed,
                "waiting": inp.waiting,
                "dialed": placed,
                "theta": repr(decision.theta),
                # Lines in flight per volunteer in the pool: 1 or less in power mode, more in predictive.
                "dial_ratio": repr(
                    round((len(inp.ringing) + placed) / len(inp.agents), 3) if inp.agents else 0.0
                ),
            },
        )
        await self.redis.expire(dkeys.dial_status(campaign.id), 60)
        # Told to the pages when it changes, and again when another volunteer became ready (their page may
        # have connected before this reason was in the dial status).
        if self.idle is not None and (not self.idle.same(self.announced) or ready > self.ready_before):
            self.announced = self.idle
            await announce_idle(self.redis, campaign.id, self.idle)
        self.ready_before = ready
        return placed

    async def cancel(self, to_cancel: list[str], in_flight: list[str]) -> None:
        """Ask the carrier to hang up lines that rang their 15 s with nobody likely free for them. A line
        answered meanwhile is not touched (the carrier cancels only queued and ringing calls); its final
        status callback, `canceled`, takes it off the lines."""
        self.canceling &= set(in_flight)
        for sid in to_cancel:
            if sid in self.canceling:
                continue
            self.canceling.add(sid)
            try:
                await self.carrier.cancel(sid)
            except CarrierError as exc:  # it ended or was answered meanwhile
                log.info("carrier refused to cancel %s: %s", sid, exc)
            except Exception:  # the network: the line rings out as it would have
                log.exception("could not cancel %s", sid)

    async def take(self, campaign: Campaign, k: int, now: float) -> tuple[str, list[BatchContact]]:
        """Take up to k contacts into the server's batch; when none came, `self.idle` says why (take.py)."""
        batch_id, contacts, self.idle = await take(self.redis, campaign, k, now)
        return batch_id, contacts

    async def dial(self, campaign: Campaign, k: int, now: float) -> int:
        """Take up to k contacts and call each one the guardrails allow now; returns calls placed."""
        batch_id, contacts = await self.take(campaign, k, now)
        if not contacts:
            return 0
        on_dnc = await self.redis.smismember(keys.DNC, [c.phone for c in contacts])
        to_drop: list[str] = []
        to_return: list[str] = []
        placed = 0
        for contact, listed in zip(contacts, on_dnc, strict=True):
            if not await self.hold_lock():  # we stalled past the lock: the new holder dials, and reclaims
                break  # the rest (orphans.py), which handing them back here could race with its own take
            refusal = check_dial(self.facts(campaign, contact, bool(listed)), self.clock())
            if refusal is Refusal.DO_NOT_CALL:
                to_drop.append(contact.id)
            elif refusal is not None:
                log.info("not dialing contact %s of %s: %s", contact.id, campaign.id, refusal.value)
                to_return.append(contact.id)
            elif await self.place(campaign, batch_id, contact):
                placed += 1
            else:
                to_return.append(contact.id)
        prefix = dkeys.dial_prefix(campaign.id)
        for how, ids in (("drop", to_drop), ("return", to_return)):
            if ids:
                await run(
                    self.redis, "dial_return", [keys.counters(campaign.id)], [prefix, batch_id, how, *ids]
                )
        return placed

    @staticmethod
    def facts(campaign: Campaign, contact: BatchContact, on_dnc: bool) -> DialFacts:
        return DialFacts(
            campaign_status=campaign.calling_status,
            calling_hours=campaign.calling_hours.window(),
            max_attempts=campaign.max_attempts,
            cell_consent=campaign.cell_consent,
            held=True,  # taken into the server's own batch just now
            on_dnc=on_dnc,
            timezone=contact.timezone or campaign.default_timezone,
            attempts=contact.attempts,
            phone_type=contact.phone_type,
            server_dialed=True,
        )

    async def place(self, campaign: Campaign, batch_id: str, contact: BatchContact) -> bool:
        cid, base = campaign.id, self.settings.base_url
        leaves_message = await has_voicemail(self.redis, campaign)
        detection = MachineDetection.DETECT_MESSAGE_END if leaves_message else MachineDetection.ENABLE
        call = PlaceCall(
            to=contact.phone,
            from_=campaign.caller_id_for(contact.phone, contact.state, contact.zip),
            status_callback=status_callback_url(base, cid, contact.id),
            url=webhook_url(base, OUTBOUND_PATH, campaign_id=cid, contact_id=contact.id),
            machine_detection=detection,
            async_amd=True,
            amd_status_callback=amd_callback_url(base, cid, contact.id),
            timeout=RING_TIMEOUT,
        )
        try:
            sid = await self.carrier.place_call(call)
        except CarrierError as exc:
            log.warning("carrier refused a call to contact %s of %s: %s", contact.id, cid, exc)
            return False
        except Exception:  # the network, most often: the contact goes back to the queue, not lost in ours
            log.exception("could not place a call to contact %s of %s", contact.id, cid)
            return False
        now = self.clock()
        self.recent.append(now)
        self.dialed += 1
        await AttemptStore(self.redis).start(
            cid,
            sid,
            contact_id=contact.id,
            volunteer="",
            phone=contact.phone,
            now=now,
            mode=campaign.mode.value,
        )
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(
                dkeys.dial_line(cid, sid),
                mapping={
                    "call_sid": sid,
                    "contact_id": contact.id,
                    "phone": contact.phone,
                    "batch": batch_id,
                    "dialed_at": repr(now),
                    "state": "dialing",
                },
            )
            pipe.expire(dkeys.dial_line(cid, sid), LINE_TTL)
            pipe.zadd(dkeys.dial_lines(cid), {sid: now})
            pipe.hincrby(dkeys.dial_counters(cid), "dials", 1)
            # The first dial starts the abandonment cap's first 30-day period (abandon_periods.py).
            pipe.hsetnx(dkeys.dial_counters(cid), abandon_periods.START_FIELD, repr(now))
            await pipe.execute()
        return True
