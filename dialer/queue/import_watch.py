"""Background imports that survive their worker: a heartbeat while one runs, and a restart when it stops.

A worker killed mid-import (kill -9, an out-of-memory kill, a redeploy) used to leave the import `running`
forever, its upload in Redis and most of its rows never imported. Now the job keeps `keys.import_alive`
set while it runs; the worker's periodic job (`restart_abandoned_imports`) finds imports that are still
`running` without it and queues them again, from the first row: rows are idempotent by phone, and the
report counts the contacts the interrupted run added as imported (ids above `seq_floor`, see
import_report.py), so the finished report reads as if nothing had happened. After `MAX_RESTARTS` it gives
up: the import is `failed` with the reason, and its upload is deleted.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from typing import cast

import redis.asyncio as aioredis

from dialer.queue import keys
from dialer.queue.lua_scripts import run

log = logging.getLogger("dialer.imports")

# enqueue("module.function", *args): puts an RQ job on the low-priority queue (the job gets the Redis URL).
Enqueue = Callable[..., object]

ALIVE_SECONDS = 60  # an import silent this long is a dead worker's
BEAT_SECONDS = 10
MAX_RESTARTS = 3
GAVE_UP = (
    "The worker stopped {n} times during this import; upload the list again (rows already imported stay)."
)


def active_member(campaign_id: str, job_id: str) -> str:
    return f"{campaign_id} {job_id}"


async def mark_queued(redis: aioredis.Redis, campaign_id: str, job_id: str, now: float) -> None:
    await redis.zadd(keys.imports_active(), {active_member(campaign_id, job_id): now})


async def mark_finished(redis: aioredis.Redis, campaign_id: str, job_id: str) -> None:
    await redis.delete(keys.import_alive(campaign_id, job_id))
    await redis.zrem(keys.imports_active(), active_member(campaign_id, job_id))


@contextlib.asynccontextmanager
async def heartbeat(redis: aioredis.Redis, campaign_id: str, job_id: str) -> AsyncIterator[None]:
    """Keeps the import's alive key set while the block runs (a task on the job's own event loop: parsing
    runs in threads, so the beat goes on during a long parse)."""
    key = keys.import_alive(campaign_id, job_id)
    await redis.set(key, "1", ex=ALIVE_SECONDS)

    async def beat() -> None:
        while True:
            await asyncio.sleep(BEAT_SECONDS)
            await redis.set(key, "1", ex=ALIVE_SECONDS)

    task = asyncio.create_task(beat())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def restart_abandoned_imports(
    redis: aioredis.Redis, enqueue: Enqueue, *, limit: int = 100
) -> tuple[int, int]:
    """Queues again every import left `running` by a dead worker; returns (restarted, failed)."""
    restarted = failed = 0
    members = cast(list[str], await redis.zrange(keys.imports_active(), 0, limit - 1))
    for member in members:
        campaign_id, _, job_id = member.partition(" ")
        status_key = keys.import_job(campaign_id, job_id)
        if not await redis.exists(status_key):  # expired, or never written: nothing to follow any more
            await redis.zrem(keys.imports_active(), member)
            continue
        timezone = cast(str | None, await redis.hget(status_key, "default_timezone"))
        outcome = await run(
            redis, "import_restart", [status_key, keys.import_alive(campaign_id, job_id)],
            [MAX_RESTARTS, GAVE_UP.format(n=MAX_RESTARTS + 1)],
        )  # fmt: skip
        if outcome == 1 and timezone:
            log.warning("import %s of campaign %s lost its worker; queued again", job_id, campaign_id)
            enqueue("dialer.queue.importer.import_upload_job", campaign_id, job_id, timezone)
            restarted += 1
        elif outcome == 1 or outcome == 2:
            log.warning("import %s of campaign %s failed: its worker stopped too often", job_id, campaign_id)
            if outcome == 1:  # queued again but nothing says how: fail it rather than guess
                await redis.hset(status_key, mapping={"status": "failed", "error": GAVE_UP.format(n=1)})
            await redis.delete(keys.import_upload(campaign_id, job_id))
            await mark_finished(redis, campaign_id, job_id)
            failed += 1
    return restarted, failed
