"""Finding 10: 12 signed /twilio/voice requests for one held contact with max_attempts=3 all dialed: attempts
were counted only when a result was recorded. Dials are now counted when placed (dial_start.lua): within
one batch a contact is dialed at most twice (one redial after a busy signal or a dropped line), overall
at most max_attempts + 2 times."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import redis.asyncio as aioredis

from dialer.guardrails import dial_limits
from dialer.queue import keys
from dialer.queue.attempts import AttemptStore
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


def test_twelve_signed_requests_for_one_held_contact_dial_twice(world: World) -> None:  # noqa: F811
    contact = world.batch.contacts[0]
    assert dial_limits(3) == (5, 2)
    sids = [f"CA{i:032x}" for i in range(12)]
    dialed = _dials(world, contact.id, sids)
    assert sum(dialed) == 2, dialed
    refused = post(world, "/twilio/voice", voice_form(world, contact.id, sid="CA" + "f" * 32))
    assert "<Dial" not in refused.text and "dialed as often as allowed" in refused.text
    # Twilio retrying a webhook it already got (same CallSid) dials that same call again, uncounted.
    first = sids[dialed.index(True)]
    assert "<Dial" in post(world, "/twilio/voice", voice_form(world, contact.id, sid=first)).text


def test_another_contact_is_not_affected(world: World) -> None:  # noqa: F811
    first, second = world.batch.contacts[0], world.batch.contacts[1]
    assert sum(_dials(world, first.id, [f"CA{i:032x}" for i in range(5)])) == 2
    assert sum(_dials(world, second.id, [f"CA{i:032x}" for i in range(16, 18)])) == 2


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
            placed += await store.start_dial(
                "dc", f"CA{batch}{n:030d}", contact_id="7", volunteer="v", phone="+12025550101",
                now=1.0, max_dials=total, max_batch_dials=per_batch,
            )  # fmt: skip
    assert placed == total == 5
