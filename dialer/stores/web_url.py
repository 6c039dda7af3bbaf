"""Where the web app listens, for the worker's carrier callbacks.

Callback URLs are built on PUBLIC_URL, by default `http://127.0.0.1:<port>` (API.md). `dialer worker` has no
port of its own: on the default it built them on port 8000, so `dialer serve --port 9000` beside a worker
had every power and predictive call's webhooks sent to the wrong port (the simulated carrier's never arrived;
Twilio's would not either). `dialer serve` now publishes its base URL here as it starts, and the worker's
pacer reads it when PUBLIC_URL is unset (and follows it when it changes); PUBLIC_URL set always wins.

The URL lives while its serve does: published for `TTL_SECONDS`, kept fresh by that serve every
`REFRESH_SECONDS` (`keep_published`). With several `dialer serve` on different ports, the last to start
published its URL and the others never again: killed, it took every later call's webhooks with it (no voter
bridged) though two serves were still up. Now its URL expires and a live serve's takes its place; a live
owner is never displaced (the worker would restart its pacers at each change).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace

import redis.asyncio as aioredis
import redis.exceptions as redis_errors

from dialer.queue import keys
from dialer.settings import Settings

log = logging.getLogger("dialer.worker")

POLL_SECONDS = 0.5
WAIT_POLLS = 60  # ~30 s for `dialer serve` to come up (a Procfile starts both at once), then the default
TTL_SECONDS = 8  # a published URL outlives its serve by at most this: calls placed meanwhile are lost
REFRESH_SECONDS = 2.0


async def publish(redis: aioredis.Redis, settings: Settings) -> None:
    """The web app's own base URL, for the worker (the last `dialer serve` to start wins)."""
    await redis.set(keys.WEB_BASE_URL, settings.base_url, ex=TTL_SECONDS)


async def refresh(redis: aioredis.Redis, settings: Settings) -> bool:
    """One beat of a running serve: its own URL kept alive, or taken up when none is published (its
    serve is gone). True when the published URL is this serve's."""
    url = settings.base_url
    if await redis.set(keys.WEB_BASE_URL, url, ex=TTL_SECONDS, nx=True):
        return True
    if await published(redis) == url:
        await redis.expire(keys.WEB_BASE_URL, TTL_SECONDS)
        return True
    return False


async def keep_published(
    redis: aioredis.Redis,
    settings: Settings,
    *,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> None:
    """`refresh` every REFRESH_SECONDS while the serve runs (its lifespan's task group cancels it)."""
    while True:
        await sleep(REFRESH_SECONDS)
        try:
            await refresh(redis, settings)
        except (redis_errors.ConnectionError, redis_errors.TimeoutError, OSError) as exc:
            log.debug("could not refresh the published URL: %s", exc)  # Redis restarting: next beat


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
