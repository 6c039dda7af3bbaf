"""Finding 3: an anonymous sign-up flood. Password hashing is bounded (argon2 keeps its cost); past the
wait list the answer is 503 with Retry-After, memory stays bounded and /healthz stays fast."""

from __future__ import annotations

import asyncio
from pathlib import Path

import anyio
import httpx
import pytest

from dialer.passwords import HASH_MEMORY_MB, HashingBusy, HashPool, hash_password, slots_for, verify_password
from tests.security.attack import PASSWORD, assert_loop_free, healthz_during, peak_rss_mb, server

FLOOD = 150
pytestmark = pytest.mark.anyio


def test_slots_follow_cores_and_the_memory_budget() -> None:
    assert HASH_MEMORY_MB == 64  # argon2-cffi's default cost is kept
    assert slots_for(256, cores=2) == 2
    assert slots_for(256, cores=16) == 4
    assert slots_for(64, cores=8) == 1
    assert slots_for(10, cores=8) == 1  # below one hash's memory: still one at a time


async def test_the_pool_runs_at_most_its_slots_and_refuses_past_the_wait_list() -> None:
    pool = HashPool(slots=1, max_waiting=1)
    results: list[object] = []

    async def one() -> None:
        try:
            results.append(await pool.hash("a long password"))
        except HashingBusy as busy:
            results.append(busy)

    async with anyio.create_task_group() as tg:
        for _ in range(3):
            tg.start_soon(one)
            await anyio.sleep(0.01)  # the first runs, the second waits, the third finds the list full
    hashes = [r for r in results if isinstance(r, str)]
    refused = [r for r in results if isinstance(r, HashingBusy)]
    assert len(hashes) == 2 and len(refused) == 1 and refused[0].retry_after > 0
    assert all(verify_password(h, "a long password") for h in hashes)


async def test_a_slot_that_does_not_come_free_in_time_is_busy() -> None:
    pool = HashPool(slots=1, max_waiting=5, wait_seconds=0.05)
    stored = hash_password("a long password")
    outcomes: list[object] = []

    async def verify() -> None:
        try:
            outcomes.append(await pool.verify(stored, "a long password"))
        except HashingBusy as busy:
            outcomes.append(busy)

    async with anyio.create_task_group() as tg:
        for _ in range(4):
            tg.start_soon(verify)
    assert outcomes.count(True) >= 1
    assert any(isinstance(o, HashingBusy) for o in outcomes)


@pytest.mark.slow
def test_a_sign_up_flood_is_bounded_and_health_stays_fast(tmp_path: Path, clean_redis: str) -> None:
    with server(tmp_path, clean_redis, DIALER_HASH_MEMORY_MB="128") as running:
        assert running.proc is not None
        base = peak_rss_mb(running.proc.pid)

        async def flood() -> list[httpx.Response]:
            limits = httpx.Limits(max_connections=FLOOD + 5, max_keepalive_connections=0)
            async with httpx.AsyncClient(base_url=running.base_url, timeout=120, limits=limits) as client:
                return await asyncio.gather(
                    *(
                        client.post(
                            "/api/auth/signup",
                            json={"email": f"flood{i}@example.org", "name": "F", "password": PASSWORD},
                        )
                        for i in range(FLOOD)
                    )
                )

        samples, responses = healthz_during(running.base_url, lambda: asyncio.run(flood()))
        statuses = [r.status_code for r in responses]
        assert set(statuses) <= {201, 503}, statuses
        busy = [r for r in responses if r.status_code == 503]
        assert busy, "a flood this size must overflow the wait list"
        assert all(int(r.headers["retry-after"]) > 0 for r in busy)
        assert {r.json()["error"]["code"] for r in busy} == {"busy"}
        assert statuses.count(201) >= 2
        peak = peak_rss_mb(running.proc.pid)
    # Two hashes at once (128 MB / 64 MB) on top of the idle server: nowhere near 2.4 GB.
    assert peak - base < 400, (base, peak)
    assert_loop_free(samples)
