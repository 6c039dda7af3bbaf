"""Redis goes away under a running server and comes back: clean failures meanwhile, everything kept after.

This is also the test of the embedded server's crash recovery: Redis is killed with SIGKILL, which leaves its
socket file behind, and the next start must notice the dead server and replay the append-only file.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import httpx

from dialer.embedded import EmbeddedRedis, pid_of
from tests.servers import ServerProcess

PASSWORD = "a long password"


def _wait_status(client: httpx.Client, path: str, status: int, timeout: float = 15.0) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while True:
        r = client.get(path)
        if r.status_code == status or time.monotonic() > deadline:
            return r
        time.sleep(0.1)


def test_server_survives_a_redis_crash_and_keeps_acknowledged_writes(tmp_path: Path) -> None:
    store = EmbeddedRedis(tmp_path / "store")
    url = store.start()
    server = ServerProcess(tmp_path, url).start()
    try:
        with server.client(None) as anon, server.client() as admin:
            for i in range(20):
                r = anon.post(
                    "/api/auth/signup", json={"email": f"v{i}@example.org", "name": "V", "password": PASSWORD}
                )
                assert r.status_code == 201

            pid = pid_of(tmp_path / "store")
            assert pid is not None
            os.kill(pid, signal.SIGKILL)  # a crash: no shutdown, the socket file stays behind
            store.process and store.process.wait(timeout=10)
            assert (tmp_path / "store" / "redis.sock").exists()

            r = _wait_status(anon, "/healthz", 503)
            assert r.status_code == 503
            r = admin.get("/api/campaigns")
            assert r.status_code == 503
            assert r.json()["error"]["code"] == "store_unavailable"
            r = anon.post("/api/auth/login", json={"email": "v1@example.org", "password": PASSWORD})
            assert r.status_code == 503

            restarted = EmbeddedRedis(tmp_path / "store")
            assert restarted.start() == url  # the stale socket was detected and replaced
            assert restarted.owner
            try:
                assert _wait_status(anon, "/healthz", 200).status_code == 200
                for i in range(20):
                    r = anon.post(
                        "/api/auth/login", json={"email": f"v{i}@example.org", "password": PASSWORD}
                    )
                    assert r.status_code == 200, (i, r.text)
                assert admin.get("/api/campaigns").status_code == 200
            finally:
                server.stop()
                restarted.stop()
        log = server.log()
        assert "store unavailable" in log  # the outage was answered 503 and said so
        assert "Traceback" not in log, log[-3000:]  # ...and nothing crashed on the way
    finally:
        server.stop()
        store.stop()


def test_embedded_attaches_to_a_live_server_instead_of_starting_another(tmp_path: Path) -> None:
    first = EmbeddedRedis(tmp_path)
    url = first.start()
    try:
        second = EmbeddedRedis(tmp_path)
        assert second.start() == url
        assert not second.owner
        second.stop()  # not the owner: leaves the server running
        assert EmbeddedRedis(tmp_path)._alive()
    finally:
        first.stop()
    assert not EmbeddedRedis(tmp_path)._alive()
