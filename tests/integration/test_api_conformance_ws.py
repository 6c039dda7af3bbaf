"""API.md's call socket at the edges a client meets, with the clock injected.

`finish` "records the result (as the HTTP results call)", and that call promises that a repeat of an
`idempotency_key` gives `duplicate: true` and changes nothing. A client whose `recorded` was lost (a dropped
socket, a timeout) sends its `finish` again, on the same socket or a new one: it must hear `recorded`, not an
error that reads as if the result were lost.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from dialer.app import create_app
from dialer.queue.lease import Batch
from dialer.settings import Settings
from tests.conftest import ADMIN, ADMIN_TOKEN
from tests.e2e.calling import seed_script
from tests.integration.test_webhooks import NOON_NEW_YORK, PUBLIC_URL, _setup

NOT_HOME = 1  # the gotv example's intro: "Not home" ends the call at once


@dataclass
class World:
    client: TestClient
    token: str
    batch: Batch


@pytest.fixture
def world(clean_redis: str, tmp_path: Path) -> Iterator[World]:
    settings = Settings(
        redis_url=clean_redis,
        data_dir=tmp_path,
        secret_key="s",
        admin_token=ADMIN_TOKEN,
        public_url=PUBLIC_URL,
    )
    asyncio.run(seed_script(clean_redis))
    with TestClient(create_app(settings, clock=lambda: NOON_NEW_YORK)) as client:
        body = {"id": "dc", "name": "DC", "script_id": "gotv-2026", "caller_id": "+12025550199"}
        assert client.post("/api/campaigns", json=body, headers=ADMIN).status_code == 201
        users = []
        for email in ("a@example.org", "b@example.org"):
            r = client.post(
                "/api/auth/signup", json={"email": email, "name": "A", "password": "long password"}
            )
            users.append(r.json())
        client.cookies.clear()
        batch = asyncio.run(_setup(clean_redis, "dc", users[0]["user"]["id"], users[1]["user"]["id"]))
        yield World(client, users[0]["token"], batch)


def next_of(ws: Any, *kinds: str) -> dict[str, Any]:
    """The next message of one of `kinds` (a (re)connect opens with `campaign` and may resume a call)."""
    while True:
        message: dict[str, Any] = ws.receive_json()
        if message["type"] in kinds:
            return message


def finish(contact_id: str, key: str) -> dict[str, Any]:
    return {"type": "finish", "contact_id": contact_id, "notes": "", "idempotency_key": key}


def test_a_repeated_finish_is_answered_recorded_and_records_nothing(world: World) -> None:
    contact = world.batch.contacts[0].id
    url = f"/ws/call/dc?token={world.token}"
    with world.client.websocket_connect(url) as ws:
        assert next_of(ws, "campaign")["type"] == "campaign"
        ws.send_json({"type": "start", "contact_id": contact})
        assert next_of(ws, "step", "error")["type"] == "step"
        ws.send_json({"type": "answer", "step": "intro", "choice": NOT_HOME})
        assert next_of(ws, "done", "error")["result"] == "not_home"
        ws.send_json(finish(contact, "k-1"))
        assert next_of(ws, "recorded", "error") == {"type": "recorded", "contact_id": contact}
        ws.send_json(finish(contact, "k-1"))  # its `recorded` was not seen in time: sent again
        assert next_of(ws, "recorded", "error") == {"type": "recorded", "contact_id": contact}
    with world.client.websocket_connect(url) as ws:  # the socket dropped before `recorded`: a new one
        next_of(ws, "campaign")
        ws.send_json(finish(contact, "k-1"))
        assert next_of(ws, "recorded", "error") == {"type": "recorded", "contact_id": contact}
        ws.send_json(finish(contact, "k-other"))  # another key is another result: still refused
        assert next_of(ws, "recorded", "error")["type"] == "error"
        ws.send_json(finish(world.batch.contacts[1].id, "k-1"))  # the key, but not this contact's
        assert next_of(ws, "recorded", "error")["type"] == "error"
    stats = world.client.get("/api/campaigns/dc/stats", headers=ADMIN).json()
    assert stats["calls"] == 1 and stats["results"]["not_home"] == 1
    # The HTTP results call agrees: the same key is a duplicate.
    r = world.client.post(
        f"/api/batches/{world.batch.id}/results",
        json={"contact_id": contact, "result": "not_home", "idempotency_key": "k-1"},
        headers={"Authorization": f"Bearer {world.token}"},
    )
    assert r.json() == {"recorded": True, "duplicate": True}, r.text


def test_a_key_reused_for_the_next_voter_is_refused_in_words_and_the_call_goes_on(world: World) -> None:
    """A client that keeps one key for every `finish` heard `recorded` for the second voter while the
    result was dropped; it is refused now (as the HTTP call), with a message for people, not the code."""
    first, second = world.batch.contacts[0].id, world.batch.contacts[1].id
    with world.client.websocket_connect(f"/ws/call/dc?token={world.token}") as ws:
        next_of(ws, "campaign")
        for contact in (first, second):
            ws.send_json({"type": "start", "contact_id": contact})
            assert next_of(ws, "step", "error")["type"] == "step"
            ws.send_json({"type": "answer", "step": "intro", "choice": NOT_HOME})
            assert next_of(ws, "done", "error")["result"] == "not_home"
            ws.send_json(finish(contact, "same-key"))
            answer = next_of(ws, "recorded", "error")
            if contact == first:
                assert answer == {"type": "recorded", "contact_id": first}
        assert answer["code"] == "idempotency_key_reused" and "another contact" in answer["message"], answer
        ws.send_json(finish(second, "its-own-key"))  # the call is still at its end: finish again
        assert next_of(ws, "recorded", "error") == {"type": "recorded", "contact_id": second}
    assert world.client.get("/api/campaigns/dc/stats", headers=ADMIN).json()["calls"] == 2
