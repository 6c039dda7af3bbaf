"""Finding 14: a WebSocket frame was read whole (uvicorn's default cap: 16 MiB) before the socket said it was
too long (64 KiB for the call socket, 4 KiB for the live one), so any signed-up volunteer held 16 MiB of the
server's memory per socket: 20 sockets sending 15 MiB each took the web process from 120 to 743 MB. Frames
over `MAX_SOCKET_FRAME` are now refused by the protocol (close 1009, "message too big") as they arrive;
frames up to it still get the socket's own `bad_message` answer, and the server goes on."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import websockets

from dialer.web.sockets import MAX_SOCKET_FRAME
from tests.e2e.calling import gotv_campaign, seed_script, signup
from tests.security.attack import server
from tests.servers import ServerProcess


@pytest.fixture
def running(tmp_path: Path, clean_redis: str) -> Iterator[ServerProcess]:
    with server(tmp_path, clean_redis) as srv:
        yield srv


def test_a_frame_over_the_cap_closes_the_socket_and_smaller_ones_are_answered(
    running: ServerProcess, clean_redis: str
) -> None:
    asyncio.run(seed_script(clean_redis))
    gotv_campaign(running, "frames")
    token = signup(running.base_url, "frames@example.org")
    url = running.base_url.replace("http", "ws", 1) + f"/ws/call/frames?token={token}"

    async def go() -> tuple[dict[str, object], int | None]:
        async with websockets.connect(url, max_size=None) as ws:
            await asyncio.wait_for(ws.recv(), 10)  # the campaign's status, first
            await ws.send("x" * (MAX_SOCKET_FRAME // 2))
            answer = json.loads(await asyncio.wait_for(ws.recv(), 10))
            try:  # the server may close while this frame is still being sent
                await ws.send("x" * (4 * 1024 * 1024))
                while True:
                    await asyncio.wait_for(ws.recv(), 10)
            except websockets.ConnectionClosed as closed:
                return answer, closed.rcvd.code if closed.rcvd else None

    answer, code = asyncio.run(go())
    assert answer["type"] == "error" and answer["code"] == "bad_message"
    assert code == 1009  # "message too big"
    assert httpx.get(f"{running.base_url}/healthz").status_code == 200
