"""Lease claims and results per second on a Redis Cluster of 1 primary vs 3, several campaigns, one run.

    .venv/bin/python bench/cluster.py [--campaigns 6] [--claims 600] [--concurrency 24] [--processes 2]

Starts its own clusters with tools/redis_cluster.sh (ports 7300-7305, never 6379): one primary alone, then
three primaries without replicas (the sharding alone), then three with a replica each (what a deployment
runs: recording a result then also waits for a replica, `WAIT 1`). Each shape gets the same load: the
campaigns' contacts imported, `claims` batches of 20 claimed, then a result recorded for every contact
claimed, by `processes` client processes of `concurrency` tasks each (one Python client process is slower
than one Redis core, so several drive the cluster). Prints one JSON object with a ratio per path.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.lease import NOW, ZONE, fictional_phones  # noqa: E402
from dialer.connections import async_client, connected  # noqa: E402
from dialer.contacts import Contact  # noqa: E402
from dialer.models import ResultCode  # noqa: E402
from dialer.queue.lease import Batch, BatchContact, LeaseQueue  # noqa: E402
from dialer.queue.results import ResultInput, RetryPolicy, record_result  # noqa: E402

SCRIPT = Path(__file__).resolve().parent.parent / "tools" / "redis_cluster.sh"
BASE_PORT = 7300
BATCH = 20


async def _load(
    url: str, campaigns: list[str], claims: int, concurrency: int, part: int
) -> tuple[float, float]:
    """(claim seconds, result seconds) of this process's share of the load."""
    client = async_client(url)
    await connected(client)
    queue = LeaseQueue(client)
    jobs = [(campaigns[i % len(campaigns)], f"p{part}v{i}") for i in range(claims)]
    batches: list[Batch] = []

    async def claimer(todo: list[tuple[str, str]]) -> None:
        for campaign, volunteer in todo:
            got = await queue.claim(campaign, volunteer, batch_size=BATCH, lease_seconds=1800,
                                    open_zones=[ZONE], now=NOW, max_attempts=3)  # fmt: skip
            assert isinstance(got, Batch), got
            batches.append(got)

    started = time.perf_counter()
    await asyncio.gather(*(claimer(jobs[i::concurrency]) for i in range(concurrency)))
    claimed = time.perf_counter() - started
    work = [(b, c) for b in batches for c in b.contacts]

    async def recorder(todo: list[tuple[Batch, BatchContact]]) -> None:
        for b, c in todo:
            await record_result(client, b.campaign_id, b.id, b.volunteer,
                                ResultInput(c.id, ResultCode.NO_ANSWER, f"k{c.id}"),
                                policy=RetryPolicy(), now=NOW + 60)  # fmt: skip

    started = time.perf_counter()
    await asyncio.gather(*(recorder(work[i::concurrency]) for i in range(concurrency)))
    recorded = time.perf_counter() - started
    await client.aclose()
    return claimed, recorded


def _process(url: str, campaigns: list[str], claims: int, concurrency: int, part: int, out: object) -> None:
    out.put(asyncio.run(_load(url, campaigns, claims, concurrency, part)))  # type: ignore[attr-defined]


async def _seed(url: str, campaigns: list[str], per_campaign: int) -> None:
    client = async_client(url)
    phones = fictional_phones(per_campaign)
    for campaign in campaigns:
        contacts = [Contact(phone=p, timezone=ZONE) for p in phones]
        await LeaseQueue(client).add_contacts(campaign, contacts, NOW)
    await client.aclose()


def shape(primaries: int, replicas: bool, args: argparse.Namespace) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "BASE_PORT": str(BASE_PORT),
            "CLUSTER_DIR": tmp,
            "REPLICAS": "1" if replicas else "0",
        }
        try:
            url = subprocess.run([str(SCRIPT), "start", str(primaries)], env=env, check=True,
                                 capture_output=True, text=True).stdout.strip()  # fmt: skip
            campaigns = [f"bench{i}" for i in range(args.campaigns)]
            total = args.claims * args.processes
            asyncio.run(_seed(url, campaigns, -(-total // args.campaigns) * BATCH))
            out: multiprocessing.Queue[tuple[float, float]] = multiprocessing.Queue()
            procs = [
                multiprocessing.Process(
                    target=_process, args=(url, campaigns, args.claims, args.concurrency, p, out)
                )
                for p in range(args.processes)
            ]
            for p in procs:
                p.start()
            times = [out.get() for _ in procs]
            for p in procs:
                p.join()
            claim_s = max(t[0] for t in times)
            result_s = max(t[1] for t in times)
            return {"claims_per_s": round(total / claim_s), "results_per_s": round(total * BATCH / result_s)}
        finally:
            subprocess.run([str(SCRIPT), "stop"], env=env, check=False, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--campaigns", type=int, default=6)
    parser.add_argument("--claims", type=int, default=300, help="batches claimed per client process")
    parser.add_argument("--concurrency", type=int, default=24)
    parser.add_argument("--processes", type=int, default=2)
    args = parser.parse_args()
    one = shape(1, False, args)
    three = shape(3, False, args)
    replicated = shape(3, True, args)
    report = {
        "campaigns": args.campaigns,
        "claims": args.claims * args.processes,
        "batch_size": BATCH,
        "one_primary": one,
        "three_primaries": three,
        "three_primaries_with_replicas": replicated,
        "claims_ratio_3_vs_1": round(three["claims_per_s"] / one["claims_per_s"], 2),
        "results_ratio_3_vs_1": round(three["results_per_s"] / one["results_per_s"], 2),
        "results_ratio_replicated_vs_not": round(replicated["results_per_s"] / three["results_per_s"], 2),
        "cores": os.cpu_count(),
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
