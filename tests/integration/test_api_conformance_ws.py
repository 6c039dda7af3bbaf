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
from urllib.parse import urlencode

import pytest
from starlette.testclient import TestClient

from dialer.app import create_app
from dialer.queue.lease import Batch
from dialer.settings import Settings
from tests.conftest import ADMIN, ADMIN_TOKEN
from tests.e2e.calling import seed_script
from tests.integration.test_webhooks import (
    NOON_NEW_YORK,
    PUBLIC_URL,
    _setup,
    sign,
    status_form,
    twilio_settings,
)

NOT_HOME = 1  # the gotv example's intro: "Not home" ends the call at once


@dataclass
class World:
    client: TestClient
    token: str
    batch: Batch
    volunteer: str = ""


@pytest.fixture
def world(clean_redis: str, tmp_path: Path) -> Iterator[World]:
    settings = Settings(
        redis_url=clean_redis,
        data_dir=tmp_path,
        secret_key="s",
        admin_token=ADMIN_TOKEN,
        public_url=PUBLIC_URL,
    )
    yield from _world(clean_redis, settings)


@pytest.fixture
def twilio_world(clean_redis: str, tmp_path: Path) -> Iterator[World]:
    """As `world`, with CARRIER=twilio: the test posts the carrier's signed webhooks itself."""
    yield from _world(
        clean_redis, twilio_settings(clean_redis, tmp_path, twilio_api_base_url="http://127.0.0.1:9")
    )


def _world(clean_redis: str, settings: Settings) -> Iterator[World]:
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
        yield World(client, users[0]["token"], batch, users[0]["user"]["id"])


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


def test_the_carriers_initiated_is_relayed_to_the_volunteers_page(twilio_world: World) -> None:
    """API.md: `call_status` "whenever the carrier reports progress". Placing the dial stored `initiated`
    before the carrier said it, so the carrier's own `initiated` moved nothing and the page heard the
    call only from `ringing` on. A repeat, or an `initiated` after `ringing`, still changes nothing."""
    w = twilio_world
    contact = w.batch.contacts[0].id
    leg = "CA" + "a" * 32
    voice = {
        "AccountSid": "AC" + "1" * 32, "CallSid": leg, "From": f"client:{w.volunteer}", "To": "",
        "CallStatus": "ringing", "Direction": "inbound", "ApiVersion": "2010-04-01",
        "contact_id": contact, "campaign_id": "dc",
    }  # fmt: skip

    def webhook(path: str, form: dict[str, str]) -> None:
        r = w.client.post(path, content=urlencode(form), headers=sign(path, form))
        assert r.status_code in (200, 204), r.text

    status = f"/twilio/status?campaign_id=dc&contact_id={contact}"
    with w.client.websocket_connect(f"/ws/call/dc?token={w.token}") as ws:
        next_of(ws, "campaign")
        ws.send_json({"type": "start", "contact_id": contact})
        assert next_of(ws, "step", "error")["type"] == "step"
        webhook("/twilio/voice", voice)  # the browser's call: the server dials the voter
        webhook(status, status_form(0, "initiated"))
        webhook(status, status_form(0, "initiated"))  # delivered twice
        webhook(status, status_form(1, "ringing"))
        webhook(status, status_form(9, "initiated"))  # a stray one after ringing
        webhook(status, status_form(2, "in-progress"))
        webhook(status, status_form(3, "completed", CallDuration="30"))
        heard = [next_of(ws, "call_status")["status"]]
        while heard[-1] != "completed":  # read up to the last one sent: nothing waits on a missing message
            heard.append(next_of(ws, "call_status")["status"])
        assert heard == ["initiated", "ringing", "in-progress", "completed"]
