"""A zone's pending set holds exactly the pending contacts, whatever moved them (claim.lua takes the page it
reads from a set without reading the contacts' lease state back: docs/performance.md). The state machine
of test_queue_stateful.py checks it after its claims, renewals, releases, reaps, results and skips; here,
the paths it does not take: claims that finish contacts (do-not-call, max_attempts lowered), call-backs
kept and taken, late results, the pacer's take and return, retries made due, and stores written before,
whose stale entries are dropped once at start-up and never handed out."""

from __future__ import annotations

import pytest
import redis.asyncio as aioredis

from dialer.contacts import Contact
from dialer.models import ResultCode
from dialer.queue import keys, lease_layout
from dialer.queue.lease import Batch, LeaseQueue, NoContacts, NoContactsReason
from dialer.queue.lua_scripts import run
from dialer.queue.results import ResultInput, RetryPolicy, record_result
from dialer.queue.retries import make_retries_due
from tests.integration.pending_support import pending_mismatches

pytestmark = pytest.mark.anyio

NY = "America/New_York"
T0 = 1_780_000_000.0
POLICY = RetryPolicy(max_attempts=3, retry_minutes=240)


async def claim(queue: LeaseQueue, volunteer: str, now: float, max_attempts: int = 3) -> Batch | NoContacts:
    return await queue.claim(
        "c1", volunteer, batch_size=3, lease_seconds=600, open_zones=[NY], now=now, max_attempts=max_attempts
    )


def ids(batch: Batch | NoContacts) -> list[str]:
    assert isinstance(batch, Batch), batch
    return [c.id for c in batch.contacts]


async def result(
    redis: aioredis.Redis, b: Batch, cid: str, code: ResultCode, now: float, **kw: float
) -> None:
    await record_result(
        redis, "c1", b.id, b.volunteer, ResultInput(cid, code, f"k{cid}{now}", **kw), policy=POLICY, now=now
    )


async def holds(redis: aioredis.Redis) -> None:
    assert await pending_mismatches(redis, "c1") == ([], [])


async def test_claims_results_and_call_backs_keep_the_pending_sets_to_pending_contacts(
    redis: aioredis.Redis,
) -> None:
    queue = LeaseQueue(redis)
    await queue.add_contacts(
        "c1", [Contact(phone=f"+1202555{100 + i:04d}", timezone=NY) for i in range(8)], T0
    )
    await holds(redis)
    first = await claim(queue, "alice", T0)
    assert ids(first) == ["1", "2", "3"]
    await holds(redis)
    await result(redis, first, "1", ResultCode.NO_ANSWER, T0 + 10)  # a retry: back in its set, later
    await result(redis, first, "2", ResultCode.CONTACTED, T0 + 10)  # final
    await result(redis, first, "3", ResultCode.CALL_BACK, T0 + 10, call_back_at=T0 + 60)  # kept for alice
    await holds(redis)
    await queue.release("c1", first.id, "alice")
    await holds(redis)

    # Contact 4 goes on the do-not-call mirror, 5 has used its attempts once max_attempts is lowered to 1:
    # both are finished by the claim that meets them, taken out of their set with the page.
    await redis.sadd(keys.dnc_mirror("c1"), "+12025550103")
    await redis.hset(keys.tries("c1"), "5", "1")
    second = await claim(queue, "bob", T0 + 20, max_attempts=1)
    assert ids(second) == ["6", "7", "8"]
    assert await redis.hmget(keys.lease_of("c1"), ["4", "5"]) == ["done", "done"]
    await holds(redis)

    # Alice's call-back is due: kept for her from carol, then hers (from her own call-backs).
    assert isinstance(await claim(queue, "carol", T0 + 61), NoContacts)
    await holds(redis)
    mine = await claim(queue, "alice", T0 + 62)
    assert ids(mine) == ["3"]
    await holds(redis)

    # A late result: bob's batch expired and was reaped, its contacts went back; one of them is recorded.
    assert await queue.reap("c1", T0 + 621) == 3
    await holds(redis)
    await result(redis, second, "6", ResultCode.WRONG_NUMBER, T0 + 700)
    await holds(redis)
    await result(redis, mine, "3", ResultCode.NO_ANSWER, T0 + 700)
    await holds(redis)

    # Retries made due at once move their scores only; the last claims drain the set.
    assert await make_retries_due(redis, "c1", T0 + 800) == 2
    await holds(redis)
    drained = ids(await claim(queue, "dan", T0 + 801)) + ids(await claim(queue, "erin", T0 + 802))
    assert sorted(drained) == ["1", "3", "7", "8"]
    await holds(redis)
    assert await claim(queue, "fay", T0 + 803) == NoContacts(NoContactsReason.EXHAUSTED)


async def test_the_pacers_take_and_return_keep_the_pending_sets_to_pending_contacts(
    redis: aioredis.Redis,
) -> None:
    queue = LeaseQueue(redis)
    people = [Contact(phone=f"+1202555{120 + i:04d}", timezone=NY, phone_type="landline") for i in range(5)]
    people.append(Contact(phone="+12025550199", timezone=NY, phone_type="cell"))  # no consent: stays
    await queue.add_contacts("c1", people, T0)
    await redis.hset(keys.tries("c1"), "2", "3")  # dial_take reads the contact hash's attempts
    await redis.hset(keys.contact("c1", "2"), "attempts", "3")

    async def take(k: int, batch: str) -> list[str]:
        reply = await run(
            redis,
            "dial_take",
            [keys.leases("c1"), keys.holder("c1", keys.AUTO), keys.counters("c1")],
            [keys.dial_prefix("c1"), keys.AUTO, batch, k, repr(T0 + 3600), repr(T0), 3, "0", 10, 50, 1, NY],
        )
        return [dict(zip(flat[::2], flat[1::2], strict=True))["id"] for flat in reply[2:]]  # [1]: report

    assert await take(2, "c1.a") == ["1", "3"]  # 2 is out of attempts: finished
    assert await redis.hget(keys.lease_of("c1"), "2") == "done"
    await holds(redis)
    for how, cid in (("return", "1"), ("drop", "3")):
        await run(redis, "dial_return", [keys.counters("c1")], [keys.dial_prefix("c1"), "c1.a", how, cid])
        await holds(redis)
    assert await take(9, "c1.b") == ["1", "4", "5"]  # the cell is paged over, left in its set
    await holds(redis)
    assert ids(await claim(LeaseQueue(redis), "alice", T0)) == ["6"]
    await holds(redis)


async def test_stale_entries_of_an_older_store_are_dropped_once_and_never_handed_out(
    redis: aioredis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    queue = LeaseQueue(redis)
    await queue.add_contacts(
        "c1", [Contact(phone=f"+1202555{130 + i:04d}", timezone=NY) for i in range(7)], T0
    )
    await redis.set(keys.LEASE_LAYOUT, "2")  # a store of the layout before
    # Entries a store of an older version could hold: a contact done (2), one leased (4), one unknown (9),
    # in the middle of the set and across the chunks the clean-up reads (3 at a time here).
    await redis.hset(keys.lease_of("c1"), mapping={"2": "done", "4": "c1.0123456789abcdef"})
    await redis.zadd(keys.pending("c1", NY), {"9": T0})
    monkeypatch.setattr(lease_layout, "CHUNK", 3)
    assert await lease_layout.ensure_layout(redis) == 0  # no contact to move: layout 2 had them all
    assert await redis.get(keys.LEASE_LAYOUT) == lease_layout.VERSION
    assert await redis.zrange(keys.pending("c1", NY), 0, -1) == ["1", "3", "5", "6", "7"]
    await holds(redis)
    first = await claim(queue, "alice", T0)
    second = await claim(queue, "bob", T0)
    assert ids(first) + ids(second) == ["1", "3", "5", "6", "7"]
    assert await lease_layout.drop_stale_pending(redis, "c1") == 0  # nothing left to drop
