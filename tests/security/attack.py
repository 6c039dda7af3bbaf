"""Helpers for the attack cases: a running server, concurrent requests, /healthz timed while it works."""

from __future__ import annotations

import asyncio
import statistics
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from tests.servers import ServerProcess

PASSWORD = "a long password"
HEALTHZ_BOUND = 0.2  # seconds: the bound; a frozen loop took 7 to 17 s


def signup(base_url: str, email: str, name: str = "Vol", password: str = PASSWORD) -> dict[str, Any]:
    r = httpx.post(
        f"{base_url}/api/auth/signup",
        json={"email": email, "name": name, "password": password},
        timeout=30,
    )
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


async def concurrently(requests: list[Callable[[httpx.AsyncClient], Awaitable[httpx.Response]]]) -> list[int]:
    """Sends every request at once (one connection each) and returns the statuses in the same order."""
    limits = httpx.Limits(max_connections=len(requests) + 5, max_keepalive_connections=0)
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:
        responses = await asyncio.gather(*(send(client) for send in requests))
    return [r.status_code for r in responses]


def healthz_latencies(base_url: str, samples: int = 5, gap: float = 0.1) -> list[float]:
    """Times `samples` GETs of /healthz, each on a fresh connection."""
    out = []
    for _ in range(samples):
        started = time.perf_counter()
        r = httpx.get(f"{base_url}/healthz", timeout=60)
        out.append(time.perf_counter() - started)
        assert r.status_code == 200
        time.sleep(gap)
    return out


@contextmanager
def in_background(work: Callable[[], object]) -> Iterator[dict[str, Any]]:
    """Runs `work` in a thread; yields a dict that holds its `result` (or `error`) once joined."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["result"] = work()
        except BaseException as exc:  # reported by the caller
            box["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    try:
        yield box
    finally:
        thread.join()
    if "error" in box:
        raise box["error"]


def healthz_while(base_url: str, work: Callable[[], object], *, warmup: float = 0.3) -> tuple[float, Any]:
    """The median /healthz latency measured while `work` (a slow request) runs, and what `work` returned.

    The median of several samples keeps one unlucky scheduling hiccup on a busy machine from failing the
    test, while a blocked event loop (every sample waits for the whole request) still shows."""
    with in_background(work) as box:
        time.sleep(warmup)
        latencies = healthz_latencies(base_url)
    return statistics.median(latencies), box.get("result")


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident memory (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM in /proc status")


def server(tmp_path: Path, redis_url: str, **env: str) -> ServerProcess:
    return ServerProcess(tmp_path, redis_url, env={"DIALER_ACCESS_LOG": "0", **env})
