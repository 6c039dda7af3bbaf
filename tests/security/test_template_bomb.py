"""A script text that builds a huge value from a short template: `*` was bounded by a sequence's length only,
so `['x'*10000]*10000` (one element, times 10,000) passed and rendered as 100 million characters, and one
level more (`[['x'*10000]*10000]*10000`, 40 characters of template) as 10**12: the server's memory and the
event loop, on the script preview and on every volunteer's call page. Measured on `dialer demo`: a preview of
`[['x'*1000]*10000]*10` took 1.4 s with /healthz held as long. `*` is now bounded by everything the value
holds (its characters, entries and what they hold); such a text shows the sandbox's notice instead."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from dialer.app import create_app
from dialer.scripts import sandbox
from dialer.settings import Settings
from tests.conftest import ADMIN, ADMIN_TOKEN
from tests.integration.test_webhooks import NOON_NEW_YORK, PUBLIC_URL, _setup

NOTICE = "[this text could not be shown; tell the campaign staff]"
BOMB = "{{ (['x'*10000]*10000)|string|length }}"

SCRIPT = """id: bomb
title: Bomb
start: intro
steps:
  intro:
    text: "Hello {{ contact.first_name }}. BOMB"
    choices:
      - {label: "Not home", result: not_home}
""".replace("BOMB", BOMB)


@pytest.mark.parametrize(
    "source",
    [
        BOMB,
        "{{ [['x'*10000]*10000]*10000 }}",
        "{{ [['x'*100]*100]*100 }}",
        "{{ ([contact]*10000)|string|length }}",
        "{{ 10000*['ab'] }}",
    ],
)
def test_nested_repetition_is_refused(source: str) -> None:
    assert sandbox.render(source, {"first_name": "Ann", "street": "x" * 5000}, {}) == NOTICE


def test_a_condition_cannot_build_it_either() -> None:
    assert sandbox.holds("(['x'*10000]*10000)|length > 0", {}, {}) is False


@pytest.mark.parametrize(
    ("source", "text"),
    [
        ("{{ 'ab' * 3 }}", "ababab"),
        ("{{ ['ab'] * 2 }}", "['ab', 'ab']"),
        ("{{ ('x' * 10000) | length }}", "10000"),
        ("{{ (['x' * 100] * 50) | length }}", "50"),
        ("{{ 3 * 4 }}", "12"),
        ("{{ [] * 1000000000 }}", "[]"),
    ],
)
def test_small_repetition_still_renders(source: str, text: str) -> None:
    assert sandbox.render(source, {}, {}) == text


@pytest.fixture
def served(clean_redis: str, tmp_path: Path) -> Iterator[tuple[TestClient, str]]:
    settings = Settings(
        redis_url=clean_redis,
        data_dir=tmp_path,
        secret_key="s",
        admin_token=ADMIN_TOKEN,
        public_url=PUBLIC_URL,
    )
    with TestClient(create_app(settings, clock=lambda: NOON_NEW_YORK)) as c:
        yield c, clean_redis


def next_of(ws: Any, *kinds: str) -> dict[str, Any]:
    while True:
        message: dict[str, Any] = ws.receive_json()
        if message["type"] in kinds:
            return message


def test_an_organizer_s_bomb_reaches_neither_the_preview_nor_a_volunteer(
    served: tuple[TestClient, str],
) -> None:
    client, redis_url = served
    yaml = {**ADMIN, "Content-Type": "application/yaml"}
    assert client.post("/api/scripts", content=SCRIPT, headers=yaml).status_code == 201
    preview = client.post(
        "/scripts/preview", json={"source": SCRIPT, "contact": {}, "events": []}, headers=ADMIN
    )
    assert preview.status_code == 200, preview.text
    assert preview.json()["step"]["text"] == NOTICE

    body = {"id": "bc", "name": "BC", "script_id": "bomb", "caller_id": "+12025550199"}
    assert client.post("/api/campaigns", json=body, headers=ADMIN).status_code == 201
    users = [
        client.post("/api/auth/signup", json={"email": e, "name": "V", "password": "long password"}).json()
        for e in ("a@example.org", "b@example.org")
    ]
    client.cookies.clear()
    batch = asyncio.run(_setup(redis_url, "bc", users[0]["user"]["id"], users[1]["user"]["id"]))
    with client.websocket_connect(f"/ws/call/bc?token={users[0]['token']}") as ws:
        next_of(ws, "campaign")
        ws.send_json({"type": "start", "contact_id": batch.contacts[0].id})
        step = next_of(ws, "step", "error")
        assert step["type"] == "step", step
        assert step["step"]["text"] == NOTICE
        ws.send_json({"type": "answer", "step": "intro", "choice": 0})
        assert next_of(ws, "done", "error")["result"] == "not_home"
