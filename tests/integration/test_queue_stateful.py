"""A Hypothesis state machine drives the real queue (real Redis) and a plain Python model side by side.

Claims, renewals, releases, clock jumps (expiry), reaping, results (also late, duplicate and foreign ones),
skips and do-not-call additions run in any order with a fake clock. After every step the safety rules hold:
no contact in two open batches, none handed out after a final result, after max_attempts, on the DNC list or
outside its calling hours, nor a call-back to anyone but the volunteer who arranged it while it is kept for
them (who gets it first once due); every recorded result is in the stream exactly once; counters match; a
pending set holds exactly the pending contacts (claim.lua relies on it).
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from dialer.calling_hours import DEFAULT_WINDOW, open_zones
from dialer.connections import async_client
from dialer.contacts import Contact
from dialer.models import ResultCode
from dialer.queue import dnc, keys
from dialer.queue.errors import (
    AlreadyCompleted,
    IdempotencyKeyReused,
    LeaseExpired,
    NotHolder,
    NotInBatch,
    SkipLimit,
)
from dialer.queue.lease import SKIPS_PER_BATCH, Batch, LeaseQueue, NoContacts, NoContactsReason
from dialer.queue.results import CALL_BACK_GRACE, ResultInput, RetryPolicy, record_result, stats
from tests.integration.pending_support import pending_mismatches

T = TypeVar("T")
CAMPAIGN = "sm"
ZONES = ["America/New_York", "America/Los_Angeles", "Pacific/Honolulu"]
VOLUNTEERS = ["v1", "v2", "v3"]
N_CONTACTS = 12
BATCH_SIZE = 3
LEASE = 600.0
POLICY = RetryPolicy(max_attempts=2, retry_minutes=30)
START = datetime(2026, 7, 15, 18, 0, tzinfo=UTC).timestamp()  # 14:00 New York, 11:00 LA, 08:00 Honolulu


@dataclass
class MContact:
    id: str
    phone: str
    tz: str
    attempts: int = 0
    due: float = 0.0
    final: bool = False
    batch: str | None = None  # the batch holding it (open or expired-but-not-yet-reaped)
    reserved_for: str | None = None  # a call-back is kept for this volunteer...
    reserved_until: float = 0.0  # ...until then


@dataclass
class MBatch:
    id: str
    volunteer: str
    deadline: float
    open: bool = True
    members: set[str] = field(default_factory=set)  # contacts a result may be recorded for through it
    done: set[str] = field(default_factory=set)
    skips: int = 0


class QueueMachine(RuleBasedStateMachine):
    def __init__(self, url: str) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.redis = async_client(url)
        self.queue = LeaseQueue(self.redis)
        self.now = START
        self.run(self.redis.flushdb())
        phones = [
            f"+1{area}55501{i:02d}"
            for i, area in zip(range(N_CONTACTS), ["202", "213", "808"] * 4, strict=True)
        ]
        contacts = [Contact(phone=p, timezone=ZONES[i % 3]) for i, p in enumerate(phones)]
        self.run(self.queue.add_contacts(CAMPAIGN, contacts, self.now))
        self.contacts = {
            str(i + 1): MContact(str(i + 1), c.phone, c.timezone, due=self.now)
            for i, c in enumerate(contacts)
        }
        self.batches: dict[str, MBatch] = {}
        self.dnc: set[str] = set()
        # (batch id, idempotency key) -> stream entry id: keys are scoped to the batch
        self.recorded: dict[tuple[str, str], str] = {}
        self.key_contact: dict[tuple[str, str], str] = {}  # (batch, key) -> the contact it recorded
        self.keys_used = 0

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(coro)

    def teardown(self) -> None:
        self.run(self.redis.aclose())
        self.loop.close()

    # --- the model's view -------------------------------------------------------------------------
    def reap_model(self) -> None:
        for b in self.batches.values():
            if b.open and b.deadline <= self.now:
                self.close_model(b)

    def close_model(self, b: MBatch) -> None:
        b.open = False
        for c in self.contacts.values():
            if c.batch == b.id:
                c.batch = None

    def callable_now(self, volunteer: str) -> set[str]:
        zones = open_zones(ZONES, DEFAULT_WINDOW, self.now)
        return {
            c.id
            for c in self.contacts.values()
            if c.batch is None
            and not c.final
            and c.attempts < POLICY.max_attempts
            and c.phone not in self.dnc
            and c.due <= self.now
            and c.tz in zones
            and (c.reserved_for in (None, volunteer) or c.reserved_until <= self.now)
        }

    def own_call_backs(self, volunteer: str) -> set[str]:
        """Due call-backs kept for the volunteer: claim hands them to them first."""
        return {
            cid
            for cid in self.callable_now(volunteer)
            if self.contacts[cid].reserved_for == volunteer and self.contacts[cid].reserved_until > self.now
        }

    def take(self, batch: MBatch, ids: set[str]) -> None:
        batch.members |= ids
        for cid in ids:
            self.contacts[cid].batch = batch.id
            self.contacts[cid].reserved_for = None

    def dump(self, ids: set[str]) -> object:
        out = {}
        for cid in ids:
            c = self.contacts[cid]
            out[cid] = (
                c,
                self.now,
                self.run(self.redis.hgetall(keys.contact(CAMPAIGN, cid))),
                self.run(self.redis.hget(keys.lease_of(CAMPAIGN), cid)),
                self.run(self.redis.zscore(keys.pending(CAMPAIGN, c.tz), cid)),
            )
        return out

    def open_batch_of(self, volunteer: str) -> MBatch | None:
        for b in self.batches.values():
            if b.open and b.volunteer == volunteer and b.deadline > self.now:
                return b
        return None

    def sync_dnc_drops(self) -> int:
        # Which listed contacts a claim pulled and dropped for good depends on Redis' order: ask Redis.
        dropped = 0
        for c in self.contacts.values():
            if c.phone in self.dnc and not c.final:
                status = self.run(self.redis.hget(keys.lease_of(CAMPAIGN), c.id))
                if status == "done":
                    dropped += 1
                    c.final = True
                    if c.batch is not None:
                        self.batches[c.batch].members.discard(c.id)
                        c.batch = None
        return dropped

    # --- rules ------------------------------------------------------------------------------------
    @rule(seconds=st.sampled_from([1, 60, 300, 599, 601, 1800, 3 * 3600, 9 * 3600]))
    def advance(self, seconds: int) -> None:
        self.now += seconds

    @rule(volunteer=st.sampled_from(VOLUNTEERS))
    def claim(self, volunteer: str) -> None:
        zones = open_zones(ZONES, DEFAULT_WINDOW, self.now)
        got = self.run(
            self.queue.claim(
                CAMPAIGN,
                volunteer,
                batch_size=BATCH_SIZE,
                lease_seconds=LEASE,
                open_zones=zones,
                now=self.now,
                max_attempts=POLICY.max_attempts,
            )
        )
        self.reap_model()
        previous = self.open_batch_of(volunteer)
        own = self.own_call_backs(volunteer)
        if previous is not None and any(c.batch == previous.id for c in self.contacts.values()):
            held = {
                c.id for c in self.contacts.values() if c.batch == previous.id and c.phone not in self.dnc
            }
            if held or own:
                # The open batch again, with the volunteer's call-backs that came due meanwhile.
                assert isinstance(got, Batch) and got.reopened and got.id == previous.id
                ids = {c.id for c in got.contacts}
                assert held <= ids and ids - held <= own and len(ids - held) == min(len(own), BATCH_SIZE)
                self.take(previous, ids - held)
                self.sync_dnc_drops()
                return
        if previous is not None:
            self.sync_dnc_drops()  # before the batch is forgotten: a listed contact also left its set
            self.close_model(previous)
        callable_before = self.callable_now(volunteer)
        if isinstance(got, NoContacts):
            self.sync_dnc_drops()
            assert not self.callable_now(volunteer), (got, self.dump(self.callable_now(volunteer)))
            assert got.reason in (NoContactsReason.EXHAUSTED, NoContactsReason.OUTSIDE_CALLING_HOURS)
            return
        assert not got.reopened
        ids = {c.id for c in got.contacts}
        assert 0 < len(ids) <= BATCH_SIZE and len(ids) == len(got.contacts)
        assert ids <= callable_before, (ids - callable_before, self.now)
        assert len(ids & own) == min(len(own), BATCH_SIZE)  # call-backs kept for them come first
        assert got.expires_at == self.now + LEASE
        batch = MBatch(got.id, volunteer, got.expires_at)
        self.batches[got.id] = batch
        self.take(batch, ids)
        self.sync_dnc_drops()
        if len(ids) < BATCH_SIZE:  # a batch comes back short only when nothing else is callable
            assert not self.callable_now(volunteer)

    @precondition(lambda self: self.batches)
    @rule(data=st.data())
    def renew(self, data: st.DataObject) -> None:
        b = data.draw(st.sampled_from(list(self.batches.values())))
        volunteer = data.draw(st.sampled_from(VOLUNTEERS))
        try:
            expires = self.run(self.queue.renew(CAMPAIGN, b.id, volunteer, lease_seconds=LEASE, now=self.now))
        except LeaseExpired:
            assert volunteer == b.volunteer and (not b.open or b.deadline <= self.now)
            return
        except NotHolder:
            assert volunteer != b.volunteer
            return
        assert volunteer == b.volunteer and b.open and b.deadline > self.now
        assert expires == self.now + LEASE
        b.deadline = expires

    @precondition(lambda self: self.batches)
    @rule(data=st.data())
    def release(self, data: st.DataObject) -> None:
        b = data.draw(st.sampled_from(list(self.batches.values())))
        try:
            n = self.run(self.queue.release(CAMPAIGN, b.id, b.volunteer))
        except NotHolder:
            raise AssertionError("the holder may always release") from None
        if not b.open:
            assert n == 0
            return
        held = {c.id for c in self.contacts.values() if c.batch == b.id}
        assert n == len(held)
        b.members -= held
        self.close_model(b)

    @rule()
    def reap(self) -> None:
        self.run(self.queue.reap(CAMPAIGN, self.now))
        self.reap_model()

    @precondition(lambda self: self.batches)
    @rule(
        data=st.data(),
        code=st.sampled_from(
            [ResultCode.NO_ANSWER, ResultCode.CONTACTED, ResultCode.CALL_BACK, ResultCode.DO_NOT_CALL]
        ),
        foreign=st.booleans(),
        reuse_key=st.booleans(),
    )
    def record(self, data: st.DataObject, code: ResultCode, foreign: bool, reuse_key: bool) -> None:
        b = data.draw(st.sampled_from(list(self.batches.values())))
        cid = data.draw(st.sampled_from(sorted(self.contacts)))
        volunteer = "intruder" if foreign else b.volunteer
        if reuse_key and self.recorded:
            # A key used before, perhaps in another volunteer's batch: a duplicate only in its own batch.
            key = data.draw(st.sampled_from(sorted({k for _, k in self.recorded})))
        else:
            self.keys_used += 1
            key = f"k{self.keys_used}"
        call_back_at = self.now + 7200
        result = ResultInput(cid, code, key, call_back_at=call_back_at)
        try:
            rec = self.run(
                record_result(self.redis, CAMPAIGN, b.id, volunteer, result, policy=POLICY, now=self.now)
            )
        except NotHolder:
            # The holder is checked before the key: another volunteer never learns of a result.
            assert foreign
            return
        except NotInBatch:
            assert foreign or ((b.id, key) not in self.recorded and cid not in b.members)
            return
        except IdempotencyKeyReused:
            # The key recorded another contact in this batch: no repeat, and this result is not dropped.
            assert not foreign and self.key_contact.get((b.id, key), cid) != cid
            return
        except AlreadyCompleted:
            assert (b.id, key) not in self.recorded and not foreign and cid in b.members
            assert cid in b.done or self.contacts[cid].final
            return
        if (b.id, key) in self.recorded:
            assert not foreign and self.key_contact[(b.id, key)] == cid
            assert rec.duplicate and rec.entry_id == self.recorded[(b.id, key)]
            return
        c = self.contacts[cid]
        assert not rec.duplicate and not foreign and cid in b.members
        assert cid not in b.done and not c.final
        # The contact leaves whichever batch holds it (a late result takes it from a newer batch).
        if c.batch is not None and c.batch != b.id:
            self.batches[c.batch].members.discard(cid)
        c.batch = None
        c.attempts += 1
        assert rec.attempt == c.attempts
        c.reserved_for = None
        if code.is_final or c.attempts >= POLICY.max_attempts:
            c.final = True
        else:
            c.due = call_back_at if code is ResultCode.CALL_BACK else self.now + POLICY.retry_minutes * 60
            if code is ResultCode.CALL_BACK:
                c.reserved_for, c.reserved_until = volunteer, call_back_at + CALL_BACK_GRACE
        if code is ResultCode.DO_NOT_CALL:
            self.dnc.add(c.phone)
        b.done.add(cid)
        self.recorded[(b.id, key)] = rec.entry_id
        self.key_contact[(b.id, key)] = cid

    @precondition(lambda self: self.batches)
    @rule(data=st.data())
    def skip(self, data: st.DataObject) -> None:
        b = data.draw(st.sampled_from(list(self.batches.values())))
        cid = data.draw(st.sampled_from(sorted(self.contacts)))
        c = self.contacts[cid]
        try:
            left = self.run(self.queue.skip(CAMPAIGN, b.id, b.volunteer, cid, self.now))
        except LeaseExpired:
            assert not b.open or b.deadline <= self.now
            return
        except (NotInBatch, AlreadyCompleted):
            assert c.batch != b.id or cid in b.done or cid not in b.members
            return
        except SkipLimit:
            assert b.skips == SKIPS_PER_BATCH
            return
        assert b.open and b.deadline > self.now and c.batch == b.id and b.skips < SKIPS_PER_BATCH
        b.skips += 1
        assert left == SKIPS_PER_BATCH - b.skips
        b.members.discard(cid)
        c.batch, c.due = None, self.now  # back in the queue, uncalled: no attempt counted

    @rule(index=st.integers(0, N_CONTACTS - 1))
    def add_to_dnc(self, index: int) -> None:
        phone = self.contacts[str(index + 1)].phone
        self.run(dnc.add_phones(self.redis, [phone]))
        self.dnc.add(phone)
        self.sync_dnc_drops()  # a contact still waiting is finished at once (mirror_dnc.lua)

    # --- invariants -------------------------------------------------------------------------------
    @invariant()
    def stream_and_counters_match(self) -> None:
        entries = self.run(self.redis.xrange(keys.results(CAMPAIGN)))
        assert sorted(e[0] for e in entries) == sorted(self.recorded.values())
        assert sorted(e[1]["idempotency_key"] for e in entries) == sorted(k for _, k in self.recorded)
        s = self.run(stats(self.redis, CAMPAIGN, self.now))
        assert s["calls"] == len(self.recorded)
        assert s["contacts"] == N_CONTACTS
        leased = sum(1 for c in self.contacts.values() if c.batch is not None)
        final = sum(1 for c in self.contacts.values() if c.final)
        assert (s["leased"], s["completed"], s["pending"]) == (leased, final, N_CONTACTS - leased - final)

    @invariant()
    def no_contact_in_two_open_batches(self) -> None:
        holders: dict[str, str] = {}
        for b in self.batches.values():
            if not b.open or b.deadline <= self.now:
                continue
            for cid in b.members:
                if self.contacts[cid].batch == b.id:
                    assert cid not in holders
                    holders[cid] = b.id
        for c in self.contacts.values():
            stored = self.run(self.redis.hget(keys.lease_of(CAMPAIGN), c.id))
            stored = None if stored in (None, "pending", "done") else stored  # leased: the batch's id
            assert stored == c.batch, (c, stored)
            if c.batch is not None:
                assert not c.final and c.attempts < POLICY.max_attempts

    @invariant()
    def pending_sets_hold_the_pending_contacts(self) -> None:  # claim.lua takes their pages unread
        assert self.run(pending_mismatches(self.redis, CAMPAIGN)) == ([], [])


def test_queue_against_model(clean_redis: str) -> None:
    run_state_machine_as_test(
        lambda: QueueMachine(clean_redis),
        settings=settings(
            max_examples=150,
            stateful_step_count=50,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
            # Shrinking a real-Redis run can take minutes; the printed steps are short enough as found.
            phases=[Phase.explicit, Phase.reuse, Phase.generate],
        ),
    )
