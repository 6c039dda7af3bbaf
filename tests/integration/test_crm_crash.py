"""10,000 results synced to the VAN stand-in by a real sync process that is killed with SIGKILL halfway:
a second one takes over (the lock expires, XAUTOCLAIM takes the dead one's results back), every result is
sent, and the ledger and the stand-in agree: each result reached VAN once, except the few in flight at the
kill (or sent and unanswered: a timeout on a loaded machine), which the ledger names (in_doubt) and which
reached VAN at most twice."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from dialer.connections import async_client
from dialer.crm.ledger import Ledger
from dialer.queue import keys
from tests.integration.crm_support import CRM_KEY, add_results, link_van
from tests.servers import free_port
from tests.van_standin import VanStandin, serve

CAMPAIGN = "crash"
RESULTS = 10_000
CONCURRENCY = 16


@pytest.fixture
def van() -> Iterator[tuple[VanStandin, int]]:
    standin, port = VanStandin(delay=0.001), free_port()
    server, thread = serve(standin, port)
    try:
        yield standin, port
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def start_sync(redis_url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "REDIS_URL": redis_url, "DIALER_CRM_KEY": CRM_KEY,
           "VAN_API_BASE_URL": f"http://127.0.0.1:{port}/v4"}  # fmt: skip
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "dialer.crm.runner", "--lock-seconds", "2", "--claim-idle", "2",
             "--concurrency", str(CONCURRENCY), "--idle-seconds", "0.1"],
            env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip


def wait_for(condition: object, what: str, log: Path, limit: float = 300.0) -> None:
    deadline = time.monotonic() + limit  # a bound on waiting, not a timing assertion
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen: {log.read_text()[-3000:]}")
        time.sleep(0.05)


async def settled(redis: aioredis.Redis) -> int:
    counts = await Ledger(redis, CAMPAIGN).counts()
    return counts["sent"] + counts["skipped"] + counts["failed"]


@pytest.mark.slow
def test_ten_thousand_results_sync_once_across_a_kill_9(
    clean_redis: str, van: tuple[VanStandin, int], tmp_path: Path
) -> None:
    standin, port = van

    async def seed() -> None:
        client = async_client(clean_redis)
        try:
            await link_van(client, CAMPAIGN, standin, rate=1000.0)
            await add_results(client, CAMPAIGN, 0, RESULTS)
        finally:
            await client.aclose()

    asyncio.run(seed())
    log = tmp_path / "sync.log"
    first = start_sync(clean_redis, port, log)
    try:
        wait_for(lambda: len(standin.received) >= 3000, "3,000 sends", log)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        at_kill = len(standin.received)
        second = start_sync(clean_redis, port, log)
        try:
            wait_for(lambda: asyncio.run(_settled(clean_redis)) == RESULTS, "every result settled", log)
        finally:
            second.terminate()
            second.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    assert 3000 <= at_kill < 8000  # the kill came halfway
    assert standin.violations == []

    async def check() -> None:
        client = async_client(clean_redis)
        try:
            ids = [i for i, _ in await client.xrange(keys.results(CAMPAIGN))]
            ledger = await Ledger(client, CAMPAIGN).get(ids)
            counts = standin.counts()
            doubted = 0
            for index, state in enumerate(ledger):
                assert state is not None, ids[index]
                vanid = 100000 + index
                if state.status == "skipped":  # call_back: mapped to nothing, never sent
                    assert counts[vanid] == 0
                    continue
                assert state.status == "sent", state
                if state.in_doubt:  # in flight at the kill, or sent and unanswered on a loaded machine
                    doubted += state.doubt == "worker_stopped"
                    assert 1 <= counts[vanid] <= 2 and state.sends >= 2, state
                else:  # exactly once (sent again only after tries that never left: a refused connection)
                    assert counts[vanid] == 1, (state, counts[vanid])
            assert doubted <= CONCURRENCY
            assert (await Ledger(client, CAMPAIGN).counts())["sent"] == 8000
            assert (await client.xpending(keys.results(CAMPAIGN), "crm"))["pending"] == 0
            assert await client.zcard(keys.crm_retry(CAMPAIGN)) == 0
        finally:
            await client.aclose()

    asyncio.run(check())


async def _settled(url: str) -> int:
    client = async_client(url)
    try:
        return await settled(client)
    finally:
        await client.aclose()
