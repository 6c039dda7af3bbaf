"""Contacts written by the version before the per-campaign lease keys (their `status`, `batch`, `card` and
call-back reservation in their own hash) are moved at start-up and then claimed, held, recorded and reaped
as before (queue/lease_layout.py)."""

from __future__ import annotations

import json

import pytest
import redis.asyncio as aioredis

from dialer.models import ResultCode
from dialer.queue import keys
from dialer.queue.lease import Batch, LeaseQueue, NoContacts, NoContactsReason
from dialer.queue.lease_layout import ensure_layout, migrate_campaign
from dialer.queue.results import ResultInput, RetryPolicy, record_result

pytestmark = pytest.mark.anyio

NY = "America/New_York"
T0 = 1_780_000_000.0
OLD_BATCH = "c1.0123456789abcdef"
POLICY = RetryPolicy(max_attempts=3, retry_minutes=240)


async def write_old_layout(redis: aioredis.Redis) -> None:
    """Six contacts of campaign c1 as the older add_contacts/claim/record scripts left them:
    1 pending; 2 pending after two attempts; 3 leased to olga's open batch; 4 done; 5 a call-back kept
    for rita for another hour; 6 pending with three attempts (max_attempts was lowered since)."""
    rows = {
        "1": {"status": "pending", "attempts": "0"},
        "2": {"status": "pending", "attempts": "2"},
        "3": {"status": "leased", "batch": OLD_BATCH, "attempts": "0"},
        "4": {"status": "done", "attempts": "3", "result": "contacted"},
        "5": {
            "status": "pending",
            "attempts": "1",
            "reserved_for": "rita",
            "reserved_until": repr(T0 + 3600),
        },
        "6": {"status": "pending", "attempts": "3"},
    }
    for cid, row in rows.items():
        phone = f"+1202555{100 + int(cid):04d}"
        card = {"phone": phone, "external_id": f"x{cid}", "first_name": f"F{cid}", "last_name": "",
                "tz": NY, "phone_type": "", "state": "", "zip": "", "fields": {}}  # fmt: skip
        await redis.hset(
            keys.contact("c1", cid),
            mapping={"id": cid, "phone": phone, "external_id": f"x{cid}", "first_name": f"F{cid}",
                     "last_name": "", "state": "", "zip": "", "tz": NY, "phone_type": "", "fields": "{}",
                     "batch": "", "due": repr(T0),
                     "card": '{"id":"' + cid + '",' + json.dumps(card, separators=(",", ":"))[1:], **row},
        )  # fmt: skip
        await redis.hset(keys.phones("c1"), phone, cid)
        if row["status"] == "pending":
            await redis.zadd(keys.pending("c1", NY), {cid: T0})
    await redis.zadd(keys.callbacks("c1", "rita"), {"5": T0})
    await redis.set(keys.contact_seq("c1"), 6)
    await redis.sadd(keys.zones("c1"), NY)
    await redis.sadd(keys.QUEUE_CAMPAIGNS, "c1")
    await redis.hset(keys.counters("c1"), mapping={"contacts": 6, "pending": 4, "leased": 1, "completed": 1})
    await redis.hset(
        keys.batch("c1", OLD_BATCH),
        mapping={"volunteer": "olga", "expires_at": repr(T0 + 600), "created_at": repr(T0), "state": "open"},
    )
    await redis.sadd(keys.batch_contacts("c1", OLD_BATCH), "3")
    await redis.zadd(keys.leases("c1"), {OLD_BATCH: T0 + 600})
    await redis.set(keys.holder("c1", "olga"), OLD_BATCH)


async def claim(queue: LeaseQueue, volunteer: str, now: float) -> Batch | NoContacts:
    return await queue.claim(
        "c1", volunteer, batch_size=20, lease_seconds=600, open_zones=[NY], now=now, max_attempts=3
    )


def ids(batch: Batch | NoContacts) -> dict[str, int]:
    assert isinstance(batch, Batch), batch
    return {c.id: c.attempts for c in batch.contacts}


async def test_older_contacts_move_once_and_are_claimed_as_before(redis: aioredis.Redis) -> None:
    await write_old_layout(redis)
    assert await ensure_layout(redis) == 6
    assert await ensure_layout(redis) == 0  # marked: a start costs one GET
    assert await migrate_campaign(redis, "c1") == 0  # nothing left in the old layout
    left = await redis.hmget(keys.contact("c1", "3"), ["status", "batch", "card", "reserved_for", "attempts"])
    assert left == [None, None, None, None, "0"]
    assert await redis.hgetall(keys.lease_of("c1")) == {
        "1": "pending", "2": "pending", "3": OLD_BATCH, "4": "done", "5": "pending", "6": "pending",
    }  # fmt: skip
    assert await redis.hget(keys.reserved("c1"), "5") == f"{T0 + 3600!r}|rita"

    queue = LeaseQueue(redis)
    await redis.sadd(keys.dnc_mirror("c1"), "+12025550102")  # contact 2's phone, listed since
    # The free contact with its attempts; not rita's call-back, the leased, the done, the used-up one, the
    # listed one (both finished on the spot).
    assert ids(await claim(queue, "alice", T0 + 10)) == {"1": 0}
    assert await redis.hmget(keys.lease_of("c1"), ["2", "6"]) == ["done", "done"]
    assert await redis.hget(keys.contact("c1", "2"), "result") == "dnc"
    assert ids(await claim(queue, "rita", T0 + 10)) == {"5": 1}  # her own call-back, first
    again = await claim(queue, "olga", T0 + 10)  # the batch she held before the upgrade
    assert isinstance(again, Batch) and again.reopened and again.id == OLD_BATCH
    assert ids(again) == {"3": 0}
    assert await queue.holds("c1", "olga", "3", T0 + 10)

    await record_result(
        redis,
        "c1",
        OLD_BATCH,
        "olga",
        ResultInput("3", ResultCode.NO_ANSWER, "k1"),
        policy=POLICY,
        now=T0 + 20,
    )
    assert await redis.hget(keys.lease_of("c1"), "3") == "pending"
    assert await redis.hget(keys.tries("c1"), "3") == "1"
    counters = await redis.hgetall(keys.counters("c1"))
    assert (counters["pending"], counters["leased"], counters["completed"]) == ("1", "2", "3")


async def test_an_older_batch_is_reaped_and_its_contact_handed_out_again(redis: aioredis.Redis) -> None:
    await write_old_layout(redis)
    queue = LeaseQueue(redis)  # no start-up here: the first claim moves the older contacts itself
    assert ids(await claim(queue, "alice", T0 + 10)) == {"1": 0, "2": 2}
    assert await queue.reap("c1", T0 + 601) == 1  # olga's batch from before the upgrade expired
    assert await redis.hget(keys.lease_of("c1"), "3") == "pending"
    assert ids(await claim(queue, "bob", T0 + 602)) == {"3": 0}
    assert isinstance(await claim(queue, "carol", T0 + 603), NoContacts)  # 5 stays kept for rita
    assert ids(await claim(queue, "rita", T0 + 604)) == {"5": 1}
    assert await claim(queue, "dan", T0 + 605) == NoContacts(NoContactsReason.EXHAUSTED)
