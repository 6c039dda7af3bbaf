"""results.csv under load and faults: built off the event loop, and never silently short.

Before: a 100,000-row export ran on the event loop (~10k rows/s), slowing every request on the process to
0.3-0.8 s for 10 s; a Redis restart mid-download cut the file after its 200 with only a broken chunked
ending to show for it."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from dialer.embedded import EmbeddedRedis, pid_of
from dialer.queue import keys
from dialer.queue.export import INCOMPLETE_MARK
from tests.security.attack import assert_loop_free, healthz_during
from tests.servers import ServerProcess
from tests.stores import open_store

NOTE = "Talked about the bus route to the polling place; wants a ride on election day. " * 4


def seed_results(url: str, campaign: str, rows: int) -> None:
    client = open_store(url)
    client.set(keys.script_latest("s"), 1)
    pipe = client.pipeline(transaction=False)
    for i in range(rows):
        pipe.xadd(keys.results(campaign), {
            "contact_id": str(i + 1), "external_id": f"V{i}", "phone": f"+1202555{100 + i % 100:04d}",
            "first_name": "Voter", "last_name": str(i), "result": "contacted", "attempt": "1",
            "volunteer": "u1", "recorded_at": str(1_765_000_000 + i), "notes": NOTE,
            "answers": '{"support": "yes"}', "call_sid": f"CA{i:032d}", "script_version": "1",
        })  # fmt: skip
        if i % 5000 == 4999:
            pipe.execute()
    pipe.execute()


def make_campaign(server: ServerProcess, campaign: str) -> None:
    with server.client() as admin:
        r = admin.post("/api/campaigns", json={"id": campaign, "name": "Export", "script_id": "s",
                                               "caller_id": "+13125550199"})  # fmt: skip
        assert r.status_code == 201, r.text


@pytest.mark.slow
def test_a_100000_row_export_leaves_the_event_loop_free(tmp_path: Path, clean_redis: str) -> None:
    seed_results(clean_redis, "big", 100_000)
    with ServerProcess(tmp_path, clean_redis, env={"DIALER_ACCESS_LOG": "0"}) as server:
        make_campaign(server, "big")

        def download() -> tuple[int, int]:
            with server.client() as admin:
                r = admin.get("/api/campaigns/big/results.csv", timeout=120)
                return r.status_code, r.text.count("\r\n")

        samples, (status, lines) = healthz_during(server.base_url, download)
        assert status == 200 and lines == 100_001  # the header and every row
        assert_loop_free(samples)
        assert "Traceback" not in server.log()


@pytest.mark.slow
def test_a_redis_crash_mid_download_ends_the_file_with_a_line_that_says_so(tmp_path: Path) -> None:
    store = EmbeddedRedis(tmp_path / "store")
    url = store.start()
    try:
        seed_results(url, "cut", 60_000)  # ~40 MB: far more than the socket buffers hold
        with ServerProcess(tmp_path, url, env={"DIALER_ACCESS_LOG": "0"}) as server:
            make_campaign(server, "cut")
            with (
                server.client() as admin,
                admin.stream("GET", "/api/campaigns/cut/results.csv", timeout=60) as r,
            ):
                assert r.status_code == 200
                chunks = r.iter_bytes()
                received = [next(chunks)]
                while sum(map(len, received)) < 1_000_000:
                    received.append(next(chunks))
                pid = pid_of(tmp_path / "store")
                assert pid is not None
                os.kill(pid, signal.SIGKILL)  # the server is mid-way, waiting for us to read on
                received.extend(chunks)  # the rest, to the end the server gives it
            text = b"".join(received).decode()
            last = text.rstrip("\r\n").rsplit("\r\n", 1)[-1]
            assert last.startswith("# INCOMPLETE EXPORT"), last[:200]
            rows = text.count("\r\n") - 2  # the header and the mark
            assert 0 < rows < 60_000
            assert last == INCOMPLETE_MARK.format(rows=rows)
            assert "Traceback" not in server.log(), server.log()[-3000:]
    finally:
        store.stop()
