"""What route handlers get from the composition root (`app.state.deps`), instead of looking up globals."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import anyio
import redis.asyncio as aioredis
from starlette.requests import HTTPConnection

from dialer.passwords import HashPool
from dialer.settings import Settings


@dataclass
class Deps:
    settings: Settings
    redis: aioredis.Redis
    clock: Callable[[], float]
    secret_key: str
    carrier: Any = None
    # Bounds concurrent argon2 work (sign-up, sign-in); None hashes without a bound (tests' own apps).
    hashing: HashPool | None = None
    # Bounds the CPU work requests run off the event loop (web/offload.py); None: anyio's default limiter.
    parsing: anyio.CapacityLimiter | None = None
    # Services added by later layers (queue, script store, live fan-out), by name.
    services: dict[str, Any] = field(default_factory=dict)


def deps(conn: HTTPConnection) -> Deps:
    """The dependencies of the app serving this request or WebSocket."""
    value = conn.app.state.deps
    assert isinstance(value, Deps)
    return value
