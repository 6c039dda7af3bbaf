"""The worker's periodic jobs against a real Redis."""

from __future__ import annotations

import asyncio
import time

from dialer.campaigns import validate_new
from dialer.connections import async_client
from dialer.contacts import Contact
from dialer.jobs import reap_expired_leases
from dialer.queue.lease import Batch, LeaseQueue
from dialer.stores.campaigns import CampaignStore

NOW = time.time()


async def _scenario(url: str) -> tuple[int, dict[str, str], int]:
    client = async_client(url)
    try:
        campaign = validate_new(
            {"id": "reap", "name": "R", "script_id": "s", "caller_id": "+12025550100"}, NOW
        )
        await CampaignStore(client).create(campaign)
        queue = LeaseQueue(client)
        await queue.add_contacts(
            "reap", [Contact(phone=f"+1312555{110 + i:04d}", timezone="UTC") for i in range(5)], NOW
        )
        batch = await queue.claim(
            "reap", "v1", batch_size=3, lease_seconds=60, open_zones=["UTC"], now=NOW, max_attempts=3
        )
        assert isinstance(batch, Batch) and len(batch.contacts) == 3
        assert await reap_expired_leases(url, now=NOW + 30) == 0  # not expired yet
        requeued = await reap_expired_leases(url, now=NOW + 61)
        counters = await client.hgetall("{c:reap}:counters")
        again = await queue.claim(
            "reap", "v2", batch_size=5, lease_seconds=60, open_zones=["UTC"], now=NOW + 62, max_attempts=3
        )
        assert isinstance(again, Batch)
        return requeued, counters, len(again.contacts)
    finally:
        await client.aclose()


def test_reaper_returns_expired_batches_to_the_queue(clean_redis: str) -> None:
    requeued, counters, second = asyncio.run(_scenario(clean_redis))
    assert requeued == 3
    assert counters.get("leased", "0") == "0" and counters["pending"] == "5"
    assert second == 5  # every contact is callable again


def test_reaper_is_idempotent(clean_redis: str) -> None:
    asyncio.run(_scenario(clean_redis))
    assert asyncio.run(reap_expired_leases(clean_redis, now=NOW + 10_000)) == 5  # v2's batch expired too
    assert asyncio.run(reap_expired_leases(clean_redis, now=NOW + 10_000)) == 0
