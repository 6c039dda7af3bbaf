"""Lines whose final callback never reached us (the web process down when the carrier posted it): the pacer
asks the carrier how they ended and settles them as the callback would have (dialing/quiet_lines.py), well
before LOST_LINE hands their voters back with no outcome at all."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field, replace

import pytest
import redis.asyncio as aioredis

from dialer.dialing.agents import set_ready
from dialer.dialing.bridge import ABANDONED_NOTE
from dialer.dialing.pacer_loop import LOOK_SECONDS, CampaignPacer
from dialer.dialing.quiet_lines import QUIET_AFTER
from dialer.dialing.runner import wanted
from dialer.models import CampaignStatus
from dialer.queue import keys, keys_lease
from dialer.queue import keys as dkeys
from dialer.stores.campaigns import CampaignStore
from dialer.telephony.base import AnsweredBy, CallEvent, CallStatus, CarrierError, EventKind
from dialer.telephony.simulated import SimulatedCarrier
from tests.integration.dialing_support import SETTINGS, FakeCarrier, add_contacts, make_campaign

pytestmark = pytest.mark.anyio


@dataclass
class LookupCarrier(FakeCarrier):
    """A carrier that can also say how a call stands (CallLookup), as Twilio's GET Calls/{CallSid} does."""

    standing: dict[str, CallEvent] = field(default_factory=dict)
    asked: list[str] = field(default_factory=list)

    async def call_status(self, call_sid: str) -> CallEvent | None:
        self.asked.append(call_sid)
        if call_sid == "broken":
            raise CarrierError(500, 20500, "Internal Server Error")
        return self.standing.get(call_sid)


async def line_sids(redis: aioredis.Redis, campaign_id: str) -> set[str]:
    return set(await redis.zrange(dkeys.dial_lines(campaign_id), 0, -1))


async def test_a_line_that_ended_unheard_is_settled_from_the_carrier(redis: aioredis.Redis) -> None:
    campaign = await make_campaign(redis)
    await add_contacts(redis, campaign.id, 5)
    now = time.time()
    clock = [now]
    carrier = LookupCarrier()
    p = CampaignPacer(redis, carrier, SETTINGS, campaign.id, clock=lambda: clock[0], scale=1.0)
    assert await p.hold_lock()
    assert await p.dial(campaign, 5, now) == 5
    no_answer, machine, person, ringing, unknown = carrier.sids
    contact = {
        sid: call.status_callback.split("contact_id=")[1]
        for sid, call in zip(carrier.sids, carrier.placed, strict=True)
    }
    # At the carrier: one rang out, one reached a machine and one a person (their AMD callbacks lost too:
    # the answered call's instructions could not be fetched, so it ended), one still rings, one it does
    # not know (a simulated carrier that died with its worker).
    carrier.standing[no_answer] = CallEvent(no_answer, CallStatus.NO_ANSWER, duration=0)
    carrier.standing[machine] = CallEvent(
        machine, CallStatus.COMPLETED, duration=40, answered_by=AnsweredBy.MACHINE_END_BEEP
    )
    carrier.standing[person] = CallEvent(
        person, CallStatus.COMPLETED, duration=4, answered_by=AnsweredBy.HUMAN
    )
    carrier.standing[ringing] = CallEvent(ringing, CallStatus.RINGING)

    clock[0] = now + QUIET_AFTER - 1
    await p.look_around(campaign)  # the first look: no line quiet long enough to ask about
    assert carrier.asked == [] and await line_sids(redis, campaign.id) == set(carrier.sids)

    clock[0] = now + QUIET_AFTER + LOOK_SECONDS
    await p.look_around(campaign)
    assert sorted(carrier.asked) == sorted(carrier.sids)
    assert await line_sids(redis, campaign.id) == {ringing}  # the one the carrier never heard of: given up
    assert await redis.hget(keys.lease_of(campaign.id), contact[unknown]) == "pending"  # back in the queue
    assert await redis.hget(keys.attempt(campaign.id, no_answer), "status") == "no-answer"
    assert await redis.hget(keys.attempt(campaign.id, person), "status") == "completed"
    counters = await redis.hgetall(dkeys.dial_counters(campaign.id))
    assert {k: counters.get(k) for k in ("no_answer", "machine", "human", "live_answers", "abandoned")} == {
        "no_answer": "1", "machine": "1", "human": "1", "live_answers": "1", "abandoned": "1"
    }  # fmt: skip
    outcomes = [fields for _, fields in await redis.xrange(keys.results(campaign.id))]
    assert sorted((o["contact_id"], o["result"], o["call_sid"]) for o in outcomes) == sorted(
        [
            (contact[no_answer], "no_answer", no_answer),
            (contact[machine], "voicemail", machine),
            (contact[person], "no_answer", person),
        ]
    )
    assert [o["notes"] for o in outcomes if o["call_sid"] == person] == [ABANDONED_NOTE]
    # The callbacks arriving late after all change nothing more: the person's late verdict bridges nobody,
    # even with a volunteer free.
    await set_ready(redis, campaign.id, "u1", True, now=clock[0], lease_seconds=600)
    for sid, status in ((no_answer, CallStatus.NO_ANSWER), (person, CallStatus.COMPLETED)):
        await p.quiet.events.on_event(CallEvent(sid, status, campaign_id=campaign.id), campaign)
    await p.quiet.events.on_event(
        CallEvent(person, None, kind=EventKind.AMD, answered_by=AnsweredBy.HUMAN, campaign_id=campaign.id),
        campaign,
    )
    assert len(await redis.xrange(keys.results(campaign.id))) == 3
    assert await redis.hgetall(dkeys.dial_counters(campaign.id)) == counters
    assert (
        await redis.llen(dkeys.dial_actions(campaign.id)) <= 1
    )  # at most the machine's voicemail, no bridge


async def test_a_carrier_that_cannot_be_asked_or_fails_changes_nothing(redis: aioredis.Redis) -> None:
    campaign = await make_campaign(redis)
    await add_contacts(redis, campaign.id, 1)
    now = time.time()
    for carrier in (FakeCarrier(), LookupCarrier()):
        p = CampaignPacer(
            redis, carrier, SETTINGS, campaign.id, clock=lambda: now + 2 * QUIET_AFTER, scale=1.0
        )
        await redis.zadd(dkeys.dial_lines(campaign.id), {"broken": now})
        await p.look_around(campaign)
        assert await line_sids(redis, campaign.id) == {"broken"}


async def test_the_simulated_carrier_tells_how_its_legs_stand(redis: aioredis.Redis) -> None:
    """The simulated carrier answers as Twilio would, from what its callbacks said, delivered or not (its
    callbacks to a server that is down are lost; it still knows)."""
    carrier = SimulatedCarrier(SETTINGS, seed=1)
    try:
        sid = "CA" + "1" * 32
        assert await carrier.call_status(sid) is None
        await carrier._post("http://127.0.0.1:1/twilio/status", {"CallSid": sid, "CallStatus": "ringing"})
        await carrier._post(
            "http://127.0.0.1:1/twilio/status", {"CallSid": sid, "CallStatus": "busy", "CallDuration": "0"}
        )
        await carrier._post(
            "http://127.0.0.1:1/twilio/status", {"CallSid": sid, "CallStatus": "ringing"}
        )  # late
        standing = await carrier.call_status(sid)
        assert standing is not None and (standing.status, standing.duration) == (CallStatus.BUSY, 0)
        assert [d.status_code for d in carrier.deliveries] == [None] * 3  # none of them reached anyone
    finally:
        await carrier.aclose()


async def test_a_line_a_person_answered_and_the_carrier_forgot_counts_as_abandoned(
    redis: aioredis.Redis,
) -> None:
    """The worker (with its simulated carrier) killed between a voter's pick-up and the verdict: the status
    callback said a person answered, the AMD verdict never came, and the new carrier does not know the
    line. The voter was never connected: an abandoned call, counted against the cap, not a silent retry."""
    campaign = await make_campaign(redis)
    await add_contacts(redis, campaign.id, 2)
    now = time.time()
    clock = [now]
    carrier = LookupCarrier()
    p = CampaignPacer(redis, carrier, SETTINGS, campaign.id, clock=lambda: clock[0], scale=1.0)
    assert await p.hold_lock()
    assert await p.dial(campaign, 2, now) == 2
    person, ringing = carrier.sids
    contact = {
        sid: call.status_callback.split("contact_id=")[1]
        for sid, call in zip(carrier.sids, carrier.placed, strict=True)
    }
    for sid, answered_by in ((person, AnsweredBy.HUMAN), (ringing, None)):
        status = CallStatus.IN_PROGRESS if answered_by else CallStatus.RINGING
        event = CallEvent(sid, status, sequence_number=2, answered_by=answered_by, campaign_id=campaign.id)
        await p.quiet.attempts.apply(campaign.id, event, now + 1)
        await p.quiet.events.on_event(event, campaign)

    clock[0] = now + QUIET_AFTER + LOOK_SECONDS
    await p.look_around(campaign)  # neither is known to the carrier
    assert await line_sids(redis, campaign.id) == set()
    counters = await redis.hgetall(dkeys.dial_counters(campaign.id))
    assert {k: counters.get(k) for k in ("live_answers", "abandoned")} == {
        "live_answers": "1",
        "abandoned": "1",
    }
    outcomes = [fields for _, fields in await redis.xrange(keys.results(campaign.id))]
    assert [(o["contact_id"], o["call_sid"], o["notes"]) for o in outcomes] == [
        (contact[person], person, ABANDONED_NOTE)
    ]
    assert await redis.hget(keys.lease_of(campaign.id), contact[ringing]) == "pending"  # nobody answered it


async def test_a_live_line_whose_verdict_was_lost_is_abandoned_not_redialed(redis: aioredis.Redis) -> None:
    """Redis (or the web process) down when the AMD callbacks came: one person and one machine picked up,
    their verdicts lost, their calls still up. The person is abandoned then and there (told who called,
    hung up), the machine gets its voicemail; neither voter is handed back while still on the line (LOST_LINE
    used to, and the voter was dialed again during the first call)."""
    campaign = await make_campaign(redis)
    await add_contacts(redis, campaign.id, 2)
    now = time.time()
    clock = [now]
    carrier = LookupCarrier()
    p = CampaignPacer(redis, carrier, SETTINGS, campaign.id, clock=lambda: clock[0], scale=1.0)
    assert await p.hold_lock()
    assert await p.dial(campaign, 2, now) == 2
    person, machine = carrier.sids
    contact = {
        sid: call.status_callback.split("contact_id=")[1]
        for sid, call in zip(carrier.sids, carrier.placed, strict=True)
    }
    for sid, verdict in ((person, AnsweredBy.HUMAN), (machine, AnsweredBy.MACHINE_START)):
        picked_up = CallEvent(sid, CallStatus.IN_PROGRESS, sequence_number=2, campaign_id=campaign.id)
        await p.quiet.attempts.apply(campaign.id, picked_up, now + 1)
        await p.quiet.events.on_event(picked_up, campaign)
        carrier.standing[sid] = CallEvent(sid, CallStatus.IN_PROGRESS, answered_by=verdict)

    clock[0] = now + QUIET_AFTER + LOOK_SECONDS
    await p.look_around(campaign)
    assert await line_sids(redis, campaign.id) == set()
    counters = await redis.hgetall(dkeys.dial_counters(campaign.id))
    assert {k: counters.get(k) for k in ("live_answers", "abandoned", "machine")} == {
        "live_answers": "1", "abandoned": "1", "machine": "1"
    }  # fmt: skip
    outcomes = {o["call_sid"]: o for _, o in await redis.xrange(keys.results(campaign.id))}
    assert (outcomes[person]["result"], outcomes[person]["notes"]) == ("no_answer", ABANDONED_NOTE)
    assert outcomes[machine]["result"] == "voicemail"
    assert [sid for sid, _ in carrier.updates] == [person]  # the identification message, then the hang-up
    assert await redis.lrange(dkeys.dial_actions(campaign.id), 0, -1) == [f"machine|{machine}"]
    # LOST_LINE later finds nothing to hand back: both voters keep their outcome, neither is dialed again.
    clock[0] = now + 200
    await p.pacing_input(campaign, clock[0])
    assert len(await redis.xrange(keys.results(campaign.id))) == 2
    assert await redis.hget(keys_lease.tries(campaign.id), contact[person]) == "1"  # its attempt, counted


async def test_a_paused_campaigns_lost_line_is_settled_by_a_restarted_worker(redis: aioredis.Redis) -> None:
    """An operator's call day: the pacer dials, the organizers pause, the worker is killed and started again
    (its pacer with it), and the ringing line's final callback was lost meanwhile. The new worker started no
    pacer for a paused campaign with no queued carrier action, so nobody asked the carrier about that line:
    it stayed counted in the dialer's `lines` and its voter in the server's batch, for as long as the pause
    lasted. A paused campaign with lines in flight or voters waiting gets its pacer until they settle."""
    campaign = await make_campaign(redis)
    await add_contacts(redis, campaign.id, 1)
    now = time.time()
    carrier = LookupCarrier()
    first = CampaignPacer(redis, carrier, SETTINGS, campaign.id, clock=lambda: now, scale=1.0)
    assert await first.hold_lock()
    assert await first.dial(campaign, 1, now) == 1
    await first.release_lock()  # the worker is gone (killed: its lock runs out)
    (sid,) = carrier.sids
    carrier.standing[sid] = CallEvent(sid, CallStatus.NO_ANSWER, duration=0)  # the callback that was lost
    paused = replace(campaign, status=CampaignStatus.PAUSED)
    await CampaignStore(redis).save(paused)

    assert await wanted(redis, paused)  # the restarted worker's supervisor starts its pacer
    later = now + QUIET_AFTER + LOOK_SECONDS
    second = CampaignPacer(redis, carrier, SETTINGS, campaign.id, clock=lambda: later, scale=1.0)
    await asyncio.wait_for(second.run(), 10)  # settles the line, then stops: paused and nothing in flight
    assert await line_sids(redis, campaign.id) == set()
    outcomes = [fields for _, fields in await redis.xrange(keys.results(campaign.id))]
    assert [(o["result"], o["call_sid"]) for o in outcomes] == [("no_answer", sid)]
    assert not await wanted(redis, paused)  # and a paused campaign with nothing in flight gets none
