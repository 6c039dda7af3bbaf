"""The exclusive lease queue: batches of contacts that only one volunteer holds at a time.

A batch is a member of the campaign's `leases` sorted set scored by its deadline; its id doubles as the
fencing token that results must carry. Every change is one Lua script (dialer/queue/lua/*.lua) over the
campaign's keys, which all share the `{c:<id>}` hash tag, so each script touches one Redis Cluster slot.
`now` is always passed in by the caller; Redis' own clock is never read by the scripts.

The do-not-call list is organization-wide (`keys.DNC`), in another slot than the campaign. So that claim
stays one script in one slot (and one round trip), each campaign keeps a mirror, `keys.dnc_mirror`: the
campaign's phones that are on the list. dnc.py writes the list and every campaign's mirror; claim reads
the mirror and finishes listed contacts instead of handing them out. A phone listed while a claim or an
import is in flight can slip through that one claim; the dial-time check (guardrails) still stops it.
"""

from __future__ import annotations

import enum
import json
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import redis.asyncio as aioredis

from dialer.calling_hours import ZoneBacklog
from dialer.contacts import Contact
from dialer.queue import keys, lease_layout
from dialer.queue.errors import raise_for
from dialer.queue.lua_scripts import run
from dialer.times import iso

SKIPS_PER_BATCH = 3  # contacts a volunteer may hand back uncalled per batch
CLOSED_BATCH_TTL = 7 * 24 * 3600  # late results are accepted this long after a batch closes
REAP_LIMIT = 100  # expired batches closed per claim or reaper call, to bound a script's run time
IMPORT_CHUNK = 500  # contacts per add_contacts script call


class NoContactsReason(enum.StrEnum):
    OUTSIDE_CALLING_HOURS = "outside_calling_hours"
    EXHAUSTED = "exhausted"
    CAMPAIGN_PAUSED = "campaign_paused"


@dataclass(frozen=True)
class NoContacts:
    reason: NoContactsReason


@dataclass(frozen=True)
class BatchContact:
    id: str
    phone: str
    external_id: str = ""
    first_name: str = ""
    last_name: str = ""
    timezone: str = ""
    phone_type: str = ""
    attempts: int = 0
    fields: dict[str, str] = field(default_factory=dict)
    state: str = ""
    zip: str = ""

    @classmethod
    def from_card(cls, card: dict[str, Any]) -> BatchContact:
        """From claim.lua's JSON card (see `_card`)."""
        return cls(
            id=card["id"],
            phone=card["phone"],
            external_id=card["external_id"],
            first_name=card["first_name"],
            last_name=card["last_name"],
            timezone=card["tz"],
            phone_type=card["phone_type"],
            attempts=int(card["attempts"]),
            fields=card["fields"],
            state=card.get("state", ""),  # cards written before state and zip were added lack them
            zip=card.get("zip", ""),
        )

    @classmethod
    def from_hash(cls, data: dict[str, str]) -> BatchContact:
        return cls(
            id=data["id"],
            phone=data.get("phone", ""),
            external_id=data.get("external_id", ""),
            first_name=data.get("first_name", ""),
            last_name=data.get("last_name", ""),
            timezone=data.get("tz", ""),
            phone_type=data.get("phone_type", ""),
            attempts=int(data.get("attempts") or 0),
            fields=json.loads(data.get("fields") or "{}"),
            state=data.get("state", ""),
            zip=data.get("zip", ""),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "external_id": self.external_id,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "phone": self.phone,
            "state": self.state,
            "zip": self.zip,
            "timezone": self.timezone,  # the voter's own: calling hours and call-back times are in it
            "attempts": self.attempts,  # calls made so far: a page shows what earlier callers heard
            "fields": dict(self.fields),
        }


@dataclass(frozen=True)
class Batch:
    id: str
    campaign_id: str
    volunteer: str
    expires_at: float
    contacts: tuple[BatchContact, ...]
    reopened: bool = False  # the volunteer's open batch handed back (HTTP 200) rather than a new one (201)
    skips_used: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "campaign_id": self.campaign_id,
            "expires_at": iso(self.expires_at),
            "contacts": [c.to_json() for c in self.contacts],
            "skips_left": max(0, SKIPS_PER_BATCH - self.skips_used),
        }


def new_batch_id(campaign_id: str) -> str:
    """Batch ids name their campaign (`<campaign>.<random>`) so `/api/batches/{id}` needs no lookup."""
    return f"{campaign_id}.{secrets.token_hex(8)}"


def campaign_of_batch(batch_id: str) -> str | None:
    campaign_id, dot, token = batch_id.rpartition(".")
    return campaign_id if dot and campaign_id and token else None


def _card(c: Contact) -> str:
    """What claim hands out for a contact, encoded once at import (claim.lua adds id and attempts)."""
    return json.dumps(
        {
            "phone": c.phone,
            "external_id": c.external_id,
            "first_name": c.first_name,
            "last_name": c.last_name,
            "tz": c.timezone,
            "phone_type": c.phone_type,
            "state": c.state,
            "zip": c.zip,
            "fields": c.fields,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


@dataclass
class Added:
    """What add_contacts did: the new contacts' ids in the order they came, and the duplicates as
    (position in the contacts given, id of the contact that already has the phone)."""

    new_ids: list[int] = field(default_factory=list)
    duplicates: list[tuple[int, int]] = field(default_factory=list)


class LeaseQueue:
    """The lease queue of every campaign on one Redis (a `redis.asyncio.Redis` with decode_responses=True)."""

    def __init__(self, redis: aioredis.Redis) -> None:
        self.redis = redis

    async def add_contacts(
        self, campaign_id: str, contacts: Sequence[Contact], now: float
    ) -> tuple[int, int]:
        """Adds contacts (already checked against the DNC list); returns (imported, duplicates)."""
        added = await self.add_contacts_detailed(campaign_id, contacts, now)
        return len(added.new_ids), len(added.duplicates)

    async def add_contacts_detailed(self, campaign_id: str, contacts: Sequence[Contact], now: float) -> Added:
        """As add_contacts, saying which contact got which id and which were duplicates (for a report)."""
        added = Added()
        prefix = keys.tag(campaign_id) + ":"
        script_keys = [
            keys.phones(campaign_id),
            keys.contact_seq(campaign_id),
            keys.zones(campaign_id),
            keys.counters(campaign_id),
        ]
        await self.redis.sadd(keys.QUEUE_CAMPAIGNS, campaign_id)
        for start in range(0, len(contacts), IMPORT_CHUNK):
            args: list[Any] = [prefix, repr(now)]
            for c in contacts[start : start + IMPORT_CHUNK]:
                args += [c.phone, c.external_id, c.first_name, c.last_name, c.state, c.zip, c.timezone]
                args += [c.phone_type, json.dumps(c.fields, ensure_ascii=False), _card(c)]
            reply = await run(self.redis, "add_contacts", script_keys, args)
            imported, first = int(reply[0]), int(reply[2])
            added.new_ids.extend(range(first, first + imported))
            pairs = reply[3:]
            for position, existing in zip(pairs[::2], pairs[1::2], strict=True):
                added.duplicates.append((start + int(position) - 1, int(existing)))
        return added

    async def zones(self, campaign_id: str) -> set[str]:
        """The time zones that have contacts in this campaign (pass them through calling_hours.open_zones)."""
        return cast(set[str], await self.redis.smembers(keys.zones(campaign_id)))

    async def backlog(self, campaign_id: str, now: float) -> list[ZoneBacklog]:
        """Per time zone, the contacts waiting to be called: due now, due later, and the first later due
        time (for calling_hours.availability). One round trip; a few commands per zone."""
        zones = sorted(await self.zones(campaign_id))
        if not zones:
            return []
        async with self.redis.pipeline(transaction=False) as pipe:
            for zone in zones:
                pending = keys.pending(campaign_id, zone)
                pipe.zcount(pending, "-inf", repr(now))
                pipe.zcard(pending)
                pipe.zrangebyscore(pending, f"({now!r}", "+inf", start=0, num=1, withscores=True)
            replies = await pipe.execute()
        out = []
        for i, zone in enumerate(zones):
            due, total, first = replies[3 * i : 3 * i + 3]
            next_at = float(first[0][1]) if first else None
            out.append(ZoneBacklog(zone, int(due), int(total) - int(due), next_at))
        return out

    async def claim(
        self,
        campaign_id: str,
        volunteer: str,
        *,
        batch_size: int,
        lease_seconds: float,
        open_zones: Iterable[str],
        now: float,
        max_attempts: int,
        paused: bool = False,
    ) -> Batch | NoContacts:
        """The volunteer's open batch, or a new one of up to `batch_size` contacts callable now."""
        if paused:
            return NoContacts(NoContactsReason.CAMPAIGN_PAUSED)
        await lease_layout.ensure_layout_once(self.redis)  # contacts of an older version moved first
        zones = sorted(open_zones)
        reply = await run(
            self.redis,
            "claim",
            [
                keys.leases(campaign_id),
                keys.holder(campaign_id, volunteer),
                keys.counters(campaign_id),
                keys.zones(campaign_id),
                keys.dnc_mirror(campaign_id),
                keys.callbacks(campaign_id, volunteer),
            ],
            [
                keys.tag(campaign_id) + ":",
                volunteer,
                new_batch_id(campaign_id),
                batch_size,
                repr(now + lease_seconds),
                repr(now),
                max_attempts,
                REAP_LIMIT,
                CLOSED_BATCH_TTL,
                *zones,
            ],
        )
        if reply[0] == "none":
            return NoContacts(NoContactsReason(reply[1]))
        ids = reply[3].split(" ")  # ids and attempts come as one string each (claim.lua says why)
        tries = reply[4].split(" ") if reply[4] else ["0"] * len(ids)
        cards = cast(list[str | None], await self.redis.hmget(keys.cards(campaign_id), ids))
        if None in cards:  # add_contacts and lease_layout write a card with every contact
            raise RuntimeError(f"a contact of campaign {campaign_id} handed out has no card")
        contacts = [
            BatchContact.from_card({**json.loads(str(card)), "attempts": n})
            for card, n in zip(cards, tries, strict=True)
        ]
        contacts.sort(key=lambda c: int(c.id) if c.id.isdigit() else 0)
        return Batch(
            reply[1],
            campaign_id,
            volunteer,
            float(reply[2]),
            tuple(contacts),
            reply[0] == "open",
            int(reply[5]),
        )

    async def renew(
        self,
        campaign_id: str,
        batch_id: str,
        volunteer: str,
        *,
        lease_seconds: float,
        now: float,
        shorten: bool = False,
    ) -> float:
        """Extends the lease to now + lease_seconds (with `shorten`: brings it no later than that); raises
        LeaseExpired (HTTP 410) or NotHolder. Returns the deadline."""
        reply = await run(
            self.redis,
            "renew",
            [keys.leases(campaign_id), keys.batch(campaign_id, batch_id)],
            [batch_id, volunteer, repr(now + lease_seconds), repr(now), "shorten" if shorten else ""],
        )
        if reply[0] == "error":
            raise_for(reply[1])
        return float(reply[1])

    async def release(self, campaign_id: str, batch_id: str, volunteer: str) -> int:
        """Gives the batch back; returns how many uncalled contacts went back to the queue."""
        reply = await run(
            self.redis,
            "release",
            [keys.leases(campaign_id), keys.batch(campaign_id, batch_id), keys.counters(campaign_id)],
            [keys.tag(campaign_id) + ":", batch_id, volunteer, CLOSED_BATCH_TTL],
        )
        if reply[0] == "error":
            raise_for(reply[1])
        return int(reply[1])

    async def skip(self, campaign_id: str, batch_id: str, volunteer: str, contact_id: str, now: float) -> int:
        """Hands one contact back to the queue uncalled (no attempt counted); returns the skips left.
        Raises SkipLimit after SKIPS_PER_BATCH, and the batch errors as renew and record do."""
        reply = await run(
            self.redis,
            "skip",
            [
                keys.batch(campaign_id, batch_id),
                keys.contact(campaign_id, contact_id),
                keys.counters(campaign_id),
            ],
            [keys.tag(campaign_id) + ":", batch_id, volunteer, contact_id, repr(now), SKIPS_PER_BATCH],
        )
        if reply[0] == "error":
            raise_for(reply[1])
        return int(reply[1])

    async def reap(self, campaign_id: str, now: float) -> int:
        """Closes every expired batch of the campaign (the periodic reaper job); returns contacts requeued."""
        requeued = 0
        while True:
            batches, contacts = await run(
                self.redis,
                "reap",
                [keys.leases(campaign_id), keys.counters(campaign_id)],
                [keys.tag(campaign_id) + ":", repr(now), REAP_LIMIT, CLOSED_BATCH_TTL],
            )
            requeued += int(contacts)
            if int(batches) < REAP_LIMIT:
                return requeued

    async def open_batch(self, campaign_id: str, volunteer: str, now: float) -> str | None:
        """The id of the volunteer's unexpired batch in the campaign, if any."""
        batch_id = cast(str | None, await self.redis.get(keys.holder(campaign_id, volunteer)))
        if batch_id is None:
            return None
        deadline = await self.redis.zscore(keys.leases(campaign_id), batch_id)
        return batch_id if deadline is not None and deadline > now else None

    async def holds(self, campaign_id: str, volunteer: str, contact_id: str, now: float) -> bool:
        """Does the volunteer hold this contact right now (the check before dialing it)?"""
        batch_id = await self.open_batch(campaign_id, volunteer, now)
        if batch_id is None:
            return False
        return await self.batch_of(campaign_id, contact_id) == batch_id

    async def batch_of(self, campaign_id: str, contact_id: str) -> str | None:
        """The id of the batch holding the contact (leased), or None ({c}:lease_of, keys_lease.py)."""
        state = cast(str | None, await self.redis.hget(keys.lease_of(campaign_id), contact_id))
        return None if state in (None, "", "pending", "done") else state

    async def called_in_batch(self, campaign_id: str, batch_id: str) -> list[dict[str, Any]]:
        """The contacts the batch's holder already recorded a result for, as batch contacts with their
        `result`, in id order: a page reloaded (or opened on another device) lists them as done."""
        done = cast(set[str], await self.redis.smembers(keys.batch_done(campaign_id, batch_id)))
        ids = sorted(done, key=lambda cid: (len(cid), cid))  # numeric ids in number order
        async with self.redis.pipeline(transaction=False) as pipe:
            for cid in ids:
                pipe.hgetall(keys.contact(campaign_id, cid))
            found = cast(list[dict[str, str]], await pipe.execute())
        return [
            {**BatchContact.from_hash(data).to_json(), "result": data.get("result", "")}
            for data in found
            if data
        ]

    async def contact(self, campaign_id: str, contact_id: str) -> BatchContact | None:
        data = cast(dict[str, str], await self.redis.hgetall(keys.contact(campaign_id, contact_id)))
        return BatchContact.from_hash(data) if data else None
