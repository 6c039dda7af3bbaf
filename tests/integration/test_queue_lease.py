"""The lease queue against a real Redis: claim, renew, release, reap, results, stats and export."""

from __future__ import annotations

import csv
import io
import json

import pytest
import redis.asyncio as aioredis

from dialer.contacts import Contact
from dialer.models import ResultCode
from dialer.queue import dnc, keys
from dialer.queue.errors import AlreadyCompleted, LeaseExpired, NotHolder, NotInBatch
from dialer.queue.export import export_lines
from dialer.queue.lease import Batch, LeaseQueue, NoContacts, NoContactsReason, campaign_of_batch
from dialer.queue.results import ResultInput, RetryPolicy, record_result, stats

pytestmark = pytest.mark.anyio

NY = "America/New_York"
LA = "America/Los_Angeles"
T0 = 1_780_000_000.0
POLICY = RetryPolicy(max_attempts=3, retry_minutes=240)


def contacts(n: int, tz: str = NY, first: int = 100) -> list[Contact]:
    return [
        Contact(phone=f"+1202555{first + i:04d}", timezone=tz, external_id=f"x{i}", first_name=f"F{i}")
        for i in range(n)
    ]


async def claim(
    queue: LeaseQueue,
    volunteer: str,
    now: float = T0,
    zones: tuple[str, ...] = (NY,),
    size: int = 20,
    lease: float = 600,
) -> Batch | NoContacts:
    return await queue.claim(
        "c1", volunteer, batch_size=size, lease_seconds=lease, open_zones=zones, now=now, max_attempts=3
    )


async def test_claim_is_exclusive_and_reopens(redis: aioredis.Redis) -> None:
    queue = LeaseQueue(redis)
    assert await queue.add_contacts("c1", contacts(30), T0) == (30, 0)
    assert await queue.add_contacts("c1", contacts(5), T0) == (0, 5)
    a = await claim(queue, "alice")
    b = await claim(queue, "bob")
    assert isinstance(a, Batch) and isinstance(b, Batch)
    assert len(a.contacts) == 20 and len(b.contacts) == 10
    assert not {c.id for c in a.contacts} & {c.id for c in b.contacts}
    again = await claim(queue, "alice", now=T0 + 10)
    assert isinstance(again, Batch) and again.reopened and again.id == a.id
    assert [c.id for c in again.contacts] == [c.id for c in a.contacts]
    assert await claim(queue, "carol") == NoContacts(NoContactsReason.EXHAUSTED)
    assert campaign_of_batch(a.id) == "c1"
    assert await queue.holds("c1", "alice", a.contacts[0].id, T0 + 1)
    assert not await queue.holds("c1", "bob", a.contacts[0].id, T0 + 1)


async def test_calling_hours_and_pause(redis: aioredis.Redis) -> None:
    queue = LeaseQueue(redis)
    await queue.add_contacts("c1", contacts(3, tz=LA), T0)
    assert await queue.zones("c1") == {LA}
    assert await claim(queue, "alice", zones=(NY,)) == NoContacts(NoContactsReason.OUTSIDE_CALLING_HOURS)
    paused = await queue.claim(
        "c1", "alice", batch_size=5, lease_seconds=60, open_zones=[LA], now=T0, max_attempts=3, paused=True
    )
    assert paused == NoContacts(NoContactsReason.CAMPAIGN_PAUSED)
    got = await claim(queue, "alice", zones=(LA, NY))
    assert isinstance(got, Batch) and len(got.contacts) == 3


async def test_dnc_contacts_are_never_handed_out(redis: aioredis.Redis) -> None:
    queue = LeaseQueue(redis)
    batch = contacts(4)
    await queue.add_contacts("c1", batch, T0)
    await dnc.add_phones(redis, [batch[0].phone, batch[2].phone])
    got = await claim(queue, "alice")
    assert isinstance(got, Batch)
    assert {c.phone for c in got.contacts} == {batch[1].phone, batch[3].phone}
    s = await stats(redis, "c1", T0)
    assert (s["contacts"], s["leased"], s["completed"], s["pending"]) == (4, 2, 2, 0)


async def test_renew_release_and_expiry(redis: aioredis.Redis) -> None:
    queue = LeaseQueue(redis)
    await queue.add_contacts("c1", contacts(10), T0)
    a = await claim(queue, "alice", size=4, lease=100)
    assert isinstance(a, Batch)
    assert await queue.renew("c1", a.id, "alice", lease_seconds=100, now=T0 + 50) == T0 + 150
    with pytest.raises(NotHolder):
        await queue.renew("c1", a.id, "bob", lease_seconds=100, now=T0 + 50)
    with pytest.raises(LeaseExpired):
        await queue.renew("c1", a.id, "alice", lease_seconds=100, now=T0 + 150)
    # Expired: the next claim reaps the batch and hands the same contacts out again.
    b = await claim(queue, "bob", now=T0 + 151, size=10)
    assert isinstance(b, Batch) and len(b.contacts) == 10
    assert await queue.release("c1", b.id, "bob") == 10
    with pytest.raises(NotHolder):
        await queue.release("c1", b.id, "alice")
    s = await stats(redis, "c1", T0 + 152)
    assert (s["pending"], s["leased"], s["active_volunteers"]) == (10, 0, 0)
    # A result for a released contact through the released batch is refused.
    with pytest.raises(NotInBatch):
        await record_result(
            redis,
            "c1",
            b.id,
            "bob",
            ResultInput(b.contacts[0].id, ResultCode.CONTACTED, "k0"),
            policy=POLICY,
            now=T0 + 153,
        )
    c = await claim(queue, "carol", now=T0 + 200, size=10, lease=10)
    assert isinstance(c, Batch)
    assert await queue.reap("c1", T0 + 300) == 10
    assert (await stats(redis, "c1", T0 + 300))["pending"] == 10


async def test_results_retry_policy_idempotency_and_late_results(redis: aioredis.Redis) -> None:
    queue = LeaseQueue(redis)
    await queue.add_contacts("c1", contacts(3), T0)
    a = await claim(queue, "alice", lease=100)
    assert isinstance(a, Batch)
    x, y, z = a.contacts
    rec = await record_result(
        redis,
        "c1",
        a.id,
        "alice",
        ResultInput(x.id, ResultCode.NO_ANSWER, "k1"),
        policy=POLICY,
        now=T0 + 1,
        volunteer_name="Alice",
    )
    assert not rec.duplicate and rec.attempt == 1
    dup = await record_result(
        redis, "c1", a.id, "alice", ResultInput(x.id, ResultCode.CONTACTED, "k1"), policy=POLICY, now=T0 + 2
    )
    assert dup.duplicate and dup.entry_id == rec.entry_id
    with pytest.raises(AlreadyCompleted):
        await record_result(
            redis,
            "c1",
            a.id,
            "alice",
            ResultInput(x.id, ResultCode.CONTACTED, "k2"),
            policy=POLICY,
            now=T0 + 2,
        )
    with pytest.raises(NotHolder):  # alice's batch: bob cannot record through it
        await record_result(
            redis, "c1", a.id, "bob", ResultInput(y.id, ResultCode.CONTACTED, "k3"), policy=POLICY, now=T0 + 2
        )
    await record_result(
        redis, "c1", a.id, "alice", ResultInput(y.id, ResultCode.DO_NOT_CALL, "k4"), policy=POLICY, now=T0 + 3
    )
    assert await redis.sismember(keys.DNC, y.phone)
    # alice's lease expired: bob gets z (x is not due again until retry_minutes later).
    b = await claim(queue, "bob", now=T0 + 200)
    assert isinstance(b, Batch) and [c.id for c in b.contacts] == [z.id]
    # alice's late result is still recorded, and z leaves bob's batch.
    await record_result(
        redis,
        "c1",
        a.id,
        "alice",
        ResultInput(z.id, ResultCode.CONTACTED, "k5", answers={"support": "yes"}),
        policy=POLICY,
        now=T0 + 201,
    )
    with pytest.raises(NotInBatch):
        await record_result(
            redis, "c1", b.id, "bob", ResultInput(z.id, ResultCode.REFUSED, "k6"), policy=POLICY, now=T0 + 202
        )
    assert await claim(queue, "bob", now=T0 + 203) == NoContacts(NoContactsReason.EXHAUSTED)
    again = await claim(queue, "bob", now=T0 + 4 * 3600 + 4)
    assert isinstance(again, Batch) and [c.id for c in again.contacts] == [x.id]
    assert again.contacts[0].attempts == 1
    s = await stats(redis, "c1", T0 + 4 * 3600 + 5)
    assert s["calls"] == 3 and s["contacts_reached"] == 1 and s["results"]["no_answer"] == 1
    assert (s["completed"], s["leased"], s["pending"]) == (2, 1, 0)
    assert s["leaderboard"] == [{"volunteer": "alice", "name": "Alice", "calls": 3}]
    assert s["calls_last_hour"] == 0
    assert (await stats(redis, "c1", T0 + 300))["calls_last_hour"] == 3
    lines = [line async for line in export_lines(redis, "c1", ["support"], page=2)]
    rows = list(csv.reader(io.StringIO("".join(lines))))
    assert rows[0][-2:] == ["support", "volunteer_name"] and len(rows) == 4
    assert [r[5] for r in rows[1:]] == ["no_answer", "do_not_call", "contacted"]
    assert rows[3][-2:] == ["yes", "Alice"]


async def test_max_attempts_finishes_a_contact(redis: aioredis.Redis) -> None:
    queue = LeaseQueue(redis)
    await queue.add_contacts("c1", contacts(1), T0)
    now = T0
    for attempt in range(1, 4):
        got = await claim(queue, "alice", now=now)
        assert isinstance(got, Batch), attempt
        rec = await record_result(
            redis,
            "c1",
            got.id,
            "alice",
            ResultInput(got.contacts[0].id, ResultCode.BUSY, f"k{attempt}"),
            policy=POLICY,
            now=now,
        )
        assert rec.attempt == attempt
        now += 240 * 60 + 1
    assert await claim(queue, "alice", now=now + 10**6) == NoContacts(NoContactsReason.EXHAUSTED)
    assert (await stats(redis, "c1", now))["completed"] == 1


async def test_export_neutralizes_formulas(redis: aioredis.Redis) -> None:
    queue = LeaseQueue(redis)
    evil = Contact(
        phone="+12025550150", timezone=NY, first_name='=HYPERLINK("http://x","y")', last_name="@SUM(1)"
    )
    await queue.add_contacts("c1", [evil], T0)
    got = await claim(queue, "alice")
    assert isinstance(got, Batch)
    await record_result(
        redis,
        "c1",
        got.id,
        "alice",
        ResultInput(got.contacts[0].id, ResultCode.CONTACTED, "k", notes="-2+3", answers={"q": "+1"}),
        policy=POLICY,
        now=T0,
    )
    rows = list(csv.reader(io.StringIO("".join([x async for x in export_lines(redis, "c1", ["q"])]))))
    assert rows[1][3] == '\'=HYPERLINK("http://x","y")' and rows[1][4] == "'@SUM(1)"
    assert rows[1][9] == "'-2+3"  # notes: a formula
    assert rows[1][-2] == "+1" and rows[1][2] == "+12025550150"  # plain numbers carry no formula


async def test_changes_are_published(redis: aioredis.Redis) -> None:
    # Pub/sub channels are shared by every database of the server: a campaign id of this test's own.
    campaign = "pub-lease-test"
    pubsub = redis.pubsub()
    await pubsub.subscribe(keys.events(campaign))
    assert (await pubsub.get_message(timeout=1.0))["type"] == "subscribe"  # type: ignore[index]
    queue = LeaseQueue(redis)
    await queue.add_contacts(campaign, contacts(2), T0)
    got = await queue.claim(
        campaign, "alice", batch_size=5, lease_seconds=60, open_zones=[NY], now=T0, max_attempts=3
    )
    assert isinstance(got, Batch)
    await record_result(
        redis,
        campaign,
        got.id,
        "alice",
        ResultInput(got.contacts[0].id, ResultCode.BUSY, "k"),
        policy=POLICY,
        now=T0,
    )
    await queue.release(campaign, got.id, "alice")
    types = []
    for _ in range(3):
        message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
        assert message is not None
        types.append(json.loads(message["data"])["type"])
    assert types == ["batch", "result", "release"]
    await pubsub.aclose()


async def test_a_claim_hands_out_attempts_and_finishes_the_rest_of_its_page(redis: aioredis.Redis) -> None:
    """claim.lua leases a plain page (all pending, none listed or out of attempts) as Redis returned it and
    any other page contact by contact: both must carry each contact's attempts and keep every rule."""
    queue = LeaseQueue(redis)
    batch = contacts(5)
    await queue.add_contacts("c1", batch, T0)
    first = await claim(queue, "alice", size=3)
    assert isinstance(first, Batch) and [c.attempts for c in first.contacts] == [0, 0, 0]
    for i, c in enumerate(first.contacts[:2]):  # two retries, due again 240 minutes later
        result = ResultInput(c.id, ResultCode.BUSY, f"k{i}")
        await record_result(redis, "c1", first.id, "alice", result, policy=POLICY, now=T0)
    await queue.release("c1", first.id, "alice")
    retried = {c.phone for c in first.contacts[:2]}
    later = T0 + 241 * 60
    # A plain page: the fresh contacts (attempts 0) and the two retried ones (attempts 1) together.
    plain = await claim(queue, "bob", now=later, size=5)
    assert isinstance(plain, Batch)
    assert {c.phone: c.attempts for c in plain.contacts} == {c.phone: int(c.phone in retried) for c in batch}
    await queue.release("c1", plain.id, "bob")
    # The next page mixes a phone now on the do-not-call list and contacts out of attempts under a lowered
    # max_attempts with the rest: those are finished, the others leased with their attempts.
    # (The list's own add finishes a waiting contact at once, mirror_dnc.lua: the mirror is written here
    # as a claim can still meet it, e.g. a store written by a server from before that.)
    listed = next(c.phone for c in batch if c.phone not in retried)
    await redis.sadd(keys.dnc_mirror("c1"), listed)
    mixed = await queue.claim(
        "c1", "carol", batch_size=5, lease_seconds=600, open_zones=[NY], now=later, max_attempts=1
    )
    assert isinstance(mixed, Batch)
    assert {c.phone: c.attempts for c in mixed.contacts} == {
        c.phone: 0 for c in batch if c.phone not in retried | {listed}
    }
    s = await stats(redis, "c1", later)
    assert (s["contacts"], s["leased"], s["completed"], s["pending"]) == (5, 2, 3, 0)


async def test_a_number_listed_after_the_import_leaves_still_to_call_at_once(redis: aioredis.Redis) -> None:
    """A voter waiting to be called whose number goes on the do-not-call list is finished as it is listed
    (not when a claim happens to meet them): the dashboard's "still to call" drops at once, in every
    campaign that has the number; a voter already in a volunteer's list stays with that list."""
    queue = LeaseQueue(redis)
    batch = contacts(4)
    await queue.add_contacts("c1", batch, T0)
    await queue.add_contacts("c2", batch[:2], T0)
    taken = await claim(queue, "alice", size=1)
    assert isinstance(taken, Batch) and [c.phone for c in taken.contacts] == [batch[0].phone]
    await dnc.add_phones(redis, [batch[0].phone, batch[1].phone])
    s1, s2 = await stats(redis, "c1", T0), await stats(redis, "c2", T0)
    assert (s1["pending"], s1["leased"], s1["completed"]) == (2, 1, 1)
    assert (s2["pending"], s2["completed"]) == (0, 2)
    assert await redis.hmget(keys.lease_of("c1"), ["1", "2"]) == [taken.id, "done"]
    assert await redis.hget(keys.contact("c1", "2"), "result") == "dnc"
    assert await redis.zscore(keys.pending("c1", NY), "2") is None
    rest = await claim(queue, "bob", size=4)
    assert isinstance(rest, Batch) and sorted(c.phone for c in rest.contacts) == sorted(
        c.phone for c in batch[2:]
    )
