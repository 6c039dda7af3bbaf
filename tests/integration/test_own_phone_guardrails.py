"""The dial-time checks of an own-phone call, with the clock injected: the call socket refuses to open one
outside the voter's calling hours, for a paused campaign, or past the attempt limit, as the voice webhook
refuses a browser call."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from dialer.app import create_app
from dialer.queue import keys
from dialer.queue.lease import Batch
from dialer.settings import Settings
from tests.conftest import ADMIN, ADMIN_TOKEN
from tests.e2e.calling import seed_script
from tests.integration.test_webhooks import NOON_NEW_YORK, PUBLIC_URL, THREE_AM_NEW_YORK, _setup
from tests.stores import open_store


@dataclass
class World:
    client: TestClient
    clock: list[float]
    token: str
    batch: Batch
    url: str


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
    clock = [NOON_NEW_YORK]
    with TestClient(create_app(settings, clock=lambda: clock[0])) as client:
        body = {"id": "dc", "name": "DC", "script_id": "gotv-2026", "caller_id": "+12025550199"}
        r = client.post("/api/campaigns", json={**body, "calling_method": ["own_phone"]}, headers=ADMIN)
        assert r.status_code == 201, r.text
        users = []
        for email in ("a@example.org", "b@example.org"):
            r = client.post(
                "/api/auth/signup", json={"email": email, "name": "A", "password": "long password"}
            )
            users.append(r.json())
        client.cookies.clear()
        batch = asyncio.run(_setup(clean_redis, "dc", users[0]["user"]["id"], users[1]["user"]["id"]))
        yield World(client, clock, users[0]["token"], batch, clean_redis)


def start(world: World, contact_id: str) -> dict[str, Any]:
    """A fresh call socket's answer to an own-phone start (after the campaign message it opens with)."""
    with world.client.websocket_connect(f"/ws/call/dc?token={world.token}") as ws:
        assert ws.receive_json()["type"] == "campaign"
        ws.send_json({"type": "start", "contact_id": contact_id, "method": "own_phone"})
        message: dict[str, Any] = ws.receive_json()
        return message


def test_outside_calling_hours(world: World) -> None:
    world.clock[0] = THREE_AM_NEW_YORK  # the batch was handed out at noon; it is 3 AM for the voter now
    refused = start(world, world.batch.contacts[0].id)
    assert refused["type"] == "error" and refused["code"] == "outside_calling_hours", refused
    assert "do not call" in refused["message"]
    world.clock[0] = NOON_NEW_YORK
    assert start(world, world.batch.contacts[0].id)["type"] == "step"


def test_paused_campaign(world: World) -> None:
    assert (
        world.client.patch("/api/campaigns/dc", json={"status": "paused"}, headers=ADMIN).status_code == 200
    )
    world.client.cookies.clear()
    assert start(world, world.batch.contacts[0].id)["code"] == "campaign_not_active"


def test_attempt_limit(world: World) -> None:
    contact = world.batch.contacts[1]
    open_store(world.url).hset(keys.contact("dc", contact.id), "attempts", 3)  # max_attempts
    assert start(world, contact.id)["code"] == "max_attempts"
