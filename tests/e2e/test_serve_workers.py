"""`dialer serve --workers N`, behind a proxy (FORWARDED_ALLOW_IPS), and the embedded Redis's lifetime."""

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

from dialer.embedded import pid_of
from dialer.queue import keys
from tests.processes import children_of, running, wait_gone
from tests.servers import ADMIN_TOKEN, ServerProcess, free_port
from tests.stores import open_store

PASSWORD = "a long password"


@contextmanager
def serve(workdir: Path, *args: str, **env: str) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """`dialer serve` with these arguments and environment, healthy; stopped with SIGTERM afterwards."""
    port = free_port()
    base = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DIALER_SECRET_KEY")}
    full_env = {**base, "DIALER_DATA_DIR": str(workdir / "var"), "DIALER_ADMIN_TOKEN": ADMIN_TOKEN,
                "DIALER_ACCESS_LOG": "0", **env}  # fmt: skip
    log = open(workdir / f"serve-{port}.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen([sys.executable, "-m", "dialer", "serve", "--port", str(port), *args],
                            env=full_env, cwd=workdir, stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, (workdir / f"serve-{port}.log").read_text()[-3000:]
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "dialer serve did not become healthy"
            time.sleep(0.1)
        yield proc, url
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        log.close()


def test_three_processes_share_the_port_the_session_key_and_the_embedded_redis(tmp_path: Path) -> None:
    with serve(tmp_path, "--workers", "3") as (proc, url):
        servers = [p for p in children_of(proc.pid) if "spawn_main" in Path(f"/proc/{p}/cmdline").read_text()]
        assert len(servers) == 3, servers
        redis_pid = pid_of(tmp_path / "var")
        assert redis_pid is not None and running(redis_pid)
        # A session made by one process is good on every other: each fresh connection may land on any.
        signup = httpx.post(f"{url}/api/auth/signup",
                            json={"email": "w@example.org", "name": "W", "password": PASSWORD})  # fmt: skip
        assert signup.status_code == 201, signup.text
        token = signup.json()["token"]
        for _ in range(30):
            bearer = {"Authorization": f"Bearer {token}", "Connection": "close"}
            me = httpx.get(f"{url}/api/me", headers=bearer)
            assert me.status_code == 200 and "w@example.org" in me.text, me.text
            cookie_only = httpx.get(f"{url}/api/me", cookies=signup.cookies, headers={"Connection": "close"})
            assert cookie_only.status_code == 200 and "w@example.org" in cookie_only.text, cookie_only.text
    assert proc.returncode in (0, -15)
    # The parent started the embedded Redis for its processes, and stopped it after them.
    assert wait_gone(redis_pid), "the embedded Redis outlived `dialer serve --workers 3`"
    assert not any(running(p) for p in servers)


def test_an_embedded_redis_adopted_after_a_crash_is_stopped_by_the_next_clean_stop(tmp_path: Path) -> None:
    first = ServerProcess(tmp_path, None).start()
    assert first.proc is not None
    redis_pid = pid_of(tmp_path / "var")
    assert redis_pid is not None
    first.proc.kill()  # kill -9: no shutdown, its Redis keeps running on its own
    first.proc.wait()
    assert running(redis_pid)
    with ServerProcess(tmp_path, None) as second, second.client(None) as anon:
        assert anon.get("/healthz").status_code == 200
        assert pid_of(tmp_path / "var") == redis_pid  # adopted, not replaced
    assert wait_gone(redis_pid), "a clean stop left the adopted embedded Redis running"


def _failed_login(url: str, forwarded_for: str) -> None:
    wrong = {"email": "nobody@example.org", "password": "wrong password"}
    r = httpx.post(f"{url}/api/auth/login", json=wrong, headers={"X-Forwarded-For": forwarded_for})
    assert r.status_code == 401, r.text


def test_forwarded_addresses_count_only_from_trusted_proxies(tmp_path: Path, clean_redis: str) -> None:
    store = open_store(clean_redis, decode_responses=True)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with serve(tmp_path / "a", REDIS_URL=clean_redis) as (_, url):
        _failed_login(url, "203.0.113.5")
    # Without FORWARDED_ALLOW_IPS the header is the client's word: the failure counts against the peer.
    assert store.exists(keys.ratelimit("login-addr", "127.0.0.1"))
    assert not store.exists(keys.ratelimit("login-addr", "203.0.113.5"))
    store.flushdb()
    with serve(tmp_path / "b", REDIS_URL=clean_redis, FORWARDED_ALLOW_IPS="127.0.0.1") as (_, url):
        _failed_login(url, "203.0.113.5")
    # Behind a named proxy, the per-address limit sees the client the proxy saw.
    assert store.exists(keys.ratelimit("login-addr", "203.0.113.5"))
    assert not store.exists(keys.ratelimit("login-addr", "127.0.0.1"))


def test_a_malformed_forwarded_allow_ips_stops_start_up_with_its_name(tmp_path: Path) -> None:
    env = {**os.environ, "DIALER_DATA_DIR": str(tmp_path), "FORWARDED_ALLOW_IPS": "10.0.0.0/8, proxy.local"}
    done = subprocess.run([sys.executable, "-m", "dialer", "serve", "--port", str(free_port())],
                          env=env, capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode != 0
    assert "FORWARDED_ALLOW_IPS" in done.stderr and "proxy.local" in done.stderr
