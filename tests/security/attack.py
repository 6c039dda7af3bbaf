"""Helpers for the attack cases: a running server, concurrent requests, /healthz timed while it works."""

from __future__ import annotations

import asyncio
import statistics
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

from tests.servers import ServerProcess

PASSWORD = "a long password"
HEALTHZ_BOUND = 0.2  # seconds: the bound; a frozen loop took 7 to 17 s
WORST_BOUND = 1.0  # no sample near a freeze, even on a loaded machine


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


def healthz_during(
    base_url: str, work: Callable[[], object], *, gap: float = 0.05
) -> tuple[list[float], Any]:
    """Times /healthz again and again for as long as `work` (a slow request, in a thread) runs.

    Returns the latencies of the GETs started while `work` was still running, and what `work` returned.
    A frozen event loop gives one sample as long as the freeze and nothing else; a free one gives many
    fast ones."""
    done = threading.Event()
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["result"] = work()
        except BaseException as exc:  # re-raised below, in the test's thread
            box["error"] = exc
        finally:
            done.set()

    thread = threading.Thread(target=run)
    thread.start()
    samples: list[float] = []
    with httpx.Client(base_url=base_url, timeout=120) as client:
        # time.sleep, not done.wait(gap): under CI's faked clock (libfaketime) a timed Event.wait never
        # wakes, so the loop would take no sample at all.
        while not done.is_set():
            time.sleep(gap)
            if done.is_set():
                break
            started = time.perf_counter()
            assert client.get("/healthz", headers={"Connection": "close"}).status_code == 200
            samples.append(time.perf_counter() - started)
    thread.join()
    if "error" in box:
        raise box["error"]
    return samples, box.get("result")


def assert_loop_free(samples: list[float], *, at_least: int = 3) -> None:
    """The loop answered while the work ran: enough samples, the typical one fast (the median: a busy
    two-core machine running other suites beside this one adds a few hiccups), and none near a freeze."""
    assert len(samples) >= at_least, f"only {len(samples)} /healthz answers while the request ran: {samples}"
    if samples:
        assert max(samples) < WORST_BOUND, samples
        assert statistics.median(samples) < HEALTHZ_BOUND, samples


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident memory (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM in /proc status")


def server(tmp_path: Path, redis_url: str, **env: str) -> ServerProcess:
    return ServerProcess(tmp_path, redis_url, env={"DIALER_ACCESS_LOG": "0", **env})
