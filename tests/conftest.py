"""Shared fixtures.

Integration tests run against a real Redis: `REDIS_URL` when set (each test flushes that database, so
point it at a database nothing else uses, e.g. redis://127.0.0.1:6379/9), otherwise an embedded server
started once for the session in a temporary directory. `REDIS_URL` may name a node of a Redis Cluster
(tools/redis_cluster.sh; a cluster has only database 0, so every primary is flushed: use a cluster of its
own), with `RQ_REDIS_URL` naming a plain Redis for the job queues.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import redis.asyncio as aioredis
from hypothesis import settings as hypothesis_settings
from playwright.sync_api import Browser, Playwright, sync_playwright
from redis import Redis as SyncRedis
from starlette.testclient import TestClient

from dialer.app import create_app
from dialer.connections import async_client, sync_client
from dialer.embedded import EmbeddedRedis
from dialer.settings import Settings
from tests.servers import ADMIN_TOKEN
from tests.stores import close_stores

# Property tests check what the code does, not how fast: a 200 ms per-example deadline turns a busy
# two-core CI machine into a failure (seen once locally: a first example slow while the imports warmed up).
hypothesis_settings.register_profile("dialer", deadline=None, print_blob=True)
hypothesis_settings.load_profile("dialer")


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
    """One Playwright for the session, shared by tests/browser and tests/security (mark them `browser`)."""
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = os.environ.get("REDIS_URL")
    if url:
        yield url
        return
    server = EmbeddedRedis(tmp_path_factory.mktemp("embedded-redis"))
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(scope="session", autouse=True)
def _close_stores() -> Iterator[None]:
    yield
    close_stores()


@pytest.fixture
def clean_redis(redis_url: str) -> Iterator[str]:
    """A real Redis database emptied before the test; yields its URL."""
    client = sync_client(redis_url, decode_responses=False)
    client.flushdb()  # on a cluster: every primary
    client.close()
    rq = os.environ.get("RQ_REDIS_URL")
    if rq and rq != redis_url:  # the job queues, on a Redis of their own beside a cluster
        queues = SyncRedis.from_url(rq)
        queues.flushdb()
        queues.close()
    yield redis_url


@pytest.fixture
async def redis(clean_redis: str) -> AsyncIterator[aioredis.Redis]:
    """An async client on the emptied test database, configured as the app configures its own."""
    client = async_client(clean_redis)
    try:
        yield client
    finally:
        await client.aclose()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def output_dir() -> Path:
    """Where tests save artifacts (screenshots, reports) for a person to look at."""
    path = Path(os.environ.get("DIALER_TEST_OUTPUT", "test-output"))
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def app_settings(clean_redis: str, tmp_path: Path) -> Settings:
    """Settings for an in-process app on the test database, with a fixed admin token and secret."""
    return Settings(
        redis_url=clean_redis,
        rq_redis_url=os.environ.get("RQ_REDIS_URL") or None,
        data_dir=tmp_path / "var",
        secret_key="test-secret-key",
        admin_token=ADMIN_TOKEN,
        public_url="http://testserver",
    )


@pytest.fixture
def api(app_settings: Settings) -> Iterator[TestClient]:
    """A TestClient (lifespan running) on a fresh app; requests are anonymous unless they pass headers."""
    with TestClient(create_app(app_settings), raise_server_exceptions=False) as client:
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


ADMIN = bearer(ADMIN_TOKEN)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Browser tests run last: Playwright's sync API keeps an event loop running on the main thread for as
    long as its session fixture lives, and tests after it that call asyncio.run() would fail."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
