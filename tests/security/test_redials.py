"""Finding 10: 12 signed /twilio/voice requests for one held contact with max_attempts=3 all dialed: attempts
were counted only when a result was recorded. Dials are now counted when placed (dial_start.lua): within
one batch a contact is dialed at most twice (one redial after a busy signal or a dropped line), overall
at most max_attempts + 2 times. And one call at a time (test_one_call_per_voter.py): at once, only one of
them dials; the redial comes after the first call has ended."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import redis.asyncio as aioredis

from dialer.contacts import Contact
from dialer.guardrails import dial_limits
from dialer.models import ResultCode
from dialer.queue import keys
from dialer.queue.attempts import AttemptStore
from dialer.queue.lease import Batch, LeaseQueue, NoContacts, NoContactsReason
from dialer.queue.results import ResultInput, RetryPolicy, record_result
from tests.integration.test_webhooks import World, post, voice_form, world

__all__ = ["world"]


def _dials(w: World, contact_id: str, sids: list[str]) -> list[bool]:
    """Whether each signed voice request (one per CallSid, sent at once) was answered with a <Dial>."""

    def one(sid: str) -> bool:
        r = post(w, "/twilio/voice", voice_form(w, contact_id, sid=sid))
        assert r.status_code == 200, r.text
        return "<Dial" in r.text

    with ThreadPoolExecutor(max_workers=len(sids)) as pool:
        return list(pool.map(one, sids))


def _ended(w: World, contact_id: str, sid: str) -> None:
    """The carrier's final callback for the voter's leg of the call `sid`: it was busy."""
    path = f"/twilio/status?campaign_id={w.campaign_id}&contact_id={contact_id}"
    form = {
        "AccountSid": "AC" + "1" * 32, "CallSid": "CA" + "e" * 30 + sid[-2:], "ParentCallSid": sid,
        "CallStatus": "busy", "SequenceNumber": "1", "ApiVersion": "2010-04-01",
    }  # fmt: skip
    assert post(w, path, form).status_code == 204


def test_twelve_signed_requests_for_one_held_contact_dial_twice(world: World) -> None:  # noqa: F811
    contact = world.batch.contacts[0]
    assert dial_limits(3) == (5, 2)
    sids = [f"CA{i:032x}" for i in range(12)]
    dialed = _dials(world, contact.id, sids)
    assert sum(dialed) == 1, dialed  # one call at a time
    _ended(world, contact.id, sids[dialed.index(True)])
    later = [f"CA{i:032x}" for i in range(32, 44)]
    redialed = _dials(world, contact.id, later)
    assert sum(redialed) == 1, redialed  # the redial after a busy signal
    _ended(world, contact.id, later[redialed.index(True)])
    refused = post(world, "/twilio/voice", voice_form(world, contact.id, sid="CA" + "f" * 32))
    assert "<Dial" not in refused.text and "dialed as often as allowed" in refused.text
    # Twilio retrying a webhook it already got (same CallSid) dials that same call again, uncounted.
    first = sids[dialed.index(True)]
    assert "<Dial" in post(world, "/twilio/voice", voice_form(world, contact.id, sid=first)).text


def test_another_contact_is_not_affected(world: World) -> None:  # noqa: F811
    first, second = world.batch.contacts[0], world.batch.contacts[1]
    assert sum(_dials(world, first.id, [f"CA{i:032x}" for i in range(5)])) == 1
    assert sum(_dials(world, second.id, [f"CA{i:032x}" for i in range(16, 18)])) == 1


@pytest.mark.anyio
async def test_across_batches_a_contact_is_dialed_at_most_max_attempts_plus_two(
    redis: aioredis.Redis,
) -> None:
    store = AttemptStore(redis)
    total, per_batch = dial_limits(3)
    placed = 0
    for batch in ("b1", "b2", "b3", "b4"):
        await redis.hset(keys.contact("dc", "7"), mapping={"phone": "+12025550101"})
        await redis.hset(keys.lease_of("dc"), "7", batch)  # leased to this batch
        for n in range(per_batch + 1):
            sid = f"CA{batch}{n:030d}"
            placed += await store.start_dial(
                "dc", sid, contact_id="7", volunteer="v", phone="+12025550101", now=1.0, max_attempts=3,
            )  # fmt: skip
            await _end(redis, "dc", sid)
    assert placed == total == 5


ZONE = "America/New_York"


async def _claim(queue: LeaseQueue, volunteer: str, now: float = 10.0) -> Batch | NoContacts:
    return await queue.claim(
        "dl", volunteer, batch_size=5, lease_seconds=600, open_zones=[ZONE], now=now, max_attempts=3
    )


async def _end(redis: aioredis.Redis, campaign_id: str, sid: str) -> None:
    """The call `sid` has ended, as its final callback says (attempt_event.lua)."""
    if await redis.exists(keys.attempt(campaign_id, sid)):
        await redis.hset(keys.attempt(campaign_id, sid), mapping={"status": "no-answer", "rank": "4"})


async def _dial(store: AttemptStore, batch: Batch, sid: str) -> bool:
    contact = batch.contacts[0]
    dialed = await store.start_dial(
        "dl", sid, contact_id=contact.id, volunteer=batch.volunteer, phone=contact.phone, now=10.0,
        max_attempts=3,
    )  # fmt: skip
    await _end(store.redis, "dl", sid)
    return dialed


@pytest.mark.anyio
async def test_a_contact_dialed_as_often_as_allowed_leaves_the_queue_with_the_list_it_was_on(
    redis: aioredis.Redis,
) -> None:
    """Dialed max_attempts + 2 times without as many results (pages closed mid-call), a contact was refused at
    every dial yet handed out again and again, at every volunteer's page in turn. Now, once it leaves the
    list it was refused on, the next claim finishes it; a result for its last dial still counts."""
    queue, store = LeaseQueue(redis), AttemptStore(redis)
    await queue.add_contacts("dl", [Contact(phone="+12025550142", timezone=ZONE)], now=1.0)
    sids = iter(f"CA{n:032x}" for n in range(100))
    for volunteer, dials in (("v1", 2), ("v2", 2), ("v3", 1)):  # two a list at most: five in all
        batch = await _claim(queue, volunteer)
        assert isinstance(batch, Batch)
        assert [await _dial(store, batch, next(sids)) for _ in range(dials)] == [True] * dials
        if volunteer != "v3":
            await queue.release("dl", batch.id, volunteer)
    assert not await _dial(store, batch, next(sids))  # the sixth: dialed as often as allowed
    # The voter of the fifth dial is still on the line with v3: their result counts.
    recorded = await record_result(
        redis, "dl", batch.id, "v3", ResultInput(batch.contacts[0].id, ResultCode.NO_ANSWER, "k5"),
        policy=RetryPolicy(retry_minutes=0), now=11.0,
    )  # fmt: skip
    assert recorded.attempt == 1
    again = await _claim(
        queue, "v4", now=20.0
    )  # a no-answer comes back for a retry: refused again, and skipped
    assert isinstance(again, Batch) and again.contacts[0].id == batch.contacts[0].id
    assert not await _dial(store, again, next(sids))
    assert await queue.skip("dl", again.id, "v4", again.contacts[0].id, now=12.0) >= 0
    assert await _claim(queue, "v5", now=30.0) == NoContacts(NoContactsReason.EXHAUSTED)
    counters = await redis.hgetall(keys.counters("dl"))
    assert {k: counters[k] for k in ("pending", "leased", "completed")} == {
        "pending": "0",
        "leased": "0",
        "completed": "1",
    }
