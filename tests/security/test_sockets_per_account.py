"""Finding (attacker's probe, as a freshly signed-up volunteer): one account could hold any number of call
sockets open. Sign-up is open, and 500 sockets from one token were all accepted and kept (15 MB of the
web process, a task, buffers and subscriptions each), so a script could take the server's memory and
connections a few hundred at a time. An account now holds at most `MAX_SOCKETS_PER_ACCOUNT` sockets on a
web process (call pages and live dashboards together): the next one is closed at once with 4429 and
leaves nothing behind, another account is not affected, and closing one makes room again."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import websockets

from dialer.web.sockets import MAX_SOCKETS_PER_ACCOUNT, TOO_MANY
from tests.e2e.calling import gotv_campaign, seed_script, signup
from tests.security.attack import server
from tests.servers import ADMIN_TOKEN, ServerProcess


@pytest.fixture
def running(tmp_path: Path, clean_redis: str) -> Iterator[ServerProcess]:
    with server(tmp_path, clean_redis) as srv:
        yield srv


async def _first(ws: websockets.ClientConnection) -> dict[str, object] | int | None:
    """The socket's first message, or its close code when it is closed instead."""
    try:
        return dict(json.loads(await asyncio.wait_for(ws.recv(), 10)))
    except websockets.ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None


def test_one_account_holds_a_bounded_number_of_sockets(running: ServerProcess, clean_redis: str) -> None:
    asyncio.run(seed_script(clean_redis))
    gotv_campaign(running, "many")
    base = running.base_url.replace("http", "ws", 1)
    flooder = signup(running.base_url, "flood@example.org")
    neighbour = signup(running.base_url, "neighbour@example.org")

    async def go() -> None:
        url = f"{base}/ws/call/many?token={flooder}"
        held = [await websockets.connect(url) for _ in range(MAX_SOCKETS_PER_ACCOUNT)]
        try:
            for ws in held:
                first = await _first(ws)
                assert isinstance(first, dict) and first["type"] == "campaign", first
            for _ in range(3):  # one more, again and again: closed at once, and nothing kept for it
                async with websockets.connect(url) as extra:
                    assert await _first(extra) == TOO_MANY
            # Another volunteer, and the admin token's dashboard, are not affected.
            async with websockets.connect(f"{base}/ws/call/many?token={neighbour}") as other:
                first = await _first(other)
                assert isinstance(first, dict) and first["type"] == "campaign", first
            async with websockets.connect(f"{base}/ws/campaigns/many/live?token={ADMIN_TOKEN}") as live:
                first = await _first(live)
                assert isinstance(first, dict) and first["type"] == "stats", first
            # Closing one makes room for the next (the server notices the close as the socket ends).
            await held.pop().close()
            for _ in range(100):  # a bounded wait for the server's side of the close
                async with websockets.connect(url) as again:
                    first = await _first(again)
                if isinstance(first, dict):
                    break
                await asyncio.sleep(0.05)
            assert isinstance(first, dict) and first["type"] == "campaign", first
        finally:
            for ws in held:
                await ws.close()

    asyncio.run(go())
    assert "Traceback" not in running.log()
