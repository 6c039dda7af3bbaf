"""Many volunteers at once on a real Redis, each on its own connection, with stalls and late results.

Afterwards: no contact was ever handed to a second volunteer while an earlier lease on it was still live,
every contact is accounted for, and the counters equal what the results stream says.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter

import phonenumbers
import pytest

from dialer.connections import async_client
from dialer.contacts import Contact
from dialer.models import ResultCode
from dialer.queue import keys
from dialer.queue.errors import AlreadyCompleted, NotInBatch
from dialer.queue.lease import Batch, LeaseQueue
from dialer.queue.results import ResultInput, RetryPolicy, record_result, stats

pytestmark = pytest.mark.anyio

CAMPAIGN = "load"
ZONE = "America/Chicago"
N_CONTACTS = 3000
N_VOLUNTEERS = 120
T0 = 1_780_000_000.0
SPEED = 60.0  # virtual seconds per real second
LEASE = 60.0
POLICY = RetryPolicy(max_attempts=2, retry_minutes=1)
CODES = [ResultCode.CONTACTED, ResultCode.REFUSED, ResultCode.NO_ANSWER, ResultCode.BUSY]


def fictional_phones(n: int) -> list[str]:
    """Distinct 555-01xx numbers over every valid US area code (45,100 at most)."""
    codes = [a for a in range(200, 1000) if phonenumbers.is_valid_number(phonenumbers.parse(f"+1{a}5550100"))]
    phones = [f"+1{a}55501{i:02d}" for a in codes for i in range(100)]
    assert len(phones) >= n
    return phones[:n]


async def test_many_claimants(clean_redis: str) -> None:
    setup = async_client(clean_redis)
    contacts = [Contact(phone=phone, timezone=ZONE) for phone in fictional_phones(N_CONTACTS)]
    assert await LeaseQueue(setup).add_contacts(CAMPAIGN, contacts, T0) == (N_CONTACTS, 0)
    start = time.monotonic()

    def clock() -> float:
        return T0 + (time.monotonic() - start) * SPEED

    # contact id -> (batch id, lease deadline) while a volunteer may still be calling it
    holder: dict[str, tuple[str, float]] = {}
    duplicates: list[tuple[str, str, str]] = []
    acknowledged: set[str] = set()
    handouts = Counter[str]()

    async def volunteer(name: str, rng: random.Random) -> None:
        client = async_client(clean_redis)
        queue = LeaseQueue(client)
        idle_since: float | None = None
        try:
            while True:
                now = clock()
                got = await queue.claim(
                    CAMPAIGN,
                    name,
                    batch_size=10,
                    lease_seconds=LEASE,
                    open_zones=[ZONE],
                    now=now,
                    max_attempts=2,
                )
                if not isinstance(got, Batch):
                    s = await stats(client, CAMPAIGN, now)
                    if s["pending"] == 0 and s["leased"] == 0:
                        return
                    idle_since = idle_since or time.monotonic()
                    assert time.monotonic() - idle_since < 30, s
                    await asyncio.sleep(0.05 + rng.random() * 0.1)
                    continue
                idle_since = None
                for c in got.contacts:
                    if not got.reopened:
                        handouts[c.id] += 1
                        previous = holder.get(c.id)
                        if previous is not None and previous[0] != got.id and previous[1] > now:
                            duplicates.append((c.id, previous[0], got.id))
                        holder[c.id] = (got.id, got.expires_at)
                for c in got.contacts:
                    if rng.random() < 0.05:
                        await asyncio.sleep(
                            LEASE / SPEED * 1.3
                        )  # stall past the lease: the result comes late
                    holder.pop(c.id, None)  # before the result is sent: from then on others may get it
                    code = rng.choice(CODES)
                    key = f"{name}:{got.id}:{c.id}"
                    result = ResultInput(c.id, code, key)
                    try:
                        rec = await record_result(
                            client, CAMPAIGN, got.id, name, result, policy=POLICY, now=clock()
                        )
                    except (AlreadyCompleted, NotInBatch):
                        continue  # a late result after someone else finished the contact, or after it left
                    acknowledged.add(rec.entry_id)
                    if rng.random() < 0.1:  # the client retries: same key, no second recording
                        again = await record_result(
                            client, CAMPAIGN, got.id, name, result, policy=POLICY, now=clock()
                        )
                        assert again.duplicate and again.entry_id == rec.entry_id
                await asyncio.sleep(rng.random() * 0.01)
        finally:
            await client.aclose()

    await asyncio.gather(*(volunteer(f"v{i}", random.Random(i)) for i in range(N_VOLUNTEERS)))

    assert duplicates == []
    entries = await setup.xrange(keys.results(CAMPAIGN))
    assert {entry_id for entry_id, _ in entries} == acknowledged
    assert len({e["idempotency_key"] for _, e in entries}) == len(entries)
    s = await stats(setup, CAMPAIGN, clock())
    assert s["calls"] == len(entries)
    by_code = Counter(e["result"] for _, e in entries)
    assert {code: n for code, n in s["results"].items() if n} == dict(by_code)
    assert s["contacts_reached"] == by_code["contacted"]
    assert (s["contacts"], s["pending"], s["leased"], s["completed"]) == (N_CONTACTS, 0, 0, N_CONTACTS)
    # Every contact is finished, with exactly as many stream entries as attempts.
    per_contact = Counter(e["contact_id"] for _, e in entries)
    async with setup.pipeline(transaction=False) as pipe:
        for i in range(1, N_CONTACTS + 1):
            pipe.hget(keys.lease_of(CAMPAIGN), str(i))
            pipe.hget(keys.contact(CAMPAIGN, str(i)), "attempts")
            pipe.hget(keys.tries(CAMPAIGN), str(i))
        rows = await pipe.execute()
    for i in range(1, N_CONTACTS + 1):
        status, attempts, tries = rows[3 * i - 3 : 3 * i]
        assert status == "done", (i, status)
        assert int(attempts) == int(tries) == per_contact[str(i)] >= 1
    assert sum(handouts.values()) >= N_CONTACTS
    await setup.aclose()
