"""The live tests' harness (no tests here): the app served by uvicorn in a thread, and a campaign whose
results are recorded through the real queue.

In-process servers let the tests look at the live service (`LiveServer.hub`); the test of two web processes
uses real `dialer serve` subprocesses instead (tests/servers.py).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import redis.asyncio as aioredis
import uvicorn
from starlette.applications import Starlette

from dialer.app import create_app
from dialer.campaigns import Campaign
from dialer.contacts import Contact
from dialer.live import LiveHub
from dialer.models import ResultCode
from dialer.queue.lease import Batch, LeaseQueue
from dialer.queue.results import ResultInput, RetryPolicy, record_result
from dialer.settings import Settings
from dialer.stores.campaigns import CampaignStore
from tests.servers import ADMIN_TOKEN, free_port

NY = "America/New_York"
AREA_CODES = ("202", "312", "415", "617", "213", "305", "404", "512", "206", "303")
POLICY = RetryPolicy(max_attempts=3, retry_minutes=240)


def fictional_phone(i: int) -> str:
    """The i-th of 1,000 fictional numbers: 555-0100..555-0199 in ten real area codes."""
    return f"+1{AREA_CODES[i // 100]}555{100 + i % 100:04d}"


@dataclass
class LiveServer:
    app: Starlette
    port: int
    server: uvicorn.Server
    thread: threading.Thread

    @property
    def hub(self) -> LiveHub:
        hub: LiveHub = self.app.state.deps.services["live"]
        return hub

    def ws_url(self, campaign_id: str, token: str | None = ADMIN_TOKEN) -> str:
        query = f"?token={token}" if token else ""
        return f"ws://127.0.0.1:{self.port}/ws/campaigns/{campaign_id}/live{query}"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_subscribed(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not self.hub.subscribed:
            if time.monotonic() > deadline:
                raise TimeoutError("the live service did not subscribe")
            time.sleep(0.01)


@contextlib.contextmanager
def serve(settings: Settings, ws: str = "websockets-sansio") -> Iterator[LiveServer]:
    """The app as dialer/app.py composes it, on uvicorn in a background thread on a free port (with
    `dialer serve`'s WebSocket protocol unless `ws` names another of uvicorn's)."""
    port = free_port()
    app = create_app(settings.with_port(port))
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on", ws=ws)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    live = LiveServer(app, port, server, thread)
    try:
        live.wait_subscribed()
        yield live
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        assert not thread.is_alive(), "uvicorn did not shut down"


def settings_for(redis_url: str, tmp_path: Path, public_url: str | None = None) -> Settings:
    return Settings(
        redis_url=redis_url,
        data_dir=tmp_path / "var",
        secret_key="test-secret-key",
        admin_token=ADMIN_TOKEN,
        public_url=public_url,
    )


class Campaigner:
    """A campaign with contacts held in one batch, and results recorded through the real queue."""

    def __init__(self, redis: aioredis.Redis, campaign_id: str, now: float) -> None:
        self.redis = redis
        self.campaign_id = campaign_id
        self.now = now
        self.batch: Batch | None = None
        self.next = 0

    async def create(self, contacts: int, goal: int | None = 500) -> Campaign:
        campaign = Campaign(
            id=self.campaign_id, name="Live test", script_id="gotv", caller_id="+12025550142", goal=goal
        )
        assert await CampaignStore(self.redis).create(campaign)
        queue = LeaseQueue(self.redis)
        people = [Contact(phone=fictional_phone(i), timezone=NY) for i in range(contacts)]
        assert (await queue.add_contacts(self.campaign_id, people, self.now))[0] == contacts
        batch = await queue.claim(
            self.campaign_id,
            "vol-1",
            batch_size=contacts,
            lease_seconds=3600,
            open_zones=[NY],
            now=self.now,
            max_attempts=3,
        )
        assert isinstance(batch, Batch) and len(batch.contacts) == contacts
        self.batch = batch
        return campaign

    async def record(self, n: int = 1, result: ResultCode = ResultCode.CONTACTED) -> None:
        assert self.batch is not None
        for _ in range(n):
            contact = self.batch.contacts[self.next]
            self.next += 1
            await record_result(
                self.redis,
                self.campaign_id,
                self.batch.id,
                "vol-1",
                ResultInput(contact.id, result, idempotency_key=f"k-{contact.id}"),
                policy=POLICY,
                now=self.now,
                volunteer_name="Vera",
            )
