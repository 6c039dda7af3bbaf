"""Connections to the one store: the configured Redis, or the embedded server under the data dir.

`REDIS_URL` may name a single Redis or any node of a Redis Cluster: the first client made for a URL asks
the server (`INFO cluster`) and, on a cluster, the dialer gets redis-py's cluster clients instead. Nothing
else changes: every multi-key script and transaction stays in one campaign's slot (`keys.tag`), and the
cluster client routes each command by its keys. RQ does not speak Redis Cluster, so its queues need a
plain Redis of their own (`RQ_REDIS_URL`, see `rq_url`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import cast
from urllib.parse import urlsplit

import redis
import redis.asyncio as aioredis
import redis.asyncio.cluster as aiocluster
import redis.cluster
from redis.asyncio.retry import Retry as AsyncRetry
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

from dialer.embedded import EmbeddedRedis
from dialer.settings import Settings

log = logging.getLogger("dialer.connections")

# Retries smooth over a Redis restart (a few seconds); past them a request fails with 503, not a hang.
_RETRY_ERRORS = [redis.ConnectionError, redis.TimeoutError]
# On a cluster a primary's failover takes a few seconds (node timeout + election): retry for longer, and
# let the cluster client refresh its slot map between tries.
_CLUSTER_RETRIES = 8


class RQNeedsPlainRedis(Exception):
    """REDIS_URL is a cluster and RQ_REDIS_URL is missing (or also a cluster): RQ cannot use a cluster."""


_known: dict[str, bool] = {}


def shown(url: str) -> str:
    """`url` fit for logs and messages: its password replaced by ***."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    host = f"{host}:{parts.port}" if parts.port else host
    return parts._replace(netloc=f"{user}:***@{host}").geturl()


def probe(url: str) -> bool | None:
    """Whether `url` names a node of a Redis Cluster: True or False as the server answered (kept for the
    process), or None when it could not be reached (not kept: the next call asks again)."""
    known = _known.get(url)
    if known is not None:
        return known
    parts = urlsplit(url)
    if parts.scheme == "unix" or not parts.hostname:
        return False
    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
    try:
        found = bool(client.info("cluster").get("cluster_enabled"))
    except (redis.ConnectionError, redis.TimeoutError) as exc:
        log.warning("could not reach Redis at %s to ask whether it is a cluster (%s)", shown(url), exc)
        return None
    except redis.ResponseError:  # a server or proxy without INFO sections
        found = False
    finally:
        client.close()
    _known[url] = found
    return found


def is_cluster(url: str) -> bool:
    """True when `url` names a node of a Redis Cluster (asked once per URL and process).

    A Unix socket (the embedded server) is never a cluster. A server that cannot be reached is taken for a
    single Redis and asked again next time; `serve` and `worker` wait for an answer first (`wait_for`), so
    a cluster down at start-up is not taken for a single Redis for the process' life."""
    return bool(probe(url))


def wait_for(
    url: str,
    seconds: float,
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> bool:
    """Asks `url` until it answers whether it is a cluster, at most `seconds`; False if it never did."""
    deadline = clock() + seconds
    while probe(url) is None:
        if clock() >= deadline:
            return False
        sleep(1.0)
    return True


def _cluster_url(url: str) -> str:
    # A cluster has only database 0; redis-py's cluster client refuses any other number in the URL.
    parts = urlsplit(url)
    return parts._replace(path="").geturl() if parts.path.strip("/") in ("", "0") else url


def async_client(url: str, *, max_connections: int = 200, decode_responses: bool = True) -> aioredis.Redis:
    if is_cluster(url):
        cluster = aiocluster.RedisCluster.from_url(
            _cluster_url(url),
            decode_responses=decode_responses,
            socket_connect_timeout=2,
            socket_timeout=10,
            health_check_interval=15,
            retry=AsyncRetry(ExponentialBackoff(cap=1.0, base=0.1), _CLUSTER_RETRIES),
            retry_on_error=_RETRY_ERRORS,
            max_connections=max_connections,  # per node
        )
        # The cluster client speaks the same commands (routed by key) and runs the same Script objects; it
        # is typed as the plain client the code is written against.
        return cast(aioredis.Redis, cluster)
    return aioredis.Redis.from_url(
        url,
        decode_responses=decode_responses,
        socket_connect_timeout=2,
        socket_timeout=10,
        health_check_interval=15,
        retry=AsyncRetry(ExponentialBackoff(cap=1.0, base=0.05), 3),
        retry_on_error=_RETRY_ERRORS,
        max_connections=max_connections,
    )


def sync_client(url: str, *, decode_responses: bool = True) -> redis.Redis:
    if is_cluster(url):
        cluster = redis.cluster.RedisCluster.from_url(
            _cluster_url(url),
            decode_responses=decode_responses,
            socket_connect_timeout=2,
            socket_timeout=30,
            health_check_interval=15,
            retry=Retry(ExponentialBackoff(cap=1.0, base=0.1), _CLUSTER_RETRIES),
            retry_on_error=_RETRY_ERRORS,
        )
        return cast(redis.Redis, cluster)
    return plain_sync_client(url, decode_responses=decode_responses)


def plain_sync_client(url: str, *, decode_responses: bool = True) -> redis.Redis:
    """A client of one Redis server, never a cluster's (RQ's connection)."""
    return redis.Redis.from_url(
        url,
        decode_responses=decode_responses,
        socket_connect_timeout=2,
        socket_timeout=30,
        health_check_interval=15,
        retry=Retry(ExponentialBackoff(cap=1.0, base=0.05), 3),
        retry_on_error=_RETRY_ERRORS,
    )


async def connected(client: aioredis.Redis) -> None:
    """Reads a cluster client's slot map now (a no-op on a single Redis), before tasks share the client:
    otherwise the first command of each does it, and one cancelled midway (a pub/sub task at shutdown)
    leaves a connection behind."""
    if isinstance(client, aiocluster.RedisCluster):
        await client.initialize()


def uses_cluster(client: object) -> bool:
    """True for a client made by `async_client`/`sync_client` on a cluster."""
    return isinstance(client, aiocluster.RedisCluster | redis.cluster.RedisCluster)


def rq_url(settings: Settings, redis_url: str) -> str:
    """The Redis of RQ's job queues: RQ_REDIS_URL, else the main Redis unless that is a cluster.

    Raises RQNeedsPlainRedis with what to do when REDIS_URL is a cluster and RQ_REDIS_URL is missing."""
    if settings.rq_redis_url:
        if is_cluster(settings.rq_redis_url):
            raise RQNeedsPlainRedis(
                "RQ_REDIS_URL names a Redis Cluster node; RQ (the job queues) needs a plain Redis server."
            )
        return settings.rq_redis_url
    if is_cluster(redis_url):
        raise RQNeedsPlainRedis(
            "REDIS_URL names a Redis Cluster, and RQ (the job queues) does not speak Redis Cluster: set "
            "RQ_REDIS_URL to a plain Redis server for the queues (jobs carry only ids; their data stays in "
            "the cluster), e.g. RQ_REDIS_URL=redis://queues-host:6379/0"
        )
    return redis_url


def resolve_url(settings: Settings) -> tuple[str, EmbeddedRedis | None]:
    """The Redis URL to use, starting (or attaching to) the embedded server when REDIS_URL is unset."""
    if settings.redis_url:
        return settings.redis_url, None
    server = EmbeddedRedis(settings.data_dir)
    return server.start(), server
