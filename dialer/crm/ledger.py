"""The sync ledger: one state per results stream entry (pending, sending, sent, skipped, failed with the
CRM's message), with per-status counts, the failed list and the retry schedule. Every move is one call of
crm_ledger.lua, so the counts, the lists and the consumer group's pending entries never disagree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, cast

import redis.asyncio as aioredis

from dialer.queue import keys
from dialer.queue.lua_scripts import run

GROUP = "crm"  # the consumer group on each campaign's results stream
STATUSES = ("pending", "sending", "sent", "skipped", "failed")


@dataclass(frozen=True)
class LedgerEntry:
    entry_id: str
    status: str
    tries: int = 0
    sends: int = 0
    message: str = ""
    at: float = 0.0
    in_doubt: bool = False
    corrects: str = ""
    retry_at: float | None = None
    # Why it may have reached the CRM twice: `worker_stopped` (in flight when its worker died) or
    # `no_answer` (sent, then no answer: a timeout or a dropped connection, and sent again).
    doubt: str = ""

    @classmethod
    def parse(cls, entry_id: str, raw: str) -> LedgerEntry:
        data = json.loads(raw)
        return cls(
            entry_id,
            str(data.get("status", "pending")),
            int(data.get("tries") or 0),
            int(data.get("sends") or 0),
            str(data.get("message") or ""),
            float(data.get("at") or 0),
            bool(data.get("in_doubt")),
            str(data.get("corrects") or ""),
            float(data["retry_at"]) if data.get("retry_at") is not None else None,
            str(data.get("doubt") or ("worker_stopped" if data.get("in_doubt") else "")),
        )


class Ledger:
    def __init__(self, redis: aioredis.Redis, campaign_id: str) -> None:
        self.redis = redis
        self.campaign_id = campaign_id

    async def _op(
        self, entry_id: str, op: str, now: float, message: str = "", when: float = 0.0,
        contact_id: str = "", attempt: int = 0, maybe_delivered: bool = False,
    ) -> Any:  # fmt: skip
        c = self.campaign_id
        return await run(
            self.redis,
            "crm_ledger",
            [
                keys.crm_ledger(c),
                keys.crm_counts(c),
                keys.crm_failed(c),
                keys.crm_retry(c),
                keys.results(c),
                keys.crm_by_attempt(c),
            ],
            [
                entry_id,
                op,
                repr(now),
                message[:1000],
                repr(when),
                GROUP,
                contact_id,
                attempt,
                "1" if maybe_delivered else "0",
            ],  # fmt: skip
        )

    async def seen(self, entry_id: str, now: float, contact_id: str, attempt: int) -> None:
        await self._op(entry_id, "seen", now, contact_id=contact_id, attempt=attempt)

    async def start(self, entry_id: str, now: float, contact_id: str = "", attempt: int = 0) -> LedgerEntry:
        raw = await self._op(entry_id, "start", now, contact_id=contact_id, attempt=attempt)
        return LedgerEntry.parse(entry_id, raw)

    async def settle(self, entry_id: str, status: str, now: float, message: str = "") -> None:
        assert status in ("sent", "skipped", "failed")
        await self._op(entry_id, status, now, message)

    async def retry_at(
        self, entry_id: str, now: float, due: float, message: str, *, maybe_delivered: bool = False
    ) -> None:
        """Back to the schedule; `maybe_delivered` (no answer after sending) makes its re-send in doubt."""
        await self._op(entry_id, "retry", now, message, due, maybe_delivered=maybe_delivered)

    async def requeue(self, entry_id: str, now: float) -> bool:
        """An organizer's retry (or a replay): send a settled entry again now. False if it is not settled."""
        return bool(await self._op(entry_id, "requeue", now) != 0)

    async def take(self, entry_id: str, now: float, lease: float) -> bool:
        """Claims a due retry for `lease` seconds (a worker that dies with it gives it back by then)."""
        return bool(await self._op(entry_id, "take", now, when=now + lease))

    async def due(self, now: float, limit: int) -> list[str]:
        return cast(
            list[str],
            await self.redis.zrangebyscore(keys.crm_retry(self.campaign_id), "-inf", repr(now), 0, limit),
        )

    async def get(self, entry_ids: list[str]) -> list[LedgerEntry | None]:
        if not entry_ids:
            return []
        raws = await self.redis.hmget(keys.crm_ledger(self.campaign_id), entry_ids)
        return [LedgerEntry.parse(i, str(r)) if r else None for i, r in zip(entry_ids, raws, strict=True)]

    async def counts(self) -> dict[str, int]:
        raw = cast(dict[str, str], await self.redis.hgetall(keys.crm_counts(self.campaign_id)))
        return {status: int(raw.get(status, 0)) for status in STATUSES}

    async def failed(self, limit: int = 100) -> list[str]:
        return cast(list[str], await self.redis.zrevrange(keys.crm_failed(self.campaign_id), 0, limit - 1))
