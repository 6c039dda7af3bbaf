"""Own-phone calls end to end: the campaign setting through the API, the call socket with a real WebSocket
client against a running `dialer serve`, the results, and the server refusing to place calls for a campaign
that offers only own phones; then a server without a carrier, where preview falls back to own phone."""

from __future__ import annotations

import asyncio
import csv
import html
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets

from tests.e2e.calling import gotv_campaign, seed, seed_script, signup
from tests.e2e.test_call_socket import exchange, hello, reply
from tests.servers import ServerProcess


@pytest.fixture
def server(tmp_path: Path, clean_redis: str) -> Iterator[ServerProcess]:
    with ServerProcess(tmp_path, clean_redis, env={"DIALER_SIM_SPEED": "10"}) as running:
        asyncio.run(seed_script(clean_redis))
        yield running


def batch(server: ServerProcess, token: str, campaign: str) -> list[dict[str, Any]]:
    r = httpx.post(
        f"{server.base_url}/api/campaigns/{campaign}/batches", headers={"Authorization": f"Bearer {token}"}
    )
    assert r.status_code in (200, 201), r.text
    return list(r.json()["contacts"])


def ws_url(server: ServerProcess, campaign: str, token: str) -> str:
    return server.base_url.replace("http", "ws", 1) + f"/ws/call/{campaign}?token={token}"


def results(server: ServerProcess, campaign: str) -> dict[str, dict[str, str]]:
    with server.client() as admin:
        r = admin.get(f"/api/campaigns/{campaign}/results.csv")
    assert r.status_code == 200, r.text
    return {row["contact_id"]: row for row in csv.DictReader(io.StringIO(r.text))}


async def own_phone_call(url: str, contact_id: str, key: str) -> list[dict[str, Any]]:
    """Opens an own-phone call, answers at once (no call placed, no status awaited), goes back, saves
    "not home" and returns what the server said."""
    async with websockets.connect(url) as ws:
        await hello(ws)
        said = [await exchange(ws, {"type": "start", "contact_id": contact_id, "method": "own_phone"})]
        said.append(await exchange(ws, {"type": "answer", "step": "intro", "choice": 0}))  # speaking
        said.append(await exchange(ws, {"type": "back"}))
        said.append(await exchange(ws, {"type": "answer", "step": "intro", "choice": 1}))  # not home
        said.append(await exchange(ws, {"type": "finish", "contact_id": contact_id, "idempotency_key": key}))
        return said


def test_calling_method_through_the_api(server: ServerProcess) -> None:
    gotv_campaign(server, "own", calling_method=["own_phone"])
    with server.client() as admin:
        got = admin.get("/api/campaigns/own").json()
        assert got["calling_method"] == ["own_phone"]
        bad = admin.patch("/api/campaigns/own", json={"mode": "power"})
        assert bad.status_code == 422 and bad.json()["error"]["details"][0]["path"] == "calling_method"
        bad = admin.post(
            "/api/campaigns",
            json={
                "name": "X",
                "script_id": "gotv-2026",
                "caller_id": "+12025550199",
                "calling_method": ["sms"],
            },
        )
        assert bad.status_code == 422 and bad.json()["error"]["details"][0]["path"] == "calling_method[0]"
        ok = admin.patch("/api/campaigns/own", json={"calling_method": ["browser", "own_phone"]})
        assert ok.status_code == 200 and ok.json()["calling_method"] == ["browser", "own_phone"]
        ok = admin.patch("/api/campaigns/own", json={"calling_method": ["own_phone"]})
        assert ok.status_code == 200
    assert gotv_campaign_default(server)["calling_method"] == ["browser"]


def gotv_campaign_default(server: ServerProcess) -> dict[str, Any]:
    gotv_campaign(server, "plain")
    with server.client() as admin:
        return dict(admin.get("/api/campaigns/plain").json())


def test_an_own_phone_call_on_the_socket(server: ServerProcess, clean_redis: str) -> None:
    gotv_campaign(server, "own", calling_method=["own_phone"], batch_size=3)
    asyncio.run(seed(clean_redis, "own", 6))
    token = signup(server.base_url, "olive@example.org", "Olive")
    contacts = batch(server, token, "own")
    first, second, third = (c["id"] for c in contacts)

    said = asyncio.run(own_phone_call(ws_url(server, "own", token), first, "own-1"))
    assert [m["type"] for m in said] == ["step", "step", "step", "done", "recorded"], said
    assert said[1]["step"]["id"] == "support" and said[3]["result"] == "not_home"
    row = results(server, "own")[first]
    assert row["result"] == "not_home" and row["call_sid"] == ""  # nothing was placed by us

    # Nothing is placed by the server for this campaign, whoever asks.
    placed = httpx.post(
        f"{server.base_url}/api/campaigns/own/calls",
        json={"contact_id": second},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert placed.status_code == 409 and placed.json()["error"]["code"] == "method_not_offered"

    # A browser start with no call placed walks the script as API.md's call socket says (nothing waits
    # for a carrier's status when no call was placed).
    async def browser_start() -> list[dict[str, Any]]:
        async with websockets.connect(ws_url(server, "own", token)) as ws:
            await hello(ws)
            await exchange(ws, {"type": "start", "contact_id": second})
            return [await exchange(ws, {"type": "answer", "step": "intro", "choice": 0})]

    walked = asyncio.run(browser_start())[0]
    assert walked["type"] == "step" and walked["step"]["id"] == "support", walked

    # Guardrails at "dial" time: a number put on the do-not-call list after the batch was handed out.
    phone = next(c["phone"] for c in contacts if c["id"] == third)
    with server.client() as admin:
        assert admin.post("/api/dnc", json={"phones": [phone]}).status_code == 200

    async def refused() -> dict[str, Any]:
        async with websockets.connect(ws_url(server, "own", token)) as ws:
            await hello(ws)
            resumed = await exchange(ws, {"type": "start", "contact_id": third, "method": "own_phone"})
            assert resumed["contact_id"] == second  # on connect: the call left open above, resumed
            return await reply(ws)

    answer = asyncio.run(refused())
    assert answer["type"] == "error" and answer["code"] == "do_not_call", answer
    assert "do not call" in answer["message"]


def test_own_phone_must_be_offered(server: ServerProcess, clean_redis: str) -> None:
    gotv_campaign(server, "web", batch_size=2)  # browser only, and this server has a carrier
    asyncio.run(seed(clean_redis, "web", 2))
    token = signup(server.base_url, "bea@example.org", "Bea")
    contact = batch(server, token, "web")[0]["id"]

    async def start() -> dict[str, Any]:
        async with websockets.connect(ws_url(server, "web", token)) as ws:
            await hello(ws)
            return await exchange(ws, {"type": "start", "contact_id": contact, "method": "own_phone"})

    assert asyncio.run(start())["code"] == "method_not_offered"


def test_without_a_carrier_preview_calls_from_own_phones(tmp_path: Path, clean_redis: str) -> None:
    with ServerProcess(tmp_path, clean_redis, env={"CARRIER": "none"}) as bare:
        asyncio.run(seed_script(clean_redis))
        gotv_campaign(bare, "bare", batch_size=2)  # calling_method left at the browser
        asyncio.run(seed(clean_redis, "bare", 2))
        token = signup(bare.base_url, "nora@example.org", "Nora")
        contact = batch(bare, token, "bare")[0]["id"]
        said = asyncio.run(own_phone_call(ws_url(bare, "bare", token), contact, "bare-1"))
        assert [m["type"] for m in said] == ["step", "step", "step", "done", "recorded"], said
        with bare.client() as admin:
            page = admin.get("/call/bare")
            settings = admin.get("/campaigns/bare/settings")
        assert page.status_code == 200
        assert "Calls through the browser are not set up on this server" in settings.text  # organizers too
        found = re.search(r'id="page-data">(.*?)</script>', page.text, re.S)
        assert found is not None
        data = json.loads(html.unescape(found.group(1)))
        assert data["methods"] == ["own_phone"] and data["carrier_ready"] is False
