"""A call socket whose page is gone while the server answers it ends quietly, as a normal end of a call day.

The server's reply to a message can find the page already gone (a closed tab, a dropped Wi-Fi): the send
fails. That failure escaped the socket's task group as an exception group, which the handler's own
`except WebSocketDisconnect` does not catch, so every such disconnect was logged as "Exception in ASGI
application" with a traceback. Driven here through the ASGI interface, where the send can fail on cue.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from starlette.testclient import TestClient

from dialer.app import create_app
from dialer.connections import async_client
from dialer.scripts.loader import load_script
from dialer.settings import Settings
from dialer.stores.scripts import ScriptStore
from tests.conftest import ADMIN, ADMIN_TOKEN

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "gotv.yaml"
NOW = 1_800_000_000.0  # the app's clock here: nothing reads the wall clock


@pytest.fixture
def client(app_settings: Settings) -> Iterator[TestClient]:
    async def seed() -> None:
        redis = async_client(app_settings.redis_url or "")
        try:
            await ScriptStore(redis).save(load_script(EXAMPLE.read_bytes(), "application/yaml").script, NOW)
        finally:
            await redis.aclose()

    anyio.run(seed)
    with TestClient(create_app(app_settings, clock=lambda: NOW), raise_server_exceptions=False) as c:
        body = {"id": "dc", "name": "DC", "script_id": "gotv-2026", "caller_id": "+12025550100"}
        assert c.post("/api/campaigns", json=body, headers=ADMIN).status_code == 201
        yield c


def test_a_page_gone_while_the_server_answers_ends_the_socket_quietly(client: TestClient) -> None:
    sent: list[dict[str, Any]] = []
    frames: list[dict[str, Any]] = [
        {"type": "websocket.connect"},
        {"type": "websocket.receive", "text": "not json"},  # answered with an error: the page is gone by then
    ]

    async def receive() -> dict[str, Any]:
        if frames:
            return frames.pop(0)
        await anyio.sleep_forever()
        raise AssertionError("unreachable")

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)
        if message["type"] == "websocket.send" and json.loads(message["text"])["type"] == "error":
            raise OSError("the page is gone")  # what uvicorn's ClientDisconnected is

    scope = {
        "type": "websocket",
        "asgi": {"version": "3.0"},
        "scheme": "ws",
        "path": "/ws/call/dc",
        "raw_path": b"/ws/call/dc",
        "query_string": f"token={ADMIN_TOKEN}".encode(),
        "root_path": "",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
        "subprotocols": [],
    }

    async def serve() -> None:
        with anyio.fail_after(30):  # a hang is a failure, not a stuck suite
            await client.app(scope, receive, send)

    assert client.portal is not None
    client.portal.call(serve)  # raised the exception group before the fix
    kinds = [json.loads(m["text"])["type"] for m in sent if m["type"] == "websocket.send"]
    assert kinds[0] == "campaign" and kinds[-1] == "error", kinds
