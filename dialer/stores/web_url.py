"""Where the web app listens, for the worker's carrier callbacks.

Callback URLs are built on PUBLIC_URL, by default `http://127.0.0.1:<port>` (API.md). `dialer worker` has no
port of its own: on the default it built them on port 8000, so `dialer serve --port 9000` beside a worker
had every power and predictive call's webhooks sent to the wrong port (the simulated carrier's never arrived;
Twilio's would not either). `dialer serve` now publishes its base URL here as it starts, and the worker's
pacer reads it when PUBLIC_URL is unset; PUBLIC_URL set always wins.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace

import redis.asyncio as aioredis

from dialer.queue import keys
from dialer.settings import Settings

log = logging.getLogger("dialer.worker")

POLL_SECONDS = 0.5
WAIT_POLLS = 60  # ~30 s for `dialer serve` to come up (a Procfile starts both at once), then the default


async def publish(redis: aioredis.Redis, settings: Settings) -> None:
    """The web app's own base URL, for the worker (the last `dialer serve` to start wins)."""
    await redis.set(keys.WEB_BASE_URL, settings.base_url)


async def published(redis: aioredis.Redis) -> str | None:
    value = await redis.get(keys.WEB_BASE_URL)
    if value is None:
        return None
    url = value.decode() if isinstance(value, bytes) else str(value)
    return url if url.startswith(("http://", "https://")) else None


async def for_worker(
    redis: aioredis.Redis,
    settings: Settings,
    *,
    stop: Callable[[], bool] = lambda: False,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    polls: int = WAIT_POLLS,
) -> Settings:
    """The worker's settings with callbacks on the web app's URL: PUBLIC_URL when set, else the one
    `dialer serve` published (waited for a while, as the worker may start first), else the default."""
    if settings.public_url:
        return settings
    for n in range(polls):
        url = await published(redis)
        if url is not None:
            log.info("carrier callbacks go to %s (published by dialer serve; set PUBLIC_URL to choose)", url)
            return replace(settings, public_url=url)
        if stop():
            break
        if n == 0:
            log.info("waiting for dialer serve to publish its URL (or set PUBLIC_URL)")
        await sleep(POLL_SECONDS)
    log.warning("dialer serve has not published its URL: carrier callbacks go to %s", settings.base_url)
    return settings
