"""`dialer demo`: the whole system from one command, on the embedded Redis, with volunteers calling."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.servers import free_port

TOKEN = "demo-test-admin-token-0123456789abcdef"


def test_demo_serves_a_healthy_app_and_calls_happen(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env |= {
        "DIALER_DATA_DIR": str(tmp_path / "var"),
        "DIALER_ADMIN_TOKEN": TOKEN,
        "DIALER_SIM_SPEED": "30",
        "PYTHONUNBUFFERED": "1",
    }
    log = tmp_path / "demo.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "dialer",
                "demo",
                "--port",
                str(port),
                "--volunteers",
                "3",
                "--contacts",
                "60",
                "--seconds",
                "40",
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        calls = 0
        while time.monotonic() < deadline and calls < 3:
            try:
                r = httpx.get(
                    f"{base}/api/campaigns/demo/stats", headers={"Authorization": f"Bearer {TOKEN}"}
                )
                if r.status_code == 200:
                    calls = r.json()["calls"]
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        assert calls >= 3, log.read_text()[-3000:]
        assert httpx.get(f"{base}/healthz").json() == {"status": "ok"}
        assert (
            httpx.get(f"{base}/campaigns/demo/dashboard", follow_redirects=False).status_code == 303
        )  # sign in
        text = log.read_text()
        assert "organizer dashboard:" in text and f"{base}/call/demo" in text
        own = httpx.get(f"{base}/api/campaigns/demo-own-phone", headers={"Authorization": f"Bearer {TOKEN}"})
        assert own.json()["calling_method"] == ["own_phone"] and f"{base}/call/demo-own-phone" in text
    finally:
        proc.terminate()  # Ctrl-C / SIGTERM: everything stops in order
        assert proc.wait(timeout=60) == 0, log.read_text()[-3000:]
    assert not (tmp_path / "var" / "redis.sock").exists()  # the embedded Redis was stopped too
    assert "Traceback" not in log.read_text(), log.read_text()[-3000:]
