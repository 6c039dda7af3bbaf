"""`dialer serve` as a real subprocess, driven over HTTP."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from dialer.embedded import pid_of
from tests.servers import ServerProcess, free_port
from tests.stores import key_count, open_store


def test_serve_on_configured_redis(tmp_path: Path, clean_redis: str) -> None:
    with (
        ServerProcess(tmp_path, clean_redis) as server,
        server.client() as admin,
        server.client(None) as anon,
    ):
        assert anon.get("/healthz").json() == {"status": "ok"}
        r = anon.post(
            "/api/auth/signup", json={"email": "e2e@example.org", "name": "E", "password": "a long password"}
        )
        assert r.status_code == 201
        token = r.json()["token"]
        assert anon.get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
        assert admin.post("/api/campaigns", json={"name": "x"}).status_code == 422
        anon.cookies.clear()  # sign-up set the session cookie; without it we are anonymous again
        assert (
            anon.post(
                "/api/campaigns", content=b"{", headers={"Content-Type": "application/json"}
            ).status_code
            == 401
        )


def test_serve_with_embedded_redis_starts_and_stops_it(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path, None).start()
    try:
        data_dir = tmp_path / "var"
        assert (data_dir / "redis.sock").exists()
        pid = pid_of(data_dir)
        assert pid is not None
        with server.client(None) as anon:
            r = anon.post(
                "/api/auth/signup",
                json={"email": "x@example.org", "name": "X", "password": "a long password"},
            )
            assert r.status_code == 201
    finally:
        # uvicorn shuts down gracefully on SIGTERM, then re-raises the signal (exit status -15).
        assert server.stop() in (0, -15)
    assert "Application shutdown complete" in server.log()
    # Stopped cleanly with the app: the Redis process is gone and its append-only file has our write.
    deadline = time.monotonic() + 10
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(pid)
    assert b"x@example.org" in (data_dir / "dialer.aof").read_bytes()
    # And a second start finds the account again.
    with ServerProcess(tmp_path, None) as again, again.client(None) as anon:
        r = anon.post("/api/auth/login", json={"email": "x@example.org", "password": "a long password"})
        assert r.status_code == 200


def test_port_env_is_honoured(tmp_path: Path, clean_redis: str) -> None:
    # As platforms start the Procfile's web process: no --port, only $PORT.
    port = free_port()
    env = {**os.environ, "REDIS_URL": clean_redis, "PORT": str(port), "DIALER_DATA_DIR": str(tmp_path)}
    proc = subprocess.Popen([sys.executable, "-m", "dialer", "serve"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                assert httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline and proc.poll() is None, (
                    "dialer serve did not listen on $PORT"
                )
                time.sleep(0.1)
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie child of a dead parent is reaped by init soon; treat it as gone.
    try:
        return Path(f"/proc/{pid}/status").read_text().find("State:\tZ") < 0
    except FileNotFoundError:
        return False


def test_redis_url_database_isolation(clean_redis: str) -> None:
    # The fixture gives each test an empty database.
    assert key_count(open_store(clean_redis)) == 0
