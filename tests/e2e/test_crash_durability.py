"""Every acknowledged result survives a crash: of Redis (SIGKILL, replayed from the append-only file) and of
the web process (SIGKILL mid-traffic)."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from pathlib import Path

import httpx

from dialer.embedded import EmbeddedRedis, pid_of
from tests.e2e.calling import gotv_campaign, seed, seed_script, signup
from tests.servers import ServerProcess


def _wait(client: httpx.Client, path: str, status: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if client.get(path).status_code == status:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{path} never answered {status}")


def test_acknowledged_results_survive_redis_and_web_crashes(tmp_path: Path) -> None:
    store = EmbeddedRedis(tmp_path / "store")
    url = store.start()
    server = ServerProcess(tmp_path, url).start()
    try:
        asyncio.run(seed_script(url))
        gotv_campaign(server, "dc", batch_size=20)
        asyncio.run(seed(url, "dc", 20))
        token = signup(server.base_url, "c@example.org", "C")
        vol = {"Authorization": f"Bearer {token}"}
        batch = httpx.post(f"{server.base_url}/api/campaigns/dc/batches", headers=vol).json()
        acknowledged = []
        for i, contact in enumerate(batch["contacts"][:10]):
            r = httpx.post(
                f"{server.base_url}/api/batches/{batch['id']}/results",
                headers=vol,
                json={"contact_id": contact["id"], "result": "refused", "idempotency_key": f"k{i}"},
            )
            assert r.status_code == 200
            acknowledged.append(contact["id"])

        # Redis dies without warning, right after the acknowledgements.
        pid = pid_of(tmp_path / "store")
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        assert store.process is not None
        store.process.wait(timeout=10)
        with server.client() as admin:
            _wait(admin, "/healthz", 503)
            restarted = EmbeddedRedis(tmp_path / "store")
            restarted.start()
            _wait(admin, "/healthz", 200)
            rows = admin.get("/api/campaigns/dc/results.csv").text.splitlines()[1:]
            assert sorted(row.split(",")[0] for row in rows) == sorted(acknowledged)

        # Now the web process dies mid-traffic; a new one sees everything that was acknowledged.
        for i, contact in enumerate(batch["contacts"][10:15]):
            r = httpx.post(
                f"{server.base_url}/api/batches/{batch['id']}/results",
                headers=vol,
                json={"contact_id": contact["id"], "result": "refused", "idempotency_key": f"m{i}"},
            )
            assert r.status_code == 200
            acknowledged.append(contact["id"])
        assert server.proc is not None
        server.proc.kill()
        server.proc.wait()
        server = ServerProcess(tmp_path, url).start()
        with server.client() as admin:
            stats = admin.get("/api/campaigns/dc/stats").json()
            assert stats["calls"] == len(acknowledged) == 15
            assert stats["results"]["refused"] == 15
            rows = admin.get("/api/campaigns/dc/results.csv").text.splitlines()[1:]
            assert sorted(row.split(",")[0] for row in rows) == sorted(acknowledged)
            # A repeat of an acknowledged request after the crashes is recognized, not recorded twice.
            r = httpx.post(
                f"{server.base_url}/api/batches/{batch['id']}/results",
                headers=vol,
                json={"contact_id": batch["contacts"][0]["id"], "result": "refused", "idempotency_key": "k0"},
            )
            assert r.json() == {"recorded": True, "duplicate": True}
        restarted.stop()
    finally:
        server.stop()
        store.stop()
