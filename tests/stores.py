"""Test-side Redis clients that work on a single Redis and on a Redis Cluster alike (REDIS_URL may name a
cluster node: see tools/redis_cluster.sh). Commands without keys (KEYS, DBSIZE) go to every primary."""

from __future__ import annotations

from typing import Any

import redis
import redis.asyncio as aioredis
from redis.cluster import RedisCluster

from dialer.connections import sync_client, uses_cluster

_open: dict[tuple[str, bool], redis.Redis] = {}


def open_store(url: str, *, decode_responses: bool = False) -> redis.Redis:
    """A synchronous client of the test database (a cluster client when `url` is a cluster node).

    One per URL for the whole session, closed by `close_stores` (conftest): tests use it in one-liners,
    and a cluster client, unlike a plain one, does not close its sockets when dropped."""
    key = (url, decode_responses)
    client = _open.get(key)
    if client is None:
        client = _open[key] = sync_client(url, decode_responses=decode_responses)
    return client


def close_stores() -> None:
    while _open:
        _open.popitem()[1].close()


def every_key(client: redis.Redis, pattern: str = "*") -> list[Any]:
    if uses_cluster(client):
        return list(client.keys(pattern, target_nodes=RedisCluster.PRIMARIES))  # type: ignore[call-arg]
    return list(client.keys(pattern))


def key_count(client: redis.Redis) -> int:
    return len(every_key(client))


async def async_key_count(client: aioredis.Redis) -> int:
    if uses_cluster(client):
        # The cluster client adds up the primaries' answers.
        return int(await client.dbsize(target_nodes="primaries"))  # type: ignore[call-arg]
    return int(await client.dbsize())


def audit_entries(url: str, campaign_id: str) -> list[dict[str, Any]]:
    """The campaign's audit log, oldest first (read with a client of its own, outside any event loop)."""
    import asyncio

    from dialer.connections import async_client
    from dialer.queue.audit import recent

    async def read() -> list[dict[str, Any]]:
        client = async_client(url)
        try:
            return await recent(client, campaign_id)
        finally:
            await client.aclose()

    return list(reversed(asyncio.run(read())))
