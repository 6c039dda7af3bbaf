"""Live counters fan-out: from recording a result to the `stats` message at N organizer sockets.

Run: .venv/bin/python bench/fanout.py [--sockets 500] [--results 20] [--spacing 0.35] [--redis-url URL]
A web server (`dialer serve`) runs in a child process; this process holds
the N WebSocket clients, records results through the real queue (one every `spacing` seconds, longer than
the coalescing interval, so each result is flushed on its own) and times record -> delivery at every socket.
The baseline is a bare PUBLISH -> SUBSCRIBE round trip on the same Redis, measured in the same run. Prints
p50/p99 of both and their ratio. Without --redis-url (or REDIS_URL) an embedded Redis is started.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import redis.asyncio as aioredis  # noqa: E402
from websockets.asyncio.client import ClientConnection, connect  # noqa: E402

from dialer.campaigns import Campaign  # noqa: E402
from dialer.contacts import Contact  # noqa: E402
from dialer.models import ResultCode  # noqa: E402
from dialer.queue import keys  # noqa: E402
from dialer.queue.lease import Batch, LeaseQueue  # noqa: E402
from dialer.queue.results import ResultInput, RetryPolicy, record_result  # noqa: E402
from dialer.stores.campaigns import CampaignStore  # noqa: E402

NY = "America/New_York"
AREA_CODES = ("202", "312", "415", "617", "213", "305", "404", "512", "206", "303")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


class Baseline:
    """Bare PUBLISH -> SUBSCRIBE round trips on the same Redis (a channel nobody else uses), taken between
    the recorded results so that both see the same load on this machine."""

    def __init__(self, redis: aioredis.Redis) -> None:
        self.redis = redis
        self.channel = f"bench:{secrets.token_hex(6)}"
        self.pubsub = redis.pubsub()
        self.samples: list[float] = []

    async def start(self) -> None:
        await self.pubsub.subscribe(self.channel)
        await self.pubsub.get_message(timeout=1)  # the subscription confirmation

    async def measure(self, rounds: int) -> None:
        for i in range(rounds):
            start = time.perf_counter()
            await self.redis.publish(self.channel, str(i))
            while (
                message := await self.pubsub.get_message(ignore_subscribe_messages=True, timeout=5)
            ) is None:
                pass
            self.samples.append(time.perf_counter() - start)
            assert message["data"] == str(i)

    async def close(self) -> None:
        await self.pubsub.aclose()


async def setup_campaign(redis: aioredis.Redis, campaign_id: str, contacts: int, now: float) -> Batch:
    campaign = Campaign(id=campaign_id, name="Fan-out bench", script_id="bench", caller_id="+12025550142")
    await CampaignStore(redis).create(campaign)
    queue = LeaseQueue(redis)
    people = [
        Contact(phone=f"+1{AREA_CODES[i // 100]}555{100 + i % 100:04d}", timezone=NY) for i in range(contacts)
    ]
    await queue.add_contacts(campaign_id, people, now)
    batch = await queue.claim(
        campaign_id,
        "bench",
        batch_size=contacts,
        lease_seconds=3600,
        open_zones=[NY],
        now=now,
        max_attempts=3,
    )
    assert isinstance(batch, Batch)
    return batch


async def cleanup(redis: aioredis.Redis, campaign_id: str) -> None:
    async for key in redis.scan_iter(match=keys.tag(campaign_id) + ":*", count=1000):
        await redis.delete(key)
    await redis.zrem(keys.CAMPAIGNS, campaign_id)


async def listen(ws: ClientConnection, arrivals: dict[int, float]) -> None:
    """Notes when each `calls` value first reaches this socket."""
    async for raw in ws:
        now = time.perf_counter()
        message = json.loads(raw)
        if message.get("type") == "stats":
            arrivals.setdefault(int(message["calls"]), now)


async def run(args: argparse.Namespace, redis_url: str) -> None:
    redis = aioredis.Redis.from_url(redis_url, decode_responses=True, max_connections=50)
    campaign_id = "bench-" + secrets.token_hex(5)
    now = time.time()
    batch = await setup_campaign(redis, campaign_id, args.results, now)
    port, token = _free_port(), secrets.token_hex(16)
    with tempfile.TemporaryDirectory() as data_dir:
        env = {
            **os.environ,
            "REDIS_URL": redis_url,
            "DIALER_DATA_DIR": data_dir,
            "DIALER_ADMIN_TOKEN": token,
            "DIALER_SECRET_KEY": "bench",
        }
        command = [sys.executable, "-m", "dialer", "serve", "--port", str(port)]
        quiet = subprocess.DEVNULL
        server = subprocess.Popen(command, env=env, cwd=ROOT, stdout=quiet, stderr=quiet)
        try:
            await _wait_healthy(port)
            url = f"ws://127.0.0.1:{port}/ws/campaigns/{campaign_id}/live?token={token}"
            compression = None if args.no_deflate else "deflate"
            rss_before = _rss_kib(server.pid)
            sockets = [await connect(url, max_queue=64, compression=compression) for _ in range(args.sockets)]
            for ws in sockets:
                assert json.loads(await ws.recv())["type"] == "stats"
            rss_per_socket = (_rss_kib(server.pid) - rss_before) / max(args.sockets, 1)
            arrivals: list[dict[int, float]] = [{} for _ in sockets]
            tasks = [asyncio.create_task(listen(ws, box)) for ws, box in zip(sockets, arrivals, strict=True)]
            await asyncio.sleep(0.5)  # let the server's subscriber settle
            recorded_at: dict[int, float] = {}
            base = Baseline(redis)
            await base.start()
            cpu_server, cpu_client = _cpu_seconds(server.pid), time.process_time()
            for i, contact in enumerate(batch.contacts[: args.results], start=1):
                recorded_at[i] = time.perf_counter()
                await record_result(
                    redis,
                    campaign_id,
                    batch.id,
                    "bench",
                    ResultInput(contact.id, ResultCode.CONTACTED, idempotency_key=f"b-{i}"),
                    policy=RetryPolicy(),
                    now=now,
                )
                await asyncio.sleep(args.spacing / 2)
                await base.measure(5)  # the sockets are quiet by now (see the p99 above if not)
                await asyncio.sleep(args.spacing / 2)
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and not all(args.results in box for box in arrivals):
                await asyncio.sleep(0.05)
            cpu_server = _cpu_seconds(server.pid) - cpu_server
            cpu_client = time.process_time() - cpu_client
            samples = [box[i] - at for box in arrivals for i, at in recorded_at.items() if i in box]
            firsts = [min(box[i] for box in arrivals if i in box) - at for i, at in recorded_at.items()]
            missing = len(arrivals) * len(recorded_at) - len(samples)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
        finally:
            server.terminate()
            server.wait(20)
    await base.close()
    await cleanup(redis, campaign_id)
    await redis.aclose()
    _report(args, samples, firsts, missing, base.samples)
    delivered = max(len(samples), 1)
    print(
        f"  CPU per delivered message: server {cpu_server / delivered * 1e6:.0f} us, "
        f"bench clients {cpu_client / delivered * 1e6:.0f} us (both processes share {os.cpu_count()} cores)"
    )
    print(f"  server memory per open socket: {rss_per_socket:.1f} KiB (resident, each past its first stats)")


def _report(
    args: argparse.Namespace, samples: list[float], firsts: list[float], missing: int, base: list[float]
) -> None:
    ms = 1000.0
    live50, live99 = percentile(samples, 50), percentile(samples, 99)
    base50, base99 = percentile(base, 50), percentile(base, 99)
    print(f"sockets={args.sockets} results={args.results} spacing={args.spacing}s samples={len(samples)}")
    print(f"  not delivered (a later stats came first, coalesced): {missing}")
    worst = max(samples) * ms
    print(f"  record -> socket  p50 {live50 * ms:7.2f} ms  p99 {live99 * ms:7.2f} ms  max {worst:.2f} ms")
    first50 = percentile(firsts, 50) * ms
    print(f"  record -> first socket  p50 {first50:7.2f} ms (the pipeline; the rest is fan-out)")
    mean = statistics.mean(base) * ms
    print(f"  PUBLISH -> SUB    p50 {base50 * ms:7.2f} ms  p99 {base99 * ms:7.2f} ms  (mean {mean:.3f} ms)")
    print(f"  ratio             p50 {live50 / base50:7.1f} x   p99 {live99 / base99:7.1f} x")


def _cpu_seconds(pid: int | None) -> float:
    """User + system CPU time of a process (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rss_kib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return float(line.split()[1])
    return 0.0


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def _wait_healthy(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get(f"http://127.0.0.1:{port}/healthz", timeout=1)).status_code == 200:
                    return
            await asyncio.sleep(0.1)
    raise RuntimeError("the bench server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sockets", type=int, default=500)
    parser.add_argument("--results", type=int, default=20)
    parser.add_argument("--spacing", type=float, default=0.35)
    parser.add_argument("--no-deflate", action="store_true", help="clients refuse permessage-deflate")
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL"))
    args = parser.parse_args()
    if args.results > len(AREA_CODES) * 100:
        parser.error(f"--results at most {len(AREA_CODES) * 100}")
    if args.redis_url:
        asyncio.run(run(args, args.redis_url))
        return
    from dialer.embedded import EmbeddedRedis

    with tempfile.TemporaryDirectory() as tmp:
        store = EmbeddedRedis(Path(tmp))
        url = store.start()
        try:
            asyncio.run(run(args, url))
        finally:
            store.stop()


if __name__ == "__main__":
    main()
