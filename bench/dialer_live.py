"""Live dialing on a real Redis: how fast answered voters are matched to free volunteers, and what one
pacing decision costs with a large pool.

    .venv/bin/python bench/dialer_live.py [--volunteers 200] [--lines 1000] [--redis-url URL]

Without --redis-url (or REDIS_URL) an embedded Redis is started in a temporary directory. With one, only
this run's campaign keys are written, and deleted at the end. Matching answered voters is printed as a ratio
against the same number of concurrent bare EVALSHA calls on the same Redis, measured in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import redis.asyncio as aioredis  # noqa: E402

from dialer.campaigns import Campaign  # noqa: E402
from dialer.connections import async_client  # noqa: E402
from dialer.contacts import Contact  # noqa: E402
from dialer.dialing.agents import set_ready  # noqa: E402
from dialer.dialing.bridge import apply_verdict  # noqa: E402
from dialer.dialing.pacer_loop import CampaignPacer  # noqa: E402
from dialer.models import Mode  # noqa: E402
from dialer.queue.lease import LeaseQueue  # noqa: E402
from dialer.settings import Settings  # noqa: E402
from dialer.stores.campaigns import CampaignStore  # noqa: E402
from tests.integration.dialing_support import FakeCarrier, midday_zone  # noqa: E402

CID = f"bench-{secrets.token_hex(4)}"
AREAS = ["202", "312", "415", "617", "512", "206", "303", "602", "808", "907"]


async def baseline(redis: aioredis.Redis, n: int) -> float:
    """Seconds for `n` concurrent bare EVALSHA calls of a trivial script: the floor verdicts are held to."""
    trivial = redis.register_script("return redis.call('HINCRBY', KEYS[1], 'n', 1)")
    gate = asyncio.Semaphore(150)

    async def one(i: int) -> None:
        async with gate:
            await trivial(keys=[f"{{c:{CID}}}:baseline"], args=[])

    started = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(n)))
    return time.perf_counter() - started


async def main(url: str, volunteers: int, lines: int) -> None:
    redis = async_client(url)
    now = time.time()
    campaign = Campaign(id=CID, name="Bench", script_id="s", caller_id="+12025550199",
                        mode=Mode.PREDICTIVE, created_at=now)  # fmt: skip
    await CampaignStore(redis).create(campaign)
    zone = midday_zone(now)
    contacts = [Contact(phone=f"+1{AREAS[i // 100 % 10]}555{100 + i % 100:04d}", timezone=zone)
                for i in range(min(lines, 1000))]  # fmt: skip
    await LeaseQueue(redis).add_contacts(CID, contacts, now)
    for v in range(volunteers):
        await set_ready(redis, CID, f"v{v}", True, now=now, lease_seconds=3600)
    carrier = FakeCarrier()
    pacer = CampaignPacer(redis, carrier, Settings(secret_key=CID), CID, scale=1.0)
    started = time.perf_counter()
    placed = 0
    while placed < len(contacts):  # a take looks at most SCAN entries per zone
        placed += await pacer.dial(campaign, len(contacts) - placed, now)
    dial_s = time.perf_counter() - started
    started = time.perf_counter()
    gate = asyncio.Semaphore(150)  # the client's connection pool holds 200

    async def human(sid: str) -> list[str]:
        async with gate:
            return await apply_verdict(redis, campaign, sid, "human", now=now + 8)

    replies = await asyncio.gather(*(human(sid) for sid in carrier.sids))
    match_s = time.perf_counter() - started
    bridged = [r[1] for r in replies if r[0] == "bridged"]
    assert len(bridged) == len(set(bridged)) == min(volunteers, placed), "a volunteer got two voters"
    started = time.perf_counter()
    inp, _ = await pacer.pacing_input(campaign, now + 9)
    read_s = time.perf_counter() - started
    from dialer import pacing

    started = time.perf_counter()
    pacing.decide(inp, pacer.config)
    decide_s = time.perf_counter() - started
    print(f"volunteers {volunteers}, lines {placed}")
    print(
        f"take + guardrails + place + record {placed} lines: {dial_s * 1000:.0f} ms ({placed / dial_s:.0f}/s)"
    )
    print(f"{placed} concurrent human verdicts: {match_s * 1000:.0f} ms ({placed / match_s:.0f}/s), "
          f"{len(bridged)} bridged, {placed - len(bridged)} waiting, no volunteer twice")  # fmt: skip
    floor = await baseline(redis, placed)
    print(f"  vs {placed} concurrent bare EVALSHA calls ({floor * 1000:.0f} ms): {match_s / floor:.1f}x")
    print(f"pacing input read: {read_s * 1000:.1f} ms; decide: {decide_s * 1000:.1f} ms")
    stale = [key async for key in redis.scan_iter(match=f"{{c:{CID}}}*", count=1000)]
    for i in range(0, len(stale), 500):
        await redis.delete(*stale[i : i + 500])  # only this run's keys: never a FLUSHDB on someone's Redis
    await redis.aclose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--volunteers", type=int, default=200)
    parser.add_argument("--lines", type=int, default=1000)
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL"), help="default: an embedded Redis")
    args = parser.parse_args()
    if args.redis_url:
        asyncio.run(main(args.redis_url, args.volunteers, args.lines))
    else:
        from dialer.embedded import EmbeddedRedis

        with tempfile.TemporaryDirectory() as tmp, EmbeddedRedis(tmp) as server:
            asyncio.run(main(server.url, args.volunteers, args.lines))
