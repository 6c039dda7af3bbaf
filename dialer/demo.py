"""`dialer demo`: the whole system on one machine with nothing installed by hand.

It starts (or reuses) the embedded Redis, a web process and a worker as child processes sharing it, seeds a
sample campaign, script and call list through the public API, starts simulated volunteers who call through
the simulated carrier, and prints the URLs to open. Ctrl-C (or SIGTERM) stops everything in order.
"""

from __future__ import annotations

import logging
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType

import httpx

from dialer.settings import Settings
from dialer.store import resolve_url


def _wait_healthy(base_url: str, proc: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"dialer demo: the web process exited with {proc.returncode}")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"dialer demo: the web process did not become healthy within {timeout:.0f}s")


def run_demo(
    settings: Settings, *, volunteers: int, contacts: int, seconds: float | None, mode: str = "preview"
) -> int:
    logging.getLogger("httpx").setLevel(logging.WARNING)  # the seed's requests are not news
    url, embedded = resolve_url(settings)
    admin_token = settings.admin_token or secrets.token_urlsafe(24)
    base_url = settings.base_url
    env = {
        **os.environ,
        "REDIS_URL": url,
        "DIALER_ADMIN_TOKEN": admin_token,
        "DIALER_DATA_DIR": str(Path(settings.data_dir).resolve()),
        "PORT": str(settings.port),
        # Simulated calls run 4x faster than real time, so the counters move while a person watches.
        "DIALER_SIM_SPEED": os.environ.get("DIALER_SIM_SPEED", "4"),
        # The banner with the URLs must stay readable: no line per request.
        "DIALER_ACCESS_LOG": os.environ.get("DIALER_ACCESS_LOG", "0"),
    }
    children: list[subprocess.Popen[bytes]] = []
    stopping = False

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        web = subprocess.Popen(
            [sys.executable, "-m", "dialer", "serve", "--port", str(settings.port)], env=env
        )
        children.append(web)
        children.append(subprocess.Popen([sys.executable, "-m", "dialer", "worker"], env=env))
        _wait_healthy(base_url, web)
        from dialer.demo_seed import seed_and_start

        seeded = seed_and_start(
            base_url, admin_token, volunteers=volunteers, contacts=contacts, env=env, mode=mode
        )
        children.extend(seeded.processes)
        print("", flush=True)
        print("dialer demo is running", flush=True)
        print(f"  health:               {base_url}/healthz", flush=True)
        for label, link in seeded.links:
            print(f"  {label + ':':<21} {link}", flush=True)
        print(f"  admin token:          {admin_token}", flush=True)
        print("Press Ctrl-C to stop.", flush=True)
        started = time.monotonic()
        while not stopping:
            if seconds is not None and time.monotonic() - started >= seconds:
                break
            if any(child.poll() is not None for child in children[:2]):
                print("dialer demo: a child process exited; stopping", file=sys.stderr)
                return 1
            time.sleep(0.2)
        return 0
    finally:
        for child in reversed(children):
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in reversed(children):
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
        if embedded is not None:
            embedded.stop()
