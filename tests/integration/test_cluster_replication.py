"""Acknowledged means replicated, on a Redis Cluster with replicas: a result no replica confirmed is 503
`not_replicated`, and its retry is acknowledged only once a replica has the first recording, even when the
retry reaches another connection (another web process) that wrote nothing before.

Only in the cluster run (REDIS_URL naming a cluster node with replicas, as CI's cluster step does): it
stops the slot's replica (SIGSTOP) for about two seconds, which a single Redis has not got.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import redis as sync_redis

from dialer.connections import async_client, is_cluster, sync_client
from dialer.contacts import Contact
from dialer.models import ResultCode
from dialer.queue import keys
from dialer.queue.lease import Batch, LeaseQueue
from dialer.queue.lua_scripts import NotReplicated
from dialer.queue.results import ResultInput, RetryPolicy, record_result

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.skipif(
        not is_cluster(os.environ.get("REDIS_URL") or "unix:///"),
        reason="the cluster run only (REDIS_URL names a cluster node): it stops a replica of the cluster",
    ),
]

POLICY = RetryPolicy(max_attempts=3, retry_minutes=240)
NY = "America/New_York"


@contextmanager
def replica_stopped(url: str, key: str) -> Iterator[None]:
    """The replica of `key`'s slot stopped (SIGSTOP) inside the block: it receives nothing and acks
    nothing; continued (SIGCONT) after, when it catches up from its primary."""
    client = sync_client(url)
    try:
        nodes = client.nodes_manager.slots_cache[client.keyslot(key)]  # type: ignore[attr-defined]
        if len(nodes) < 2:
            pytest.fail(f"the cluster at {url} has no replica for {key}'s slot: start it with replicas")
        replica = nodes[1]
    finally:
        client.close()
    plain = sync_redis.Redis(host=replica.host, port=int(replica.port))
    try:
        pid = int(plain.info("server")["process_id"])
    finally:
        plain.close()
    os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(pid, signal.SIGCONT)


async def test_a_retry_after_not_replicated_waits_for_the_replica_again(clean_redis: str) -> None:
    first = async_client(clean_redis)
    other = async_client(clean_redis)  # the retry's web process: a connection that wrote nothing yet
    try:
        queue = LeaseQueue(first)
        # The server's own clock: the batch's keys expire by it, and an expired key deleted while the
        # retry reads it would be a write of the retry's own (which this test must not lean on).
        seconds, micros = await first.time()  # type: ignore[misc]
        t0 = seconds + micros / 1e6
        contact = Contact(phone="+12025550142", timezone=NY, external_id="r1", first_name="Ann")
        assert await queue.add_contacts("rep", [contact], t0) == (1, 0)
        batch = await queue.claim(
            "rep", "alice", batch_size=1, lease_seconds=600, open_zones=[NY], now=t0, max_attempts=3
        )
        assert isinstance(batch, Batch)
        result = ResultInput(contact_id=batch.contacts[0].id, result=ResultCode.REFUSED, idempotency_key="k1")

        async def send(client: object) -> bool:
            recorded = await record_result(
                client,  # type: ignore[arg-type]
                "rep",
                batch.id,
                "alice",
                result,
                policy=POLICY,
                now=t0 + 5,
            )
            return recorded.duplicate

        with replica_stopped(clean_redis, keys.results("rep")):
            with pytest.raises(NotReplicated):
                await send(first)
            # The same result again, on a connection of its own: the first recording is still on the
            # primary alone, so this is no acknowledgement either.
            with pytest.raises(NotReplicated):
                await send(other)
        assert await send(other) is True  # the replica is back: the retry is acknowledged, as a duplicate
        assert await first.xlen(keys.results("rep")) == 1
    finally:
        await first.aclose()
        await other.aclose()
