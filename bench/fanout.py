"""Live counters fan-out: server CPU per delivered frame and record -> every socket, vs websockets.broadcast.

Run: .venv/bin/python bench/fanout.py [--sockets 500] [--results 20] [--spacing 0.35] [--redis-url URL]
Two servers run as child processes: `dialer serve`, with N organizer sockets on one campaign's live
counters, and the baseline, a bare `websockets` server (bench/fanout_broadcast.py) with N sockets to which
`websockets.broadcast` hands each frame. This process holds all the client sockets. Rounds alternate: ours
records one result through the real queue and waits for its `stats` at every socket; the baseline
broadcasts the same frame (same size) and waits likewise. Each round lasts at least `spacing` seconds (the
same idle stretch for both, longer than the coalescing interval), and its server CPU (the process' own
counters) is divided by the frames delivered. Prints the medians of the rounds and their ratio, latency
p50/p99 over every socket and round, and each server's resident memory per idle socket.
Without --redis-url (or REDIS_URL) an embedded Redis is started.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
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


async def listen(ws: ClientConnection, arrivals: dict[int, float], texts: list[str]) -> None:
    """Notes when each `calls` value first reaches this socket (and keeps the latest text)."""
    async for raw in ws:
        now = time.perf_counter()
        message = json.loads(raw)
        if message.get("type") == "stats":
            arrivals.setdefault(int(message["calls"]), now)
            texts[0] = str(raw)


class Fleet:
    """N client sockets on one server, and what each of them received."""

    def __init__(self, pid: int, sockets: list[ClientConnection], rss_before: float) -> None:
        self.pid = pid
        self.sockets = sockets
        self.arrivals: list[dict[int, float]] = [{} for _ in sockets]
        self.latest = [""]
        self.rss_per_socket = (_rss_kib(pid) - rss_before) / max(len(sockets), 1)
        self.tasks = [
            asyncio.create_task(listen(ws, box, self.latest))
            for ws, box in zip(sockets, self.arrivals, strict=True)
        ]
        self.cpu_per_frame: list[float] = []  # seconds of server CPU per delivered frame, one per round
        self.latencies: list[float] = []  # trigger -> one socket, every socket and round
        self.missing = 0

    @classmethod
    async def open(cls, pid: int, url: str, n: int, compression: str | None) -> Fleet:
        rss_before = _rss_kib(pid)
        sockets = [await connect(url, max_queue=64, compression=compression) for _ in range(n)]
        texts = [str(await ws.recv()) for ws in sockets]
        assert all(json.loads(text)["type"] == "stats" for text in texts)
        fleet = cls(pid, sockets, rss_before)
        fleet.latest[0] = texts[-1]
        return fleet

    async def round(self, n: int, trigger: Callable[[], Awaitable[None]], window: float) -> None:
        """Triggers frame `n` and waits for it at every socket (5 s at most), then until `window` seconds
        after the trigger, so that both servers are charged for the same stretch of idle time."""
        cpu, start = _cpu_seconds(self.pid), time.perf_counter()
        await trigger()
        deadline = start + 5
        while not all(n in box for box in self.arrivals) and time.perf_counter() < deadline:
            await asyncio.sleep(0.005)
        await asyncio.sleep(max(0.0, start + window - time.perf_counter()))
        got = [box[n] - start for box in self.arrivals if n in box]
        self.missing += len(self.sockets) - len(got)
        self.latencies.extend(got)
        self.cpu_per_frame.append((_cpu_seconds(self.pid) - cpu) / max(len(got), 1))

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*(ws.close() for ws in self.sockets), return_exceptions=True)


async def run(args: argparse.Namespace, redis_url: str) -> None:
    redis = aioredis.Redis.from_url(redis_url, decode_responses=True, max_connections=50)
    campaign_id = "bench-" + secrets.token_hex(5)
    now = time.time()
    batch = await setup_campaign(redis, campaign_id, args.results, now)
    port, base_port, token = _free_port(), _free_port(), secrets.token_hex(16)
    compression = None if args.no_deflate else "deflate"
    with tempfile.TemporaryDirectory() as data_dir:
        env = {
            **os.environ,
            "REDIS_URL": redis_url,
            "DIALER_DATA_DIR": data_dir,
            "DIALER_ADMIN_TOKEN": token,
            "DIALER_SECRET_KEY": "bench",
            "DIALER_ACCESS_LOG": "0",
        }
        quiet = subprocess.DEVNULL
        command = [sys.executable, "-m", "dialer", "serve", "--port", str(port)]
        server = subprocess.Popen(command, env=env, cwd=ROOT, stdout=quiet, stderr=quiet)
        base_command = [sys.executable, str(ROOT / "bench" / "fanout_broadcast.py"), str(base_port)]
        base_server = subprocess.Popen(base_command, cwd=ROOT, stdout=quiet, stderr=quiet)
        try:
            await _wait_healthy(port)
            url = f"ws://127.0.0.1:{port}/ws/campaigns/{campaign_id}/live?token={token}"
            ours = await Fleet.open(server.pid, url, args.sockets, compression)
            base_url = f"ws://127.0.0.1:{base_port}"
            control = await _connect_retrying(base_url + "/control")
            first = json.loads(ours.latest[0])
            await control.send(json.dumps({**first, "calls": 0}, separators=(",", ":")))
            base = await Fleet.open(base_server.pid, base_url + "/", args.sockets, compression)
            await asyncio.sleep(0.5)  # let the server's subscriber settle

            async def record(i: int) -> None:
                contact = batch.contacts[i - 1]
                result = ResultInput(contact.id, ResultCode.CONTACTED, idempotency_key=f"b-{i}")
                policy = RetryPolicy()
                await record_result(redis, campaign_id, batch.id, "bench", result, policy=policy, now=now)

            async def broadcast(i: int) -> None:
                # The frame our sockets got last, with this round's number: the same size on the wire.
                message = {**json.loads(ours.latest[0]), "calls": i}
                await control.send(json.dumps(message, separators=(",", ":")))

            for i in range(1, args.results + 1):
                legs = [(ours, record), (base, broadcast)]
                for fleet, trigger in legs if i % 2 else legs[::-1]:  # alternate which goes first
                    await fleet.round(i, functools.partial(trigger, i), args.spacing)
            await control.close()
            await ours.close()
            await base.close()
        finally:
            for process in (server, base_server):
                process.terminate()
                process.wait(20)
    await cleanup(redis, campaign_id)
    await redis.aclose()
    _report(args, ours, base)


def _report(args: argparse.Namespace, ours: Fleet, base: Fleet) -> None:
    ms, us = 1000.0, 1e6
    print(f"sockets={args.sockets} rounds={args.results} window={args.spacing}s alternating")
    for name, fleet in (("ours (record -> stats)", ours), ("websockets.broadcast", base)):
        cpu = statistics.median(fleet.cpu_per_frame)
        p50, p99 = percentile(fleet.latencies, 50), percentile(fleet.latencies, 99)
        print(
            f"  {name:24} server CPU/frame {cpu * us:6.1f} us = {1 / cpu:8,.0f} frames/CPU-s"
            f"  p50 {p50 * ms:6.1f} ms  p99 {p99 * ms:6.1f} ms  max {max(fleet.latencies) * ms:6.1f} ms"
            f"  missing {fleet.missing}  memory/idle socket {fleet.rss_per_socket:5.1f} KiB"
        )
    ratio = statistics.median(base.cpu_per_frame) / statistics.median(ours.cpu_per_frame)
    print(f"  ratio: ours / broadcast frames per CPU-second {ratio:.2f} (target >= 0.5)")


def _cpu_seconds(pid: int) -> float:
    """CPU time of a process in seconds: its threads' nanosecond counters (Linux schedstat), else the
    user + system clock ticks (1/100 s: too coarse for one round)."""
    try:
        return (
            sum(
                int((task / "schedstat").read_text().split()[0])
                for task in Path(f"/proc/{pid}/task").iterdir()
            )
            / 1e9
        )
    except (OSError, ValueError, IndexError):
        pass
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


async def _connect_retrying(url: str, timeout: float = 30.0) -> ClientConnection:
    deadline = time.monotonic() + timeout
    while True:
        try:
            return await connect(url, compression=None)
        except OSError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.1)


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
