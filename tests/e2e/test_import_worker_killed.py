"""A background import whose worker is killed (kill -9) mid-way finishes after the worker comes back.

Before: the status said `running` forever, RQ marked the job abandoned, the rest of the rows were never
imported, the job process went on alone, and the upload sat in Redis for a day."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import phonenumbers

from dialer.queue import keys
from tests.processes import children_of, running
from tests.servers import ServerProcess
from tests.stores import open_store

UNIQUE = 20_000
ROWS = 100_000  # the unique numbers, then the same ones again: a big file that takes seconds to import


def fictional_numbers(count: int) -> list[str]:
    """Distinct 555-0100..0199 numbers of real US area codes."""
    areas = [
        npa
        for npa in range(201, 990)
        if phonenumbers.is_valid_number_for_region(phonenumbers.parse(f"+1{npa}5550150"), "US")
    ]
    assert len(areas) * 100 >= count
    return [f"({areas[i // 100]}) 555-{100 + i % 100:04d}" for i in range(count)]


@contextmanager
def worker(tmp_path: Path, redis_url: str, name: str) -> Iterator[subprocess.Popen[bytes]]:
    # Without libfaketime (CI's moved-clock run): a forked child of a threaded process can inherit its
    # lock held and hang on its first clock read, so RQ's job process never starts. What is tested here
    # is a killed worker, not the clock; the server keeps the moved clock.
    real_clock = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD" and not k.startswith("FAKETIME")}
    env = {**real_clock, "REDIS_URL": redis_url, "DIALER_DATA_DIR": str(tmp_path / "w")}
    with open(tmp_path / f"{name}.log", "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "dialer", "worker"], env=env,
                                stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def wait_for(admin: httpx.Client, url: str, ok: object, timeout: float) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while True:
        state: dict[str, object] = admin.get(url).json()
        if ok(state) or time.monotonic() > deadline:  # type: ignore[operator]
            return state
        time.sleep(0.02)


def test_an_import_whose_worker_is_killed_finishes_after_the_worker_restarts(
    tmp_path: Path, clean_redis: str
) -> None:
    store = open_store(clean_redis, decode_responses=True)
    store.set(keys.script_latest("s"), 1)
    numbers = fictional_numbers(UNIQUE)
    body = "phone,first_name\n" + "".join(f"{numbers[i % UNIQUE]},Voter {i}\n" for i in range(ROWS))
    with ServerProcess(tmp_path, clean_redis) as server, server.client() as admin:
        r = admin.post("/api/campaigns", json={"id": "big", "name": "Big", "script_id": "s",
                                               "caller_id": "+13125550199"})  # fmt: skip
        assert r.status_code == 201, r.text
        r = admin.post("/api/campaigns/big/contacts?background=true", content=body.encode(),
                       headers={"Content-Type": "text/csv"})  # fmt: skip
        assert r.status_code == 202, r.text
        job_id, url = r.json()["job_id"], r.json()["progress_url"]

        with worker(tmp_path, clean_redis, "first") as first:
            state = wait_for(admin, url, lambda s: int(s.get("rows", 0)) >= 5_000, 120)
            assert state["status"] == "running", state
            job_processes = children_of(first.pid)
            first.send_signal(signal.SIGKILL)  # the worker and, with it, the process running the job
            first.wait()
        deadline = time.monotonic() + 10
        while any(running(p) for p in job_processes) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(running(p) for p in job_processes), "the job process outlived its killed worker"
        interrupted = int(store.get(keys.contact_seq("big")) or 0)
        assert 0 < interrupted < UNIQUE, interrupted  # killed part-way through the unique numbers
        time.sleep(0.5)
        assert int(store.get(keys.contact_seq("big")) or 0) == interrupted  # nothing imports any more
        assert admin.get(url).json()["status"] == "running"  # what it said forever before

        # The alive key lapses 60 s after the last beat; a test need not wait that long to see what follows.
        store.delete(keys.import_alive("big", job_id))
        with worker(tmp_path, clean_redis, "second"):
            state = wait_for(admin, url, lambda s: s.get("status") in ("done", "failed"), 120)
        assert state["status"] == "done", (state, (tmp_path / "second.log").read_text()[-3000:])
        assert state["restarts"] == 1
        report = state["report"]
        assert isinstance(report, dict)
        # As if nothing had happened: every unique number imported once, the repeats duplicates.
        assert report["imported"] == UNIQUE and report["duplicates"] == ROWS - UNIQUE, report
        assert report["rows"] == ROWS
        assert admin.get("/api/campaigns/big/stats").json()["contacts"] == UNIQUE
        assert not store.exists(keys.import_upload("big", job_id))
        assert not store.zrange(keys.imports_active(), 0, -1)
