"""Connections to the one store: the configured Redis, or the embedded server under the data dir."""

from __future__ import annotations

import redis
import redis.asyncio as aioredis
from redis.asyncio.retry import Retry as AsyncRetry
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

from dialer.embedded import EmbeddedRedis
from dialer.settings import Settings

# Retries smooth over a Redis restart (a few seconds); past them a request fails with 503, not a hang.
_RETRY_ERRORS = [redis.ConnectionError, redis.TimeoutError]


def async_client(url: str, *, max_connections: int = 200) -> aioredis.Redis:
    return aioredis.Redis.from_url(
        url,
        decode_responses=True,
        socket_connect_timeout=2,
        socket_timeout=10,
        health_check_interval=15,
        retry=AsyncRetry(ExponentialBackoff(cap=1.0, base=0.05), 3),
        retry_on_error=_RETRY_ERRORS,
        max_connections=max_connections,
    )


def sync_client(url: str, *, decode_responses: bool = True) -> redis.Redis:
    return redis.Redis.from_url(
        url,
        decode_responses=decode_responses,
        socket_connect_timeout=2,
        socket_timeout=30,
        health_check_interval=15,
        retry=Retry(ExponentialBackoff(cap=1.0, base=0.05), 3),
        retry_on_error=_RETRY_ERRORS,
    )


def resolve_url(settings: Settings) -> tuple[str, EmbeddedRedis | None]:
    """The Redis URL to use, starting (or attaching to) the embedded server when REDIS_URL is unset."""
    if settings.redis_url:
        return settings.redis_url, None
    server = EmbeddedRedis(settings.data_dir)
    return server.start(), server
