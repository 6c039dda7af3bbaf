"""Loads the `.lua` files beside this module and registers each once per connection."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import redis.asyncio as aioredis
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
    return await script(client, name)(keys=keys, args=args)
