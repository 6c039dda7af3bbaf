"""Loads the `.lua` files beside this module and registers each once per connection."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any, cast

import redis.asyncio as aioredis
import redis.asyncio.cluster as aiocluster
import redis.exceptions
from redis.commands.core import AsyncScript


@cache
def source(name: str) -> str:
    return (resources.files("dialer.queue") / "lua" / f"{name}.lua").read_text(encoding="utf-8")


def script(client: aioredis.Redis, name: str) -> AsyncScript:
    """The registered script `name` for this client (EVALSHA, falling back to EVAL after a Redis restart)."""
    registry: dict[str, AsyncScript] = client.__dict__.setdefault("_dialer_scripts", {})
    found = registry.get(name)
    if found is None:
        found = registry[name] = client.register_script(source(name))
    return found


async def run(client: aioredis.Redis, name: str, keys: list[str], args: list[Any]) -> Any:
    found = script(client, name)
    if type(client) is aioredis.Redis:
        # EVALSHA straight to the client: AsyncScript's layers (argument tuples, imports and type checks
        # on every call, the evalsha wrappers) cost a status callback ~15 us of ~200 (bench/webhook_server.py)
        try:
            return await client.execute_command(  # type: ignore[no-untyped-call]
                "EVALSHA", found.sha, len(keys), *keys, *args
            )
        except redis.exceptions.NoScriptError:
            pass  # a restarted Redis: AsyncScript loads it again
    return await found(keys=keys, args=args)


# How long recording a result waits for a replica to have it (Redis Cluster with replicas only).
REPLICATION_TIMEOUT_MS = 1000


class NotReplicated(redis.exceptions.TimeoutError):
    """The change was made on the primary but no replica confirmed it in time: not acknowledged (503); a
    retry with the same idempotency key is safe."""


async def run_replicated(client: aioredis.Redis, name: str, keys: list[str], args: list[Any]) -> Any:
    """As `run`, and on a Redis Cluster whose slot has replicas, answers only once one of them has the
    change (`WAIT 1`), so that a primary's failover cannot lose what was acknowledged.

    WAIT counts the writes of the connection it is sent on, so the script and WAIT go in one pipeline to
    the slot's primary (one connection). On a single Redis, or a slot without replicas, this is `run`."""
    if not isinstance(client, aiocluster.RedisCluster):
        return await run(client, name, keys, args)
    # A client that has sent nothing yet has no slot map: without it every slot would look replica-less.
    await client.initialize()
    slot = client.keyslot(keys[0])
    if len(client.nodes_manager.slots_cache.get(slot, ())) < 2:  # the primary alone
        return await run(client, name, keys, args)
    found = script(cast(aioredis.Redis, client), name)
    for _ in range(2):
        primary = client.nodes_manager.get_node_from_slot(slot)
        async with client.pipeline(transaction=False) as pipe:
            pipe.evalsha(found.sha, len(keys), *keys, *args)
            pipe.execute_command("WAIT", 1, REPLICATION_TIMEOUT_MS, target_nodes=primary)
            reply, acked = await pipe.execute(raise_on_error=False)
        if isinstance(reply, redis.exceptions.NoScriptError):  # a new primary (failover) or a restart
            await client.script_load(found.script)
            continue
        if isinstance(reply, Exception):
            raise reply
        if isinstance(acked, Exception):
            raise acked
        if int(acked) < 1:
            raise NotReplicated(f"no replica confirmed {name} within {REPLICATION_TIMEOUT_MS} ms")
        return reply
    raise NotReplicated(f"{name}: the script could not be loaded on the slot's primary")
