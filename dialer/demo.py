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
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType

import httpx

from dialer.connections import resolve_url
from dialer.demo_keeper import DemoKeeper
from dialer.demo_seed import BATCH_SIZE, CAMPAIGN_ID
from dialer.settings import Settings


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


def check_port_free(port: int, host: str = "127.0.0.1") -> None:
    """Refuses a port something already listens on. The web child would die on it, but only after the
    health check had been answered by whatever holds the port (another `dialer serve`), and the demo then
    seeded that server with its own admin token: "POST /api/scripts answered 401"."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise SystemExit(
                f"dialer demo: port {port} is in use ({exc.strerror}); stop what listens there "
                "or pick another with --port"
            ) from None


KEEPER_SECONDS = 10.0  # how often the demo checks that its volunteers have voters to call
SETTLE_SECONDS = 15.0  # at most this long for the volunteers to come online before the banner


def _settle(admin: httpx.Client, volunteers: int, started: float, stopping: Callable[[], bool]) -> None:
    """Waits until the simulated volunteers are calling, so the banner comes after the start-up logs."""
    while volunteers and not stopping() and time.monotonic() - started < SETTLE_SECONDS:
        try:
            stats = admin.get(f"/api/campaigns/{CAMPAIGN_ID}/stats").json()
            dialer = stats.get("dialer") or {}
            online = int(stats.get("active_volunteers", 0)) + sum((dialer.get("volunteers") or {}).values())
            if online >= volunteers or stats.get("calls", 0) > 0:
                return
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(0.5)


def _state_of(admin: httpx.Client) -> str:
    """One line on whether the demo is calling now, and if not, why (a restart on an old ./var, say)."""
    try:
        stats = admin.get(f"/api/campaigns/{CAMPAIGN_ID}/stats").json()
    except (httpx.HTTPError, ValueError) as exc:
        return f"could not read the campaign ({exc})"
    to_call = stats.get("to_call") or {}
    calls = stats.get("calls", 0)
    if stats.get("status") != "active":
        return f"the campaign is {stats.get('status')}: resume it on the dashboard to call"
    so_far = f"{calls} {'call' if calls == 1 else 'calls'} so far"
    ready = int(to_call.get("ready", 0)) + int(to_call.get("in_lists", 0))
    if ready:
        return f"calling: {so_far}, {ready} voters ready"
    return f"{so_far}; nobody is callable right now, so the demo adds voters in a few seconds"


def _banner(base_url: str, links: list[tuple[str, str]], token: str, seed: str, state: str) -> None:
    lines = ["", "dialer demo is running", f"  {'now:':<21} {state}"]
    lines += [f"  {label + ':':<21} {link}" for label, link in links]
    lines += [
        f"  {'health:':<21} {base_url}/healthz",
        f"  {'admin token:':<21} {token}",
        f"  {'simulated calls:':<21} seed {seed} (DIALER_SIM_SEED={seed} repeats them)",
        "Press Ctrl-C to stop.",
    ]
    print("\n".join(lines), flush=True)


def run_demo(
    settings: Settings, *, volunteers: int, contacts: int, seconds: float | None, mode: str = "preview"
) -> int:
    logging.getLogger("httpx").setLevel(logging.WARNING)  # the seed's requests are not news
    check_port_free(settings.port)
    url, embedded = resolve_url(settings)
    admin_token = settings.admin_token or secrets.token_urlsafe(24)
    base_url = settings.base_url
    # One seed for the web process and the worker, so "the demo's calls" is one repeatable run.
    sim_seed = os.environ.get("DIALER_SIM_SEED") or str(secrets.randbelow(2**31))
    env = {
        **os.environ,
        "DIALER_SIM_SEED": sim_seed,
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
        admin = httpx.Client(
            base_url=base_url, headers={"Authorization": f"Bearer {admin_token}"}, timeout=30
        )
        keeper = DemoKeeper(admin, want_ready=max(10, 2 * volunteers * BATCH_SIZE), cells=mode == "preview")
        started = time.monotonic()
        _settle(admin, volunteers, started, lambda: stopping)
        _banner(base_url, seeded.links, admin_token, sim_seed, _state_of(admin))
        next_look = 0.0
        while not stopping:
            now = time.monotonic()
            if seconds is not None and now - started >= seconds:
                break
            if any(child.poll() is not None for child in children[:2]):
                print("dialer demo: a child process exited; stopping", file=sys.stderr)
                return 1
            if now >= next_look:
                next_look = now + KEEPER_SECONDS
                try:
                    said = keeper.tick()
                except (httpx.HTTPError, ValueError) as exc:
                    said = f"the demo could not check its campaign ({exc})"
                if said:
                    print(f"dialer demo: {said}", flush=True)
            time.sleep(0.2)
        admin.close()
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
