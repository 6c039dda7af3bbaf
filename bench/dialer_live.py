"""Live dialing on a real Redis: how fast answered voters are matched to free volunteers, and what one
pacing decision costs with a large pool.

    REDIS_URL=redis://127.0.0.1:6379/8 .venv/bin/python bench/dialer_live.py [--volunteers 200] [--lines 1000]

It FLUSHES the database it is given: point it at a scratch database.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dialer.campaigns import Campaign, CampaignStore  # noqa: E402
from dialer.contacts import Contact  # noqa: E402
from dialer.dialing.agents import set_ready  # noqa: E402
from dialer.dialing.bridge import apply_verdict  # noqa: E402
from dialer.dialing.pacer_loop import CampaignPacer  # noqa: E402
from dialer.models import Mode  # noqa: E402
from dialer.queue.lease import LeaseQueue  # noqa: E402
from dialer.settings import Settings  # noqa: E402
from dialer.store import async_client  # noqa: E402
from tests.integration.dialing_support import FakeCarrier, midday_zone  # noqa: E402

AREAS = ["202", "312", "415", "617", "512", "206", "303", "602", "808", "907"]


async def main(volunteers: int, lines: int) -> None:
    redis = async_client(os.environ["REDIS_URL"])
    await redis.flushdb()
    now = time.time()
    campaign = Campaign(id="bench", name="Bench", script_id="s", caller_id="+12025550199",
                        mode=Mode.PREDICTIVE, created_at=now)  # fmt: skip
    await CampaignStore(redis).create(campaign)
    zone = midday_zone(now)
    contacts = [Contact(phone=f"+1{AREAS[i // 100 % 10]}555{100 + i % 100:04d}", timezone=zone)
                for i in range(min(lines, 1000))]  # fmt: skip
    await LeaseQueue(redis).add_contacts("bench", contacts, now)
    for v in range(volunteers):
        await set_ready(redis, "bench", f"v{v}", True, now=now, lease_seconds=3600)
    carrier = FakeCarrier()
    pacer = CampaignPacer(redis, carrier, Settings(secret_key="bench"), "bench", scale=1.0)
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
    inp = await pacer.pacing_input(campaign, now + 9)
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
    print(f"pacing input read: {read_s * 1000:.1f} ms; decide: {decide_s * 1000:.1f} ms")
    await redis.flushdb()
    await redis.aclose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--volunteers", type=int, default=200)
    parser.add_argument("--lines", type=int, default=1000)
    args = parser.parse_args()
    asyncio.run(main(args.volunteers, args.lines))
