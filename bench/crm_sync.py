"""CRM sync: results synced per second to the VAN stand-in (its rate limit lifted), and the lag from a
recorded result to its canvass response at 50 results a second.

    .venv/bin/python bench/crm_sync.py [--redis-url URL] [--results 5000] [--lag-seconds 20]

The stand-in (tests/van_standin.py) is served over real HTTP by uvicorn in a thread of this process; the
sync is the worker's own loop (SyncRunner.campaign) with the connection's rate at its highest, 1,000 a second.
Without --redis-url an embedded Redis is started in a temporary directory; with one, the bench uses the
campaign ids crm-bench-* and deletes their keys first. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import redis.asyncio as aioredis

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dialer.connections import async_client  # noqa: E402
from dialer.crm.ledger import Ledger  # noqa: E402
from dialer.crm.runner import SyncRunner  # noqa: E402
from dialer.crm.sync import SyncConfig  # noqa: E402
from dialer.embedded import EmbeddedRedis  # noqa: E402
from dialer.queue import keys  # noqa: E402
from dialer.settings import Settings  # noqa: E402
from tests.integration.crm_support import CRM_KEY, add_results, fields, link_van  # noqa: E402
from tests.servers import free_port  # noqa: E402
from tests.van_standin import VanStandin, serve  # noqa: E402

UNLIMITED = 1000.0  # the highest rate a connection takes (MAX_RATE); the sync stays below it


async def _clear(redis: aioredis.Redis, campaign: str) -> None:
    async for key in redis.scan_iter(match=keys.tag(campaign) + "*"):
        await redis.delete(key)
    await redis.srem(keys.CRM_CAMPAIGNS, campaign)


async def _sync_until(runner: SyncRunner, campaign: str, done: object) -> None:
    await runner.campaign(campaign, done)  # type: ignore[arg-type]


async def throughput(
    url: str, port: int, standin: VanStandin, count: int, concurrency: int
) -> dict[str, float]:
    campaign = f"crm-bench-rate-{concurrency}"
    redis = async_client(url)
    try:
        await _clear(redis, campaign)
        await link_van(redis, campaign, standin, rate=UNLIMITED)
        await add_results(redis, campaign, 0, count)
        settings = Settings(crm_key=CRM_KEY, van_api_base_url=f"http://127.0.0.1:{port}/v4")
        runner = SyncRunner(redis, settings, config=SyncConfig(concurrency=concurrency), idle_seconds=0.01)
        ledger = Ledger(redis, campaign)
        finished = False

        async def watch() -> None:
            nonlocal finished
            while True:
                c = await ledger.counts()
                if c["sent"] + c["skipped"] + c["failed"] >= count:
                    finished = True
                    return
                await asyncio.sleep(0.02)

        started = time.perf_counter()
        watcher = asyncio.create_task(watch())
        await _sync_until(runner, campaign, lambda: finished)
        await watcher
        elapsed = time.perf_counter() - started
        counts = await ledger.counts()
        return {
            "concurrency": concurrency,
            "results": count,
            "sent": counts["sent"],
            "seconds": round(elapsed, 2),
            "results_per_second": round(count / elapsed, 1),
            "requests_per_second": round(counts["sent"] / elapsed, 1),
        }
    finally:
        await _clear(redis, campaign)
        await redis.aclose()


async def lag(url: str, port: int, standin: VanStandin, seconds: float, rate: float) -> dict[str, float]:
    """Results recorded at `rate` a second for `seconds`; the lag is VAN's arrival minus recorded_at."""
    campaign = "crm-bench-lag"
    redis = async_client(url)
    try:
        await _clear(redis, campaign)
        await link_van(redis, campaign, standin, rate=UNLIMITED)
        settings = Settings(crm_key=CRM_KEY, van_api_base_url=f"http://127.0.0.1:{port}/v4")
        runner = SyncRunner(redis, settings)  # the worker's defaults: idle poll 0.5 s, 8 in flight
        total = int(seconds * rate)
        base_vanid = 500_000
        recorded: dict[int, float] = {}
        stop = False
        task = asyncio.create_task(_sync_until(runner, campaign, lambda: stop))
        start = time.time()
        for i in range(total):
            due = start + i / rate
            await asyncio.sleep(max(0.0, due - time.time()))
            entry = fields(i, "not_home", vanid=base_vanid + i)
            entry["recorded_at"] = repr(time.time())
            recorded[base_vanid + i] = float(entry["recorded_at"])
            await redis.xadd(keys.results(campaign), entry)  # type: ignore[arg-type]
        deadline = time.time() + 30
        while sum(1 for v, _ in standin.received if v in recorded) < total and time.time() < deadline:
            await asyncio.sleep(0.05)
        stop = True
        await task
        lags = sorted(
            at - recorded[v]
            for (v, _), at in zip(standin.received, standin.arrived, strict=True)
            if v in recorded
        )
        return {
            "rate": rate,
            "results": total,
            "arrived": len(lags),
            "lag_p50_ms": round(statistics.median(lags) * 1000, 1),
            "lag_p95_ms": round(lags[int(len(lags) * 0.95) - 1] * 1000, 1),
            "lag_max_ms": round(lags[-1] * 1000, 1),
        }
    finally:
        await _clear(redis, campaign)
        await redis.aclose()


async def bench(url: str, count: int, lag_seconds: float) -> dict[str, object]:
    standin, port = VanStandin(), free_port()
    server, thread = serve(standin, port)
    try:
        while not server.started:
            await asyncio.sleep(0.05)
        rates = [await throughput(url, port, standin, count, c) for c in (8, 32)]
        lagged = await lag(url, port, standin, lag_seconds, 50.0)
        return {"throughput": rates, "lag_at_50_per_second": lagged, "violations": len(standin.violations)}
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--redis-url")
    parser.add_argument("--results", type=int, default=5000)
    parser.add_argument("--lag-seconds", type=float, default=20.0)
    args = parser.parse_args()
    if args.redis_url:
        report = asyncio.run(bench(args.redis_url, args.results, args.lag_seconds))
    else:
        with tempfile.TemporaryDirectory() as tmp, EmbeddedRedis(Path(tmp)) as server:
            report = asyncio.run(bench(server.url, args.results, args.lag_seconds))
    print(json.dumps(report))


if __name__ == "__main__":
    main()
