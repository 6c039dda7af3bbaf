"""Power and predictive dialing on a real Redis: the atomic volunteer reservation, abandonment accounting,
outcomes recorded by the server, and the per-campaign pacer lock."""

from __future__ import annotations

import asyncio
import time

import pytest
import redis.asyncio as aioredis

from dialer.dialing.agents import AgentState, agent, set_ready
from dialer.dialing.bridge import (
    ABANDONED_NOTE,
    DialCounters,
    DialEvents,
    abandon_rate,
    apply_verdict,
    dial_counters,
)
from dialer.dialing.observe import settled_counts
from dialer.dialing.pacer_loop import CampaignPacer
from dialer.models import Mode
from dialer.queue import keys
from dialer.queue import keys as dkeys
from dialer.telephony.base import AnsweredBy, CallEvent, CallStatus
from tests.integration.dialing_support import SETTINGS, FakeCarrier, add_contacts, make_campaign, pacer

pytestmark = pytest.mark.anyio


async def test_concurrent_answers_never_bridge_two_voters_to_one_volunteer(redis: aioredis.Redis) -> None:
    campaign = await make_campaign(redis, mode=Mode.PREDICTIVE)
    await add_contacts(redis, campaign.id, 12)
    now = time.time()
    for volunteer in ("u1", "u2", "u3"):
        await set_ready(redis, campaign.id, volunteer, True, now=now, lease_seconds=600)
    carrier = FakeCarrier()
    assert await pacer(redis, carrier).dial(campaign, 12, now) == 12

    replies = await asyncio.gather(
        *(apply_verdict(redis, campaign, sid, "human", now=now + 1) for sid in carrier.sids)
    )
    bridged = [r for r in replies if r[0] == "bridged"]
    assert len(bridged) == 3
    assert sorted(r[1] for r in bridged) == ["u1", "u2", "u3"]  # each volunteer exactly once
    assert sum(1 for r in replies if r[0] == "waiting") == 9
    assert await redis.zcard(dkeys.dial_ready(campaign.id)) == 0
    for r in bridged:
        found = await agent(redis, campaign.id, r[1])
        assert found is not None and found.state is AgentState.TALKING and found.contact_id == r[2]
        # The voter's contact is now in the volunteer's own batch, so they record its result.
        batch_id = await redis.get(keys.holder(campaign.id, r[1]))
        assert await redis.hget(keys.lease_of(campaign.id), r[2]) == batch_id
        assert await redis.sismember(keys.batch_contacts(campaign.id, batch_id), r[2])
    actions = await redis.lrange(dkeys.dial_actions(campaign.id), 0, -1)
    assert sorted(a.split("|")[2] for a in actions if a.startswith("bridge|")) == ["u1", "u2", "u3"]
    assert sum(1 for a in actions if a.startswith("wait|")) == 9  # each new deadline wakes the pacer
    # A repeated human verdict (a retried AMD callback) changes nothing.
    again = await apply_verdict(redis, campaign, bridged[0][0] and carrier.sids[0], "human", now=now + 2)
    assert again[0] == "noop"
    assert (await dial_counters(redis, campaign.id)).live_answers == 12


async def test_a_volunteer_who_is_not_ready_never_gets_a_voter(redis: aioredis.Redis) -> None:
    campaign = await make_campaign(redis)
    await add_contacts(redis, campaign.id, 3)
    now = time.time()
    await set_ready(redis, campaign.id, "left", True, now=now, lease_seconds=600)
    await set_ready(redis, campaign.id, "left", False, now=now, lease_seconds=600)
    await set_ready(redis, campaign.id, "quiet", True, now=now - 1000, lease_seconds=600)  # no sign of life
    carrier = FakeCarrier()
    await pacer(redis, carrier).dial(campaign, 2, now)
    reply = await apply_verdict(redis, campaign, carrier.sids[0], "human", now=now)
    assert reply == ["waiting", reply[1]]
    quiet = await agent(redis, campaign.id, "quiet")
    assert quiet is not None and quiet.state is AgentState.AWAY
    # A volunteer who becomes ready before the deadline takes the waiting voter at once.
    joined = await set_ready(redis, campaign.id, "late", True, now=now + 1, lease_seconds=600)
    assert joined.state == "bridged" and joined.call_sid == carrier.sids[0]
    assert await redis.zcard(dkeys.dial_waiting(campaign.id)) == 0


async def test_abandonment_is_counted_once_and_the_voter_hears_who_called(redis: aioredis.Redis) -> None:
    campaign = await make_campaign(redis)
    await add_contacts(redis, campaign.id, 4)
    now = time.time()
    await set_ready(redis, campaign.id, "u1", True, now=now, lease_seconds=600)
    carrier = FakeCarrier()
    p = pacer(redis, carrier)
    await p.dial(campaign, 2, now)
    first = await apply_verdict(redis, campaign, carrier.sids[0], "human", now=now + 5)
    second = await apply_verdict(redis, campaign, carrier.sids[1], "human", now=now + 5)
    assert (first[0], second[0]) == ("bridged", "waiting")
    assert await p.abandon_overdue(campaign, now + 6) == 0  # within the 2 seconds
    assert await p.abandon_overdue(campaign, now + 7.5) == 1
    assert await p.abandon_overdue(campaign, now + 9) == 0
    # The voter's own hang-up arriving afterwards does not count it again.
    late = await apply_verdict(redis, campaign, carrier.sids[1], "end", now=now + 9, final_status="completed")
    assert late[0] == "noop"
    counters = await dial_counters(redis, campaign.id)
    assert (counters.live_answers, counters.abandoned) == (2, 1)
    assert await abandon_rate(redis, campaign.id) == 0.5
    assert carrier.updates[-1][0] == carrier.sids[1] and "Power test" in carrier.updates[-1][1]
    entries = await redis.xrange(keys.results(campaign.id))
    assert [(e[1]["result"], e[1]["volunteer"]) for e in entries] == [("no_answer", dkeys.AUTO)]
    assert entries[0][1]["notes"].startswith("abandoned")
    # The contact goes back to the queue for another try later.
    contact_id = entries[0][1]["contact_id"]
    assert await redis.hget(keys.lease_of(campaign.id), contact_id) == "pending"


async def test_machines_and_unanswered_lines_are_recorded_by_the_server(redis: aioredis.Redis) -> None:
    campaign = await make_campaign(redis, voicemail_message="Please vote on Tuesday.")
    await add_contacts(redis, campaign.id, 3)
    now = time.time()
    carrier = FakeCarrier()
    p = pacer(redis, carrier)
    await set_ready(redis, campaign.id, "u1", True, now=now, lease_seconds=600)
    await p.dial(campaign, 1, now)
    await set_ready(redis, campaign.id, "u2", True, now=now, lease_seconds=600)
    await p.dial(campaign, 1, now)
    assert carrier.placed[0].machine_detection is not None and carrier.placed[0].async_amd
    assert carrier.placed[0].timeout >= 15
    assert (await apply_verdict(redis, campaign, carrier.sids[0], "machine", now=now + 9))[0] == "machine"
    assert (await apply_verdict(redis, campaign, carrier.sids[0], "human", now=now + 9))[0] == "noop"
    end = await apply_verdict(redis, campaign, carrier.sids[1], "end", now=now + 20, final_status="no-answer")
    assert end[0] == "unanswered"
    await p.wait_for_actions(campaign, 0.1)
    assert carrier.updates == [(carrier.sids[0], carrier.updates[0][1])]
    assert "Please vote on Tuesday." in carrier.updates[0][1] and "<Hangup" in carrier.updates[0][1]
    assert await redis.zcard(dkeys.dial_lines(campaign.id)) == 0
    counters = await dial_counters(redis, campaign.id)
    assert (counters.machine, counters.no_answer, counters.live_answers) == (1, 1, 0)


async def test_a_final_callback_with_the_verdict_whose_amd_callback_was_lost_counts_it(
    redis: aioredis.Redis,
) -> None:
    """The AMD callbacks refused while Redis restarted: the final callback's AnsweredBy is the verdict. A
    person who answered and was never connected is abandoned (not `no_answer`), a machine is voicemail; a
    bridged call's end changes nothing more."""
    campaign = await make_campaign(redis, mode=Mode.PREDICTIVE)
    await add_contacts(redis, campaign.id, 3)
    now = time.time()
    carrier = FakeCarrier()
    assert await pacer(redis, carrier).dial(campaign, 3, now) == 3
    person, machine, talked = carrier.sids
    await set_ready(redis, campaign.id, "u1", True, now=now, lease_seconds=600)
    assert (await apply_verdict(redis, campaign, talked, "human", now=now + 5))[0] == "bridged"
    events = DialEvents(redis, SETTINGS, clock=lambda: now + 30)
    for sid, verdict in (
        (person, AnsweredBy.HUMAN),
        (machine, AnsweredBy.MACHINE_START),
        (talked, AnsweredBy.HUMAN),
    ):
        final = CallEvent(
            sid, CallStatus.COMPLETED, duration=20, answered_by=verdict, campaign_id=campaign.id
        )
        await events.on_event(final, campaign)
    counters = await dial_counters(redis, campaign.id)
    assert (counters.live_answers, counters.abandoned, counters.machine) == (2, 1, 1)
    outcomes = {o["call_sid"]: o for _, o in await redis.xrange(keys.results(campaign.id))}
    assert (outcomes[person]["result"], outcomes[person]["notes"]) == ("no_answer", ABANDONED_NOTE)
    assert outcomes[machine]["result"] == "voicemail"
    assert talked not in outcomes  # the volunteer records that one


async def test_only_one_of_two_pacers_dials_a_campaign(redis: aioredis.Redis) -> None:
    campaign = await make_campaign(redis)
    await add_contacts(redis, campaign.id, 20)
    now = time.time()
    for volunteer in ("u1", "u2", "u3"):
        await set_ready(redis, campaign.id, volunteer, True, now=now, lease_seconds=600)
    one, two = FakeCarrier(), FakeCarrier()
    first, second = pacer(redis, one), pacer(redis, two)
    assert await first.hold_lock() and not await second.hold_lock()
    assert await first.hold_lock()  # the holder renews

    stop = asyncio.Event()
    runs = [asyncio.create_task(p.run(stop.is_set)) for p in (first, second)]
    await asyncio.sleep(1.5)
    stop.set()
    await asyncio.gather(*runs)
    assert len(one.placed) == 3 and two.placed == []  # power mode: one line per ready volunteer
    # Released on the way out: the other one takes over at once.
    assert await second.hold_lock()


async def test_a_pacer_takes_over_when_the_lock_holder_dies(redis: aioredis.Redis) -> None:
    campaign = await make_campaign(redis)
    first, second = pacer(redis, FakeCarrier()), pacer(redis, FakeCarrier())
    assert await first.hold_lock(ms=200)
    assert not await second.hold_lock()
    await asyncio.sleep(0.3)  # the first one crashed and never renewed
    assert await second.hold_lock()
    assert not await first.hold_lock()
    assert await redis.exists(dkeys.dial_lock(campaign.id))


async def test_ready_again_while_talking_ends_that_conversation(redis: aioredis.Redis) -> None:
    campaign = await make_campaign(redis)
    await add_contacts(redis, campaign.id, 3)
    now = time.time()
    await set_ready(redis, campaign.id, "u1", True, now=now, lease_seconds=600)
    carrier = FakeCarrier()
    p = pacer(redis, carrier)
    await p.dial(campaign, 1, now)
    assert (await apply_verdict(redis, campaign, carrier.sids[0], "human", now=now + 8))[0] == "bridged"
    await set_ready(redis, campaign.id, "u1", True, now=now + 60, lease_seconds=600)
    await p.wait_for_actions(campaign, 0.1)
    assert carrier.hangups == [carrier.sids[0]]
    assert carrier.updates[0][0] == carrier.sids[0] and "dialer-pw-u1" in carrier.updates[0][1]
    # The voter's leg then reports its end; the volunteer stays ready, and the talk time is learned.
    end = await apply_verdict(
        redis, campaign, carrier.sids[0], "end", now=now + 61, final_status="completed", duration=52
    )
    assert end[0] == "talk_ended"
    found = await agent(redis, campaign.id, "u1")
    assert found is not None and found.state is AgentState.READY
    assert await redis.lrange(dkeys.dial_talk(campaign.id), 0, -1) == ["52"]


async def test_a_closed_page_leaves_the_pool_only_when_not_talking(redis: aioredis.Redis) -> None:
    campaign = await make_campaign(redis)
    await add_contacts(redis, campaign.id, 3)
    now = time.time()
    for volunteer in ("idle", "busy"):
        await set_ready(redis, campaign.id, volunteer, True, now=now, lease_seconds=600)
    carrier = FakeCarrier()
    await pacer(redis, carrier).dial(campaign, 1, now)
    bridged = await apply_verdict(redis, campaign, carrier.sids[0], "human", now=now + 8)
    talking, idle = bridged[1], ({"idle", "busy"} - {bridged[1]}).pop()
    for volunteer in (talking, idle):
        await set_ready(
            redis, campaign.id, volunteer, False, now=now + 9, lease_seconds=600, only_if_ready=True
        )
    states = {v: (await agent(redis, campaign.id, v)).state for v in (talking, idle)}  # type: ignore[union-attr]
    assert states == {talking: AgentState.TALKING, idle: AgentState.AWAY}
    assert await redis.zcard(dkeys.dial_ready(campaign.id)) == 0


async def test_a_line_whose_callbacks_were_lost_stops_blocking_power_mode(redis: aioredis.Redis) -> None:
    campaign = await make_campaign(redis)
    await add_contacts(redis, campaign.id, 2)
    now = time.time()
    await set_ready(redis, campaign.id, "u1", True, now=now, lease_seconds=600)
    carrier = FakeCarrier()
    p = pacer(redis, carrier)
    assert await p.tick(campaign, now) == 1
    assert await p.tick(campaign, now + 30) == 0  # still ringing, as far as we know
    await set_ready(redis, campaign.id, "u1", True, now=now + 199, lease_seconds=600)  # still here
    assert await p.tick(campaign, now + 200) == 1  # the first line is given up on; a new one is dialed
    counters = await redis.hgetall(keys.counters(campaign.id))
    assert (counters["leased"], counters["pending"]) == ("1", "1")  # the lost one went back to the queue
    assert len(carrier.placed) == 2


async def test_outcomes_count_for_the_answer_rate_only_once_their_dial_has_settled(
    redis: aioredis.Redis,
) -> None:
    """A fast failure arrives seconds after dialing, long before any pick-up could: counting it at once
    would make a young campaign's answer rate look low and flood a big pool (the simulator: 12.9% dropped)."""
    now = 1_000_000.0
    await redis.zadd(
        dkeys.dial_settling("pw"), {"failed|CA1": now - 3, "failed|CA2": now - 30, "human|CA3": now - 25}
    )
    counters = DialCounters(
        dials=3,
        live_answers=1,
        abandoned=0,
        bridged=1,
        wait_total=0.0,
        human=1,
        machine=0,
        failed=2,
        no_answer=0,
    )
    settled = await settled_counts(redis, "pw", counters, now, scale=1.0)
    assert settled == (1, 0, 1, 0)  # CA1 (3 s old) is not counted yet
    assert await redis.zrange(dkeys.dial_settling("pw"), 0, -1) == ["failed|CA1"]  # settled ones are trimmed


async def test_a_line_that_rang_15_seconds_with_nobody_free_is_canceled_and_counted(
    redis: aioredis.Redis,
) -> None:
    campaign = await make_campaign(redis, mode=Mode.PREDICTIVE)
    await add_contacts(redis, campaign.id, 5)
    t = [time.time()]
    start = t[0]
    carrier = FakeCarrier()
    p = CampaignPacer(redis, carrier, SETTINGS, campaign.id, scale=1.0, clock=lambda: t[0])
    events = DialEvents(redis, SETTINGS, clock=lambda: t[0])
    for volunteer in ("u1", "u2"):
        await set_ready(redis, campaign.id, volunteer, True, now=start, lease_seconds=600)
    assert await p.dial(campaign, 5, start) == 5
    talked, late, answered, rang_late = carrier.sids[:2], carrier.sids[2], carrier.sids[3], carrier.sids[4]

    async def status(sid: str, status: CallStatus) -> None:
        await events.on_event(CallEvent(call_sid=sid, status=status), campaign)

    t[0] = start + 1
    for sid in (late, answered):
        await status(sid, CallStatus.RINGING)
    t[0] = start + 5
    await status(rang_late, CallStatus.RINGING)
    await status(late, CallStatus.RINGING)  # a repeated callback does not restart the count
    t[0] = start + 8
    for sid in talked:  # both volunteers now talking
        assert (await apply_verdict(redis, campaign, sid, "human", now=t[0]))[0] == "bridged"
    t[0] = start + 16
    await status(answered, CallStatus.IN_PROGRESS)  # picked up; the AMD verdict is still to come

    t[0] = start + 17
    assert await p.tick(campaign, t[0]) == 0
    # Rang 16 s with nobody free for 30 s: hung up. The others: picked up, or rang only 12 s.
    assert carrier.cancels == [late]
    await p.tick(campaign, t[0] + 0.5)
    assert carrier.cancels == [late]  # asked once

    t[0] = start + 17.2
    await status(late, CallStatus.CANCELED)
    counters = await dial_counters(redis, campaign.id)
    assert (counters.canceled, counters.no_answer, counters.human) == (1, 0, 2)
    assert counters.canceled_seconds == pytest.approx(17.2)
    assert not await redis.zscore(dkeys.dial_lines(campaign.id), late)
    assert all(not m.endswith(late) for m in await redis.zrange(dkeys.dial_settling(campaign.id), 0, -1))
    entries = await redis.xrange(keys.results(campaign.id))
    assert [e[1]["result"] for e in entries] == ["no_answer"]  # and the contact will be tried again
    inp, sids = await p.pacing_input(campaign, t[0])
    assert late not in sids and len(sids) == len(inp.ringing) == 2
    # The answer-rate estimate takes the canceled dial as a share of each outcome, not as "no answer" (the
    # two answers are not counted yet: their dials have not settled).
    assert sum(inp.outcomes.counts) == pytest.approx(1.0)
    assert 0.0 < inp.outcomes.counts[0] < 0.1 and inp.outcomes.counts[3] < 0.95
