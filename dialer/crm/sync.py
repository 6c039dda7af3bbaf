"""Sending a campaign's results to its CRM: the results stream's consumer group, the ledger, backoff and a
per-connection rate limit. Nothing here runs in the call path: the worker calls `CampaignSync.step`.

One step: take back what a crashed worker had read and not settled (XAUTOCLAIM: it was in flight, so the
ledger marks a re-send `in_doubt`), then the retries that are due, then new results (XREADGROUP `>`), and
send them a few at a time. Each result is settled by one ledger call that also XACKs it, so a result is
never skipped: it stays in the group's pending list, or in the retry schedule, until the ledger says
sent, skipped or failed. A CRM request cannot be made idempotent (VAN takes no request id), so the only
results that can reach the CRM twice are the ones in flight when a worker was killed, and the ones sent
again after their request got no answer (a timeout or a dropped connection once it was sent); the ledger
names both (`in_doubt`, with `doubt` saying which).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis
import redis.exceptions

from dialer.crm.ledger import GROUP, Ledger
from dialer.crm.mapping import CrmMapping
from dialer.crm.port import CrmClient, OutcomeKind
from dialer.crm.requests import Planned, Refuse, ResultEntry, Skip, plan
from dialer.crm.store import CrmStore
from dialer.queue import keys
from dialer.telephony.ratelimit import TokenBucket

log = logging.getLogger("dialer.crm")


def backoff(tries: int, retry_after: float | None = None) -> float:
    """Seconds before try `tries + 1` after a 429/5xx: 2, 4, 8 ... up to 5 minutes, or what the CRM said."""
    return max(min(2.0 ** max(tries, 1), 300.0), retry_after or 0.0)


class Throttle:
    """The connection's token bucket, and a hold after a 429 that every request waits out."""

    def __init__(
        self, rate: float, *, clock: Callable[[], float], sleep: Callable[[float], Awaitable[None]]
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._bucket = TokenBucket(rate, burst=max(1.0, rate / 10), now=clock())
        self._hold_until = 0.0

    def hold(self, seconds: float) -> None:
        self._hold_until = max(self._hold_until, self._clock() + seconds)

    async def acquire(self) -> None:
        wait = self._hold_until - self._clock()
        if wait > 0:
            await self._sleep(wait)
        delay = self._bucket.reserve(self._clock())
        if delay > 0:
            await self._sleep(delay)


@dataclass(frozen=True)
class SyncConfig:
    batch: int = 100  # entries read per step from each source
    concurrency: int = 8  # requests in flight at once
    claim_idle: float = 60.0  # seconds before another consumer's unsettled entry is taken back
    retry_lease: float = 60.0  # seconds a taken retry is reserved for the worker that took it
    max_tries: int = 8  # 429/5xx/timeouts before a result is marked failed (an organizer may retry it)


DEFAULT_CONFIG = SyncConfig()


class CampaignSync:
    def __init__(
        self,
        redis: aioredis.Redis,
        campaign_id: str,
        client: CrmClient,
        *,
        consumer: str,
        rate: float,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        config: SyncConfig = DEFAULT_CONFIG,
    ) -> None:
        self.redis = redis
        self.campaign_id = campaign_id
        self.client = client
        self.consumer = consumer
        self.clock = clock
        self.config = config
        self.ledger = Ledger(redis, campaign_id)
        self.throttle = Throttle(rate, clock=clock, sleep=sleep)
        self._stream = keys.results(campaign_id)
        self._mappings: dict[str, CrmMapping | None] = {}

    async def step(self) -> int:
        """One round; returns how many results it handled (0: nothing to do now)."""
        self._mappings.clear()  # an organizer may have saved a mapping since the last round
        entries = await self._claimed() + await self._due() + await self._new()
        if not entries:
            return 0
        gate = asyncio.Semaphore(self.config.concurrency)

        async def one(entry_id: str, fields: dict[str, str]) -> None:
            async with gate:
                await self._handle(ResultEntry.from_fields(entry_id, fields))

        await asyncio.gather(*(one(i, f) for i, f in entries))
        return len(entries)

    async def _claimed(self) -> list[tuple[str, dict[str, str]]]:
        idle = int(self.config.claim_idle * 1000)
        reply = await self._group_call(
            lambda: self.redis.xautoclaim(
                self._stream, GROUP, self.consumer, idle, start_id="0-0", count=self.config.batch
            )
        )
        return [(i, f) for i, f in (reply[1] if reply else []) if f is not None]

    async def _due(self) -> list[tuple[str, dict[str, str]]]:
        now = self.clock()
        out: list[tuple[str, dict[str, str]]] = []
        for entry_id in await self.ledger.due(now, self.config.batch):
            if await self.ledger.take(entry_id, now, self.config.retry_lease):
                found = await self.redis.xrange(self._stream, entry_id, entry_id)
                if found:
                    out.append((str(found[0][0]), dict(found[0][1] or {})))  # type: ignore[arg-type]
        return out

    async def _new(self) -> list[tuple[str, dict[str, str]]]:
        reply = await self._group_call(
            lambda: self.redis.xreadgroup(GROUP, self.consumer, {self._stream: ">"}, count=self.config.batch)
        )
        return [(i, f) for _, items in reply or [] for i, f in items]

    async def _group_call(self, call: Callable[[], Awaitable[Any]]) -> Any:
        try:
            return await call()
        except redis.exceptions.ResponseError as exc:
            if "NOGROUP" not in str(exc):
                raise
            await self.redis.xgroup_create(self._stream, GROUP, id="0", mkstream=True)
            return await call()

    async def _mapping(self, version: str) -> CrmMapping | None:
        if version not in self._mappings:
            self._mappings[version] = await CrmStore(self.redis).mapping(self.campaign_id, version)
        return self._mappings[version]

    async def _handle(self, entry: ResultEntry) -> None:
        decision = plan(entry, await self._mapping(entry.script_version))
        if isinstance(decision, Skip):
            await self.ledger.settle(entry.entry_id, "skipped", self.clock(), decision.reason)
            return
        if isinstance(decision, Refuse):
            await self.ledger.settle(entry.entry_id, "failed", self.clock(), decision.message)
            return
        await self._send(entry, decision)

    async def _send(self, entry: ResultEntry, planned: Planned) -> None:
        await self.throttle.acquire()
        state = await self.ledger.start(entry.entry_id, self.clock(), entry.contact_id, entry.attempt)
        outcome = await self.client.send(planned, entry)
        now = self.clock()
        if isinstance(outcome, Refuse):
            await self.ledger.settle(entry.entry_id, "failed", now, outcome.message)
        elif outcome.kind is OutcomeKind.SENT:
            await self.ledger.settle(entry.entry_id, "sent", now)
        elif outcome.kind is OutcomeKind.FAILED:
            await self.ledger.settle(entry.entry_id, "failed", now, outcome.message)
        else:
            if outcome.rate_limited:
                self.throttle.hold(outcome.retry_after or backoff(1))
            if state.tries >= self.config.max_tries:
                message = f"gave up after {state.tries} tries: {outcome.message}"
                await self.ledger.settle(entry.entry_id, "failed", now, message)
            else:
                due = now + backoff(state.tries, outcome.retry_after)
                await self.ledger.retry_at(
                    entry.entry_id, now, due, outcome.message, maybe_delivered=outcome.maybe_delivered
                )
