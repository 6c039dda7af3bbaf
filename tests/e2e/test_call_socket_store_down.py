"""Redis dies while a volunteer's call page is open: the call socket is closed with 1011 ("store
unavailable, reconnect shortly", as API.md's sockets close when the store is away) and a warning, not an
"Exception in ASGI application" traceback with an abnormal close; once Redis is back the page reconnects and
carries on where it was. (The error came out of the socket's task group as an exception group, which the
handler's `except` for Redis errors never matched.)"""

from __future__ import annotations

import asyncio
import json
import os
import signal
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets

from dialer.embedded import EmbeddedRedis, pid_of
from tests.e2e.calling import gotv_campaign, seed, seed_script, signup
from tests.servers import ServerProcess

pytestmark = pytest.mark.once  # its own Redis, killed: indifferent to the cluster and the clock


async def until(ws: Any, kind: str) -> dict[str, Any]:
    while True:
        message: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), 10))
        if message["type"] == kind:
            return message


def test_a_call_socket_is_closed_cleanly_when_redis_dies_and_resumes_after(tmp_path: Path) -> None:
    real_clock = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD" and not k.startswith("FAKETIME")}
    store = EmbeddedRedis(tmp_path / "store")
    url = store.start()
    server = ServerProcess(tmp_path, url, env=real_clock).start()
    restarted: EmbeddedRedis | None = None
    try:
        asyncio.run(seed_script(url))
        gotv_campaign(server, "dc", batch_size=3)
        asyncio.run(seed(url, "dc", 3))
        token = signup(server.base_url, "w@example.org", "Wes")
        batch = httpx.post(
            f"{server.base_url}/api/campaigns/dc/batches", headers={"Authorization": f"Bearer {token}"}
        ).json()
        contact_id = batch["contacts"][0]["id"]
        ws_url = server.base_url.replace("http", "ws", 1) + f"/ws/call/dc?token={token}"

        async def through_the_outage() -> tuple[int | None, str, dict[str, Any]]:
            nonlocal restarted
            async with websockets.connect(ws_url) as ws:
                await ws.send(json.dumps({"type": "start", "contact_id": contact_id}))
                first = await until(ws, "step")
                pid = pid_of(tmp_path / "store")
                assert pid is not None
                os.kill(pid, signal.SIGKILL)  # Redis dies without warning
                assert store.process is not None
                store.process.wait(timeout=10)
                await ws.send(json.dumps({"type": "answer", "step": first["step"]["id"], "choice": "yes"}))
                with pytest.raises(websockets.ConnectionClosed) as closed:
                    while True:
                        await asyncio.wait_for(ws.recv(), 10)
            assert closed.value.rcvd is not None
            code, reason = closed.value.rcvd.code, closed.value.rcvd.reason
            restarted = EmbeddedRedis(tmp_path / "store")
            restarted.start()
            for _ in range(100):  # the server's clients reconnect by themselves
                if httpx.get(f"{server.base_url}/healthz").status_code == 200:
                    break
                await asyncio.sleep(0.1)
            async with websockets.connect(ws_url) as ws:  # the page comes back: the same call, the same step
                again = await until(ws, "step")
            return code, reason, {"first": first, "again": again}

        code, reason, steps = asyncio.run(through_the_outage())
        assert (code, reason) == (1011, "store unavailable, reconnect shortly")
        assert steps["again"]["contact_id"] == contact_id
        assert steps["again"]["step"]["id"] == steps["first"]["step"]["id"]
        log = server.log_path.read_text()
        assert "Exception in ASGI application" not in log, log[-4000:]
        assert "store unavailable; closing call socket" in log
    finally:
        server.stop()
        if restarted is not None:
            restarted.stop()
        store.stop()
