"""One organizer flush of a busy campaign: what the live dashboard costs per push.

Run: .venv/bin/python bench/console.py [--volunteers 500] [--questions 20] [--flushes 200] [--redis-url URL]
Seeds a campaign with a 20-question script, its survey tallies, 500 volunteers on the roster with their
day's counters, then runs the live hub's snapshot (the stats and roster messages an organizer socket gets)
`flushes` times. Prints, per flush: round trips to Redis, commands, Redis server time (INFO commandstats)
and wall time; the baseline is one bare pipeline of the console's own reads (roster, liveness, day's
counters, survey) on the same Redis, measured in the same run. Without --redis-url (or REDIS_URL) an
embedded Redis is started.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import redis.asyncio as aioredis  # noqa: E402
from redis.asyncio.client import Pipeline  # noqa: E402

from dialer.calling_hours import local_day  # noqa: E402
from dialer.campaigns import Campaign  # noqa: E402
from dialer.connections import async_client  # noqa: E402
from dialer.live import LiveHub  # noqa: E402
from dialer.queue import keys  # noqa: E402
from dialer.queue.roster import Roster  # noqa: E402
from dialer.roster import GONE_AFTER  # noqa: E402
from dialer.scripts.loader import load_script  # noqa: E402
from dialer.stores.campaigns import CampaignStore  # noqa: E402
from dialer.stores.scripts import ScriptStore  # noqa: E402

ROUND_TRIPS = {"n": 0}


def count_round_trips() -> None:
    """Every command sent alone, and every pipeline, is one round trip."""
    plain, pipe = aioredis.Redis.execute_command, Pipeline.execute

    async def counted(self: Any, *args: Any, **kw: Any) -> Any:
        if not isinstance(self, Pipeline):
            ROUND_TRIPS["n"] += 1
        return await plain(self, *args, **kw)

    async def counted_pipe(self: Any, *args: Any, **kw: Any) -> Any:
        ROUND_TRIPS["n"] += 1
        return await pipe(self, *args, **kw)

    aioredis.Redis.execute_command = counted  # type: ignore[method-assign]
    Pipeline.execute = counted_pipe  # type: ignore[method-assign]


def script_yaml(questions: int) -> str:
    steps = []
    for i in range(questions):
        nxt = f"q{i + 1}" if i + 1 < questions else "done"
        steps.append(
            f'  q{i}:\n    text: "Question {i}, {{{{ contact.first_name }}}}?"\n'
            + f"    question: q{i}\n    choices:\n"
            + "".join(f'      - {{label: "Answer {j}", value: "a{j}", next: {nxt}}}\n' for j in range(4))
        )
    return (
        "id: bench-console\ntitle: Bench\nstart: q0\nsteps:\n"
        + "".join(steps)
        + "  done:\n    text: Thanks\n    result: contacted\n"
    )


async def seed(redis: aioredis.Redis, cid: str, volunteers: int, questions: int, now: float) -> None:
    script = load_script(script_yaml(questions).encode(), "application/yaml").script
    await ScriptStore(redis).save(script, now)
    await CampaignStore(redis).create(
        Campaign(
            id=cid,
            name="Bench",
            script_id="bench-console",
            caller_id="+12025550199",
            goal=5000,
            created_at=now,
        )
    )
    day = local_day("America/New_York", now)
    roster = Roster(redis, cid)
    async with redis.pipeline(transaction=False) as pipe:
        for q in range(questions):
            for a in range(4):
                pipe.hset(keys.survey(cid), f"q{q}\x1fa{a}", 100 + q + a)
        pipe.hset(keys.survey(cid), "conversations", 2000)
        for v in range(volunteers):
            pipe.hset(keys.daily(cid, day), mapping={f"calls:v{v}": 30, f"conv:v{v}": 10, f"talk:v{v}": 900})
        await pipe.execute()
    for v in range(volunteers):
        await roster.join(
            f"v{v}", state="talking" if v % 3 else "waiting", name=f"Volunteer {v}", team="", now=now
        )


async def server_usec(redis: aioredis.Redis) -> tuple[float, int]:
    info = await redis.info("commandstats")
    usec = sum(float(v["usec"]) for k, v in info.items() if isinstance(v, dict) and "usec" in v)
    calls = sum(int(v["calls"]) for k, v in info.items() if isinstance(v, dict) and "calls" in v)
    return usec, calls


async def measure(redis: aioredis.Redis, work: Any, n: int) -> dict[str, float]:
    await work()  # warm: scripts loaded, connections open
    ROUND_TRIPS["n"] = 0
    usec0, calls0 = await server_usec(redis)
    started = time.perf_counter()
    for _ in range(n):
        await work()
    wall = time.perf_counter() - started
    usec1, calls1 = await server_usec(redis)
    info_calls = 2  # the INFO of each measurement
    return {
        "round_trips": ROUND_TRIPS["n"] / n,
        "commands": (calls1 - calls0 - info_calls) / n,
        "server_ms": (usec1 - usec0) / n / 1000,
        "wall_ms": wall / n * 1000,
    }


async def main(url: str, volunteers: int, questions: int, flushes: int) -> None:
    redis = async_client(url)
    await redis.flushdb()
    now = time.time()
    cid = "bench-console"
    await seed(redis, cid, volunteers, questions, now)
    count_round_trips()
    hub = LiveHub(redis)
    day = local_day("America/New_York", now)

    async def flush() -> None:
        await hub.snapshot(cid)

    async def baseline() -> None:
        async with redis.pipeline(transaction=False) as pipe:
            pipe.hgetall(keys.roster(cid))
            pipe.zrangebyscore(keys.roster_seen(cid), repr(time.time() - GONE_AFTER), "+inf")
            pipe.hgetall(keys.daily(cid, day))
            pipe.hgetall(keys.survey(cid))
            await pipe.execute()

    ours = await measure(redis, flush, flushes)
    base = await measure(redis, baseline, flushes)
    print(f"one organizer flush: {volunteers} volunteers online, {questions} questions, {flushes} flushes")
    print(f"{'':22}{'round trips':>12}{'commands':>10}{'server ms':>11}{'wall ms':>9}")
    for name, m in (("snapshot (ours)", ours), ("bare pipeline", base)):
        print(
            f"{name:22}{m['round_trips']:>12.1f}{m['commands']:>10.1f}{m['server_ms']:>11.3f}{m['wall_ms']:>9.2f}"
        )
    server, wall = ours["server_ms"] / base["server_ms"], ours["wall_ms"] / base["wall_ms"]
    print(f"ratio ours/baseline: server {server:.2f}, wall {wall:.2f}")
    await redis.aclose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--volunteers", type=int, default=500)
    parser.add_argument("--questions", type=int, default=20)
    parser.add_argument("--flushes", type=int, default=200)
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL"))
    args = parser.parse_args()
    if args.redis_url:
        asyncio.run(main(args.redis_url, args.volunteers, args.questions, args.flushes))
    else:
        from dialer.embedded import EmbeddedRedis

        with tempfile.TemporaryDirectory() as tmp:
            server = EmbeddedRedis(Path(tmp))
            server.start()
            try:
                asyncio.run(main(server.url, args.volunteers, args.questions, args.flushes))
            finally:
                server.stop()
