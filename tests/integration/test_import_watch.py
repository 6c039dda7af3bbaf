"""The restart of background imports whose worker died (queue/import_watch.py), on a real Redis."""

from __future__ import annotations

import pytest
import redis.asyncio as aioredis

from dialer.queue import import_watch, keys

pytestmark = pytest.mark.anyio


async def _running_import(redis: aioredis.Redis, job: str, *, alive: bool) -> None:
    await redis.hset(keys.import_job("c1", job), mapping={"status": "running", "default_timezone": "UTC"})
    await redis.set(keys.import_upload("c1", job), b"phone\n")
    await import_watch.mark_queued(redis, "c1", job, 1.0)
    if alive:
        await redis.set(keys.import_alive("c1", job), "1", ex=60)


async def test_only_imports_without_a_heartbeat_are_queued_again(redis: aioredis.Redis) -> None:
    await _running_import(redis, "dead", alive=False)
    await _running_import(redis, "busy", alive=True)
    queued: list[tuple[str, ...]] = []
    assert await import_watch.restart_abandoned_imports(redis, lambda *a: queued.append(a)) == (1, 0)
    assert queued == [("dialer.queue.importer.import_upload_job", "c1", "dead", "UTC")]
    assert await redis.hget(keys.import_job("c1", "dead"), "status") == "queued"
    assert await redis.hget(keys.import_job("c1", "busy"), "status") == "running"
    # Queued again, it is not restarted a second time while it waits for a worker.
    assert await import_watch.restart_abandoned_imports(redis, lambda *a: queued.append(a)) == (0, 0)
    assert len(queued) == 1


async def test_an_import_that_keeps_losing_its_worker_fails_with_the_reason(redis: aioredis.Redis) -> None:
    await _running_import(redis, "doomed", alive=False)
    queued: list[tuple[str, ...]] = []
    for _ in range(import_watch.MAX_RESTARTS):
        assert await import_watch.restart_abandoned_imports(redis, lambda *a: queued.append(a)) == (1, 0)
        await redis.hset(keys.import_job("c1", "doomed"), "status", "running")  # the next worker died too
    assert await import_watch.restart_abandoned_imports(redis, lambda *a: queued.append(a)) == (0, 1)
    state = await redis.hgetall(keys.import_job("c1", "doomed"))
    assert state["status"] == "failed" and "upload the list again" in state["error"]
    assert not await redis.exists(keys.import_upload("c1", "doomed"))
    assert await redis.zcard(keys.imports_active()) == 0


async def test_a_finished_or_expired_import_leaves_the_watch_list(redis: aioredis.Redis) -> None:
    await import_watch.mark_queued(redis, "c1", "gone", 1.0)  # its status hash expired
    assert await import_watch.restart_abandoned_imports(redis, lambda *a: None) == (0, 0)
    assert await redis.zcard(keys.imports_active()) == 0
