"""Saving a result ends the call: the voter's leg is hung up, as `GET .../calls/{sid}` shows within 2 s."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets

from tests.e2e.calling import STAYS_ON_THE_LINE, gotv_campaign, seed, seed_script, signup
from tests.servers import ServerProcess


@pytest.fixture
def server(tmp_path: Path, clean_redis: str) -> Iterator[ServerProcess]:
    env = {"DIALER_SIM_PROFILE": STAYS_ON_THE_LINE, "DIALER_SIM_SPEED": "10"}
    with ServerProcess(tmp_path, clean_redis, env=env) as running:
        asyncio.run(seed_script(clean_redis))
        gotv_campaign(running, "end", batch_size=4)
        asyncio.run(seed(clean_redis, "end", 4))
        yield running


async def next_of(ws: Any, kind: str, contact_id: str | None = None) -> dict[str, Any]:
    while True:
        message = json.loads(await asyncio.wait_for(ws.recv(), 10))
        if message["type"] == "error":
            raise AssertionError(message)
        if message["type"] == kind and (contact_id is None or message.get("contact_id") == contact_id):
            return dict(message)


async def connected_call(http: httpx.AsyncClient, ws: Any, contact_id: str) -> str:
    """Places the call and waits until the voter is on the line; returns its CallSid."""
    await ws.send(json.dumps({"type": "start", "contact_id": contact_id}))
    await next_of(ws, "step", contact_id)
    placed = await http.post("/api/campaigns/end/calls", json={"contact_id": contact_id})
    assert placed.status_code == 201, placed.text
    while (await next_of(ws, "call_status", contact_id))["status"] != "in-progress":
        pass
    return str(placed.json()["call_sid"])


async def ended_within(http: httpx.AsyncClient, sid: str, seconds: float) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while True:
        call = (await http.get(f"/api/campaigns/end/calls/{sid}")).json()
        if call["status"] == "completed" or time.monotonic() > deadline:
            return dict(call)
        await asyncio.sleep(0.1)


def test_saving_a_result_hangs_up_the_voter_on_the_socket_and_over_http(server: ServerProcess) -> None:
    token = signup(server.base_url, "end@example.org", "Enid")
    other = signup(server.base_url, "other@example.org", "Otto")

    async def go() -> None:
        auth = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(base_url=server.base_url, headers=auth) as http:
            batch = (await http.post("/api/campaigns/end/batches")).json()
            first, second = batch["contacts"][:2]
            url = server.base_url.replace("http", "ws", 1) + f"/ws/call/end?token={token}"
            async with websockets.connect(url) as ws:
                sid = await connected_call(http, ws, first["id"])
                call = (await http.get(f"/api/campaigns/end/calls/{sid}")).json()
                assert call["status"] == "in-progress" and call["contact_id"] == first["id"]
                assert call["started_at"] and call["ended_at"] is None
                finish = {"type": "finish", "contact_id": first["id"], "notes": "", "result": "refused",
                          "idempotency_key": str(uuid.uuid4())}  # fmt: skip
                await ws.send(json.dumps(finish))
                await next_of(ws, "recorded", first["id"])
                ended = await ended_within(http, sid, 2.0)
                assert ended["status"] == "completed" and ended["ended_at"], ended
                # The same over HTTP (the page's fallback when its socket is down).
                sid = await connected_call(http, ws, second["id"])
                r = await http.post(
                    f"/api/batches/{batch['id']}/results",
                    json={"contact_id": second["id"], "result": "refused", "idempotency_key": "http-1"},
                )
                assert r.status_code == 200, r.text
                assert (await ended_within(http, sid, 2.0))["status"] == "completed"
            # Only the volunteer who placed a call (and organizers) may read it.
            stranger = await http.get(
                f"/api/campaigns/end/calls/{sid}", headers={"Authorization": f"Bearer {other}"}
            )
            assert stranger.status_code == 404
            with server.client() as admin:
                assert admin.get(f"/api/campaigns/end/calls/{sid}").json()["status"] == "completed"
            assert (await http.get("/api/campaigns/end/calls/CA" + "0" * 32)).status_code == 404

    asyncio.run(go())
    assert not server.tracebacks(), server.tracebacks()


def test_a_call_back_outside_the_voters_hours_is_refused_on_the_socket(server: ServerProcess) -> None:
    token = signup(server.base_url, "cb@example.org", "Cyd")

    async def go() -> None:
        auth = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(base_url=server.base_url, headers=auth) as http:
            contact = (await http.post("/api/campaigns/end/batches")).json()["contacts"][0]
            url = server.base_url.replace("http", "ws", 1) + f"/ws/call/end?token={token}"
            async with websockets.connect(url) as ws:
                await connected_call(http, ws, contact["id"])
                finish = {"type": "finish", "contact_id": contact["id"], "notes": "", "result": "call_back",
                          "idempotency_key": str(uuid.uuid4())}  # fmt: skip
                # The voters live where it is about noon: twelve hours on it is midnight there.
                at_night = datetime.fromtimestamp(time.time() + 12 * 3600, UTC).isoformat()
                await ws.send(json.dumps({**finish, "call_back_at": at_night}))
                refused = json.loads(await asyncio.wait_for(ws.recv(), 10))
                while refused["type"] == "call_status":
                    refused = json.loads(await asyncio.wait_for(ws.recv(), 10))
                assert refused["type"] == "error" and refused["code"] == "invalid_call_back", refused
                assert "outside calling hours" in refused["message"]
                afternoon = datetime.fromtimestamp(time.time() + 3 * 3600, UTC).isoformat()
                await ws.send(json.dumps({**finish, "call_back_at": afternoon}))
                await next_of(ws, "recorded", contact["id"])
            with server.client() as admin:
                stats = admin.get("/api/campaigns/end/stats").json()
            assert stats["results"]["call_back"] == 1 and stats["calls"] == 1  # the refused one left nothing

    asyncio.run(go())
