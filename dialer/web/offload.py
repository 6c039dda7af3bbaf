"""CPU work that a request brings (parsing and checking a script, normalizing a big phone list) runs in a
worker thread, so the event loop keeps answering everyone else (and /healthz) meanwhile.

At most `Deps.parsing` such jobs run at once (one per core, set by the composition root): a burst of heavy
uploads waits its turn instead of starving the process of CPU. The work itself must be pure (no Redis, no
awaiting): hand it the data, take its result back, and do the I/O on the loop.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar, TypeVarTuple, Unpack

import anyio.to_thread
from starlette.requests import HTTPConnection

from dialer.web.deps import deps

T = TypeVar("T")
Ts = TypeVarTuple("Ts")


async def offload(conn: HTTPConnection, fn: Callable[[Unpack[Ts]], T], *args: *Ts) -> T:
    """`fn(*args)` in a worker thread, within the app's limit of concurrent CPU work."""
    return await anyio.to_thread.run_sync(fn, *args, limiter=deps(conn).parsing)
