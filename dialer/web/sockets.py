"""Open sockets end when their account is disabled.

`AccountStore.set_disabled` publishes `{"type": "disabled", "user": uid}` on `keys.ACCOUNTS_EVENTS`; every
app process listens (`OpenSockets.run`, started by the composition root) and ends that user's sockets:
the socket's handler is cancelled (its clean-up runs) and the socket closed with 4401. Handlers are
wrapped by `ends_when_disabled`, so none of them needs to know.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Awaitable, Callable, Iterator

import anyio
import redis.asyncio as aioredis
import redis.exceptions
from starlette.websockets import WebSocket

from dialer.queue import keys
from dialer.stores.accounts import AccountStore, is_account
from dialer.web.auth import presented_token
from dialer.web.deps import deps

log = logging.getLogger("dialer.sockets")
Handler = Callable[[WebSocket], Awaitable[None]]
RETRY_SECONDS = 1.0
# The largest WebSocket frame the server reads (uvicorn's `ws_max_size`; `dialer serve` sets it): a bigger
# one closes the socket (1009) as it arrives. Each socket refuses far smaller messages itself (the call
# socket over 64 KiB, the live one over 4 KiB) with an answer; uvicorn's default, 16 MiB, let one
# volunteer's sockets hold 16 MiB of the server's memory each before being told so.
MAX_SOCKET_FRAME = 256 * 1024


class OpenSockets:
    def __init__(self, redis: aioredis.Redis) -> None:
        self.redis = redis
        self._ends: dict[str, set[anyio.Event]] = {}

    @contextlib.contextmanager
    def watch(self, user_id: str) -> Iterator[anyio.Event]:
        """An event set when the user's account is disabled, for as long as the socket is open."""
        event = anyio.Event()
        self._ends.setdefault(user_id, set()).add(event)
        try:
            yield event
        finally:
            events = self._ends.get(user_id, set())
            events.discard(event)
            if not events:
                self._ends.pop(user_id, None)

    def end(self, user_id: str) -> None:
        for event in self._ends.get(user_id, ()):
            event.set()

    def on_message(self, data: str) -> None:
        try:
            message = json.loads(data)
        except ValueError:
            return
        if isinstance(message, dict) and message.get("type") == "disabled":
            self.end(str(message.get("user", "")))

    async def run(self) -> None:
        """Listens for disabled accounts until cancelled (resubscribing after a lost connection)."""
        while True:
            try:
                async with self.redis.pubsub() as pubsub:
                    await pubsub.subscribe(keys.ACCOUNTS_EVENTS)
                    async for message in pubsub.listen():
                        if message.get("type") == "message":
                            self.on_message(str(message["data"]))
            except (redis.exceptions.RedisError, OSError) as exc:
                log.warning("accounts channel lost (%s); listening again shortly", exc)
                await anyio.sleep(RETRY_SECONDS)


def ends_when_disabled(handler: Handler) -> Handler:
    async def endpoint(ws: WebSocket) -> None:
        d = deps(ws)
        sockets: OpenSockets | None = d.services.get("sockets")
        # Who it is, without counting a bad token as a failed sign-in: the handler does that, once.
        token = presented_token(ws)
        user = await AccountStore(d.redis).user_for_token(token) if token else None
        if sockets is None or user is None or not is_account(user):
            await handler(ws)  # it refuses anonymous sockets itself
            return
        with sockets.watch(user.id) as disabled:
            async with anyio.create_task_group() as tg:

                async def serve() -> None:
                    try:
                        await handler(ws)
                    finally:
                        tg.cancel_scope.cancel()

                tg.start_soon(serve)
                await disabled.wait()
                tg.cancel_scope.cancel()
        if disabled.is_set():
            with contextlib.suppress(RuntimeError, OSError):
                await ws.close(code=4401, reason="this account has been disabled")

    endpoint.__name__ = getattr(handler, "__name__", "socket")
    return endpoint
