"""A Redis Cluster primary killed under load: its replica takes over, `dialer serve` carries on by itself,
and every acknowledged result is kept, once; no contact is left stuck.

It kills a primary, so it runs on a cluster of its own (tools/redis_cluster.sh on ports 7200-7205), and only
in the cluster run (REDIS_URL naming a cluster node, as CI's cluster step does): elsewhere the machine may
have no redis-server, and the single-Redis crash is tested by test_crash_durability.py.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from dialer.connections import is_cluster, sync_client
from dialer.queue import keys
from tests.e2e.calling import gotv_campaign, seed, seed_script, signup
from tests.servers import ServerProcess

SCRIPT = Path(__file__).resolve().parents[2] / "tools" / "redis_cluster.sh"
BASE_PORT = 7200
VOLUNTEERS = 4
BATCH = 25
KILL_AFTER = 30  # acknowledged results before the campaign's primary dies

pytestmark = pytest.mark.skipif(
    not is_cluster(os.environ.get("REDIS_URL") or "unix:///"),
    reason="the cluster run only (REDIS_URL names a cluster node): it kills one of a cluster's primaries",
)


@pytest.fixture
def own_cluster(tmp_path: Path) -> Iterator[str]:
    # The servers run on the real clock: under libfaketime (CI's second run) redis-server hangs at start.
    real_clock = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD" and not k.startswith("FAKETIME")}
    env = {**real_clock, "BASE_PORT": str(BASE_PORT), "CLUSTER_DIR": str(tmp_path / "cluster")}
    url = subprocess.run([str(SCRIPT), "start"], env=env, check=True, capture_output=True, text=True).stdout
    try:
        yield url.strip()
    finally:
        subprocess.run([str(SCRIPT), "stop"], env=env, check=False, capture_output=True)


def _primary_of(url: str, key: str) -> int:
    """The port of the primary that serves `key`'s slot, as a fresh client reads the slot map."""
    client = sync_client(url)
    try:
        return int(client.get_node_from_key(key).port)  # type: ignore[attr-defined]
    finally:
        client.close()


def test_a_primary_killed_under_load_loses_nothing_acknowledged(tmp_path: Path, own_cluster: str) -> None:
    url = own_cluster
    server = ServerProcess(tmp_path, url).start()
    try:
        asyncio.run(seed_script(url))
        gotv_campaign(server, "fo", batch_size=BATCH)
        asyncio.run(seed(url, "fo", VOLUNTEERS * BATCH))
        acknowledged: list[str] = []
        retried = [0]
        lock = threading.Lock()
        enough = threading.Event()

        def volunteer(n: int) -> None:
            headers = {"Authorization": f"Bearer {signup(server.base_url, f'v{n}@example.org')}"}
            batch = httpx.post(f"{server.base_url}/api/campaigns/fo/batches", headers=headers).json()
            for contact in batch["contacts"]:
                body = {
                    "contact_id": contact["id"],
                    "result": "refused",
                    "idempotency_key": f"{n}-{contact['id']}",
                }
                deadline = time.monotonic() + 60
                while True:  # a volunteer's page retries an unanswered save with the same key
                    try:
                        r = httpx.post(
                            f"{server.base_url}/api/batches/{batch['id']}/results", headers=headers, json=body
                        )
                        if r.status_code == 200:
                            break
                        assert r.status_code == 503, r.text
                    except httpx.HTTPError:
                        pass
                    assert time.monotonic() < deadline, "the dialer never came back after the failover"
                    with lock:
                        retried[0] += 1
                    time.sleep(0.2)
                with lock:
                    acknowledged.append(contact["id"])
                    if len(acknowledged) >= KILL_AFTER:
                        enough.set()
                time.sleep(0.02)

        threads = [threading.Thread(target=volunteer, args=(n,)) for n in range(VOLUNTEERS)]
        for t in threads:
            t.start()
        assert enough.wait(60)
        port = _primary_of(url, keys.results("fo"))
        pid = int((tmp_path / "cluster" / str(port) / "redis.pid").read_text())
        os.kill(pid, signal.SIGKILL)  # the campaign's primary dies mid-load
        for t in threads:
            t.join(120)
        assert len(acknowledged) == VOLUNTEERS * BATCH
        assert _primary_of(url, keys.results("fo")) != port  # its replica took over

        with server.client() as admin:
            rows = admin.get("/api/campaigns/fo/results.csv").text.splitlines()[1:]
            assert sorted(row.split(",")[0] for row in rows) == sorted(acknowledged)  # each once
            stats = admin.get("/api/campaigns/fo/stats").json()
        assert stats["calls"] == len(acknowledged)
        assert stats["results"]["refused"] == len(acknowledged)
        assert stats["leased"] == 0  # every contact handed out got its result: none is stuck
    finally:
        server.stop()
