"""Background jobs (RQ job functions and the worker's periodic jobs). They take ids, stay thin, and call
the same service code as the web routes; each opens its own connection."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import anyio.to_thread

from dialer.connections import async_client, plain_sync_client, rq_url
from dialer.models import CampaignStatus
from dialer.queue.lease import LeaseQueue
from dialer.settings import Settings
from dialer.stores.campaigns import CampaignStore

log = logging.getLogger("dialer.jobs")


async def reap_expired_leases(redis_url: str, now: float | None = None) -> int:
    """Closes every expired batch of every open campaign; uncalled contacts go back to the queue.

    Claims reap on the way too, but a campaign nobody is claiming from still needs its contacts back
    (and its `leased` counter right) when a volunteer walks away. Idempotent: safe in several workers.
    """
    client = async_client(redis_url)
    requeued = 0
    try:
        at = time.time() if now is None else now
        for campaign in await CampaignStore(client).list():
            if campaign.status is not CampaignStatus.CLOSED:
                requeued += await LeaseQueue(client).reap(campaign.id, at)
    finally:
        await client.aclose()
    if requeued:
        log.info("reaper returned %d contacts from expired batches to the queue", requeued)
    return requeued


def enqueuer(rq_url: str, redis_url: str) -> Callable[..., Awaitable[str]]:
    """`await enqueue("module.function", *args)`: an RQ job on the low-priority queue; the job gets the
    main Redis URL first. Returns the RQ job id. (RQ's client is synchronous, so it runs in a thread.)"""

    def put(function: str, args: tuple[Any, ...]) -> str:
        from rq import Queue

        connection = plain_sync_client(rq_url, decode_responses=False)
        try:
            job = Queue("dialer-low", connection=connection).enqueue(
                function, redis_url, *args, job_timeout=3600
            )
            return str(job.id)
        finally:
            connection.close()

    async def enqueue(function: str, *args: Any) -> str:
        return await anyio.to_thread.run_sync(put, function, args)

    return enqueue


def reap_job(settings: Settings, redis_url: str) -> None:
    asyncio.run(reap_expired_leases(redis_url))


def restart_imports_job(settings: Settings, redis_url: str) -> None:
    """Background imports whose worker died are queued again (queue/import_watch.py)."""
    from rq import Queue

    from dialer.queue.import_watch import restart_abandoned_imports

    rq_connection = plain_sync_client(rq_url(settings, redis_url), decode_responses=False)

    def enqueue(function: str, *args: str) -> object:
        return Queue("dialer-low", connection=rq_connection).enqueue(
            function, redis_url, *args, job_timeout=3600
        )

    async def main() -> None:
        client = async_client(redis_url)
        try:
            await restart_abandoned_imports(client, enqueue)
        finally:
            await client.aclose()

    try:
        asyncio.run(main())
    finally:
        rq_connection.close()
