"""The do-not-call page's reads on a big list: a count and a search, a page of numbers, the people search.

Run: .venv/bin/python bench/dnc_search.py [--sizes 100000,1000000] [--users 10000] [--runs 200]
Always on its own embedded Redis (it writes the organization-wide list). For each list size it fills the
list as dnc.py does (the set and its sorted index), then times over `runs` requests each: a whole-number
search (`page(q=...)`: a count and SISMEMBER), a prefix search (ZRANGEBYLEX, 50 numbers), a page deep in
the list from a cursor, and the first read of a list with no index yet (SSCAN into the index, once).
Then it times the People search over `--users` accounts. Prints medians and 99th percentiles in ms.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import redis.asyncio as aioredis  # noqa: E402

from dialer.connections import async_client  # noqa: E402
from dialer.queue import dnc_pages, keys  # noqa: E402
from dialer.stores import people  # noqa: E402

CHUNK = 10_000


def phone(i: int) -> str:
    return f"+1312{2_000_000 + i:07d}"


async def timed(runs: int, work: Callable[[int], Awaitable[object]]) -> str:
    times = []
    for i in range(runs):
        started = time.perf_counter()
        await work(i)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return f"median {statistics.median(times):.2f} ms, p99 {times[int(len(times) * 0.99) - 1]:.2f} ms"


async def fill(client: aioredis.Redis, size: int) -> None:
    for start in range(0, size, CHUNK):
        phones = [phone(i) for i in range(start, min(size, start + CHUNK))]
        async with client.pipeline(transaction=False) as pipe:
            pipe.sadd(keys.DNC, *phones)
            pipe.zadd(keys.DNC_INDEX, dict.fromkeys(phones, 0))
            await pipe.execute()


async def main(url: str, sizes: list[int], users: int, runs: int) -> None:
    redis = async_client(url)
    for size in sizes:
        await redis.flushdb()
        started = time.perf_counter()
        await fill(redis, size)
        print(f"== {size:,} numbers (filled in {time.perf_counter() - started:.1f} s)")
        middle = phone(size // 2)
        found = await dnc_pages.page(redis, f"({middle[2:5]}) {middle[5:8]}-{middle[8:]}")
        assert found.phones == [middle] and found.count == size, found
        print(
            "  whole-number search:",
            await timed(runs, lambda i, n=size: dnc_pages.page(redis, phone(i * 37 % n))),
        )
        print(
            "  prefix search, 50:  ",
            await timed(runs, lambda i: dnc_pages.page(redis, f"312 20{i % 10}", "", 50)),
        )
        print(
            "  page from a cursor: ",
            await timed(runs, lambda i, n=size: dnc_pages.page(redis, "", phone(i * 4999 % n))),
        )
        await redis.delete(keys.DNC_INDEX)
        started = time.perf_counter()
        await dnc_pages.ensure_index(redis)
        print(f"  first read without an index: {time.perf_counter() - started:.1f} s (indexes it once)")
    await redis.flushdb()
    async with redis.pipeline(transaction=False) as pipe:
        for i in range(users):
            uid = f"u{i:06d}"
            pipe.hset(
                keys.user(uid),
                mapping={"email": f"person{i}@example.org", "name": f"Person Number{i}", "role": "volunteer"},
            )
            pipe.zadd(keys.USERS, {uid: i})
        await pipe.execute()
    started = time.perf_counter()
    await people.ensure_index(redis)
    print(f"== {users:,} users (indexed in {time.perf_counter() - started:.1f} s)")
    print(
        "  people search, 25:  ",
        await timed(runs, lambda i: people.search(redis, f"number{i % 100}", "", 25)),
    )
    print(
        "  people by sign-up:  ",
        await timed(runs, lambda i: people.search(redis, "", f"i:{i * 13 % users}", 25)),
    )
    await redis.aclose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    from dialer.embedded import EmbeddedRedis

    with tempfile.TemporaryDirectory() as tmp:
        server = EmbeddedRedis(Path(tmp))
        server.start()
        try:
            asyncio.run(main(server.url, [int(s) for s in args.sizes.split(",")], args.users, args.runs))
        finally:
            server.stop()
