"""Headless Chromium (the system's /usr/bin/chromium) against a running server with the simulated carrier."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Playwright, sync_playwright

from tests.browser.harness import Running, running_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


@pytest.fixture
def server(tmp_path: Path, clean_redis: str) -> Iterator[Running]:
    with running_server(tmp_path, clean_redis) as running:
        yield running


@pytest.fixture
def shots(output_dir: Path) -> Path:
    path = output_dir / "pages"
    path.mkdir(parents=True, exist_ok=True)
    return path


def seed_contacts(
    server: Running, redis_url: str, campaign_id: str, rows: list[tuple[str, str, str]]
) -> None:
    """The call list through the API (as an organizer uploads it); straight into the queue while the
    import route has not landed."""
    csv = "phone,first_name,last_name,state\n" + "".join(f"{p},{f},{last},DC\n" for p, f, last in rows)
    with server.client() as admin:
        r = admin.post(
            f"/api/campaigns/{campaign_id}/contacts", content=csv, headers={"Content-Type": "text/csv"}
        )
    if r.status_code == 200:
        assert r.json()["imported"] == len(rows), r.text
        return
    assert r.status_code in (404, 405), r.text
    # Playwright's sync API runs an event loop in this thread: seed from another one.
    failures: list[BaseException] = []

    def seed() -> None:
        try:
            asyncio.run(_seed_directly(redis_url, campaign_id, rows))
        except BaseException as exc:  # reported below, in the test's thread
            failures.append(exc)

    worker = threading.Thread(target=seed)
    worker.start()
    worker.join()
    if failures:
        raise failures[0]


async def _seed_directly(redis_url: str, campaign_id: str, rows: list[tuple[str, str, str]]) -> None:
    import time

    import redis.asyncio as aioredis

    from dialer.contacts import Contact
    from dialer.queue.lease import LeaseQueue

    client = aioredis.Redis.from_url(redis_url, decode_responses=True)
    try:
        contacts = [
            Contact(phone=p, timezone="America/New_York", first_name=f, last_name=last, state="DC")
            for p, f, last in rows
        ]
        await LeaseQueue(client).add_contacts(campaign_id, contacts, time.time())
    finally:
        await client.aclose()


def make_user(server: Running, email: str, name: str, role: str | None = None) -> str:
    """A signed-up account (role raised by the admin token when given); returns its bearer token."""
    with httpx.Client(base_url=server.base_url, timeout=10) as anon:
        r = anon.post("/api/auth/signup", json={"email": email, "name": name, "password": "a long password"})
        assert r.status_code == 201, r.text
        body = r.json()
    if role:
        with server.client() as admin:
            assert admin.put(f"/api/users/{body['user']['id']}/role", json={"role": role}).status_code == 200
    return str(body["token"])
