"""Open sockets end when their account is disabled, their session signs out, or their role drops.

`AccountStore` publishes on `keys.ACCOUNTS_EVENTS`: `{"type": "disabled", "user"}` (every socket of the
user ends), `{"type": "signed_out", "user", "token"}` (the sockets opened with that token, by its hash),
`{"type": "role", "user", "role"}` (the sockets that need a higher role than the new one: a demoted
organizer's live dashboard) and `{"type": "sessions_ended", "user", "keep"}` (a new password: every socket
of the user but those of the session whose token hash is `keep`, which may be empty). Every app process
listens (`OpenSockets.run`, started by the composition root) and ends those sockets: the socket's handler
is cancelled (its clean-up runs) and the socket closed, with 4401 (disabled, signed out) or 4403 (role too
low now). Handlers are wrapped by `ends_when_disabled`, so none of them needs to know. A socket's handshake
is checked as before; this ends the ones already open, which otherwise went on for as long as their page
stayed (found by an attacker's probe). An account holds at most `MAX_SOCKETS_PER_ACCOUNT` sockets on one
process; one more is accepted and closed at once with 4429.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field

import anyio
import redis.asyncio as aioredis
import redis.exceptions
from starlette.websockets import WebSocket

from dialer.models import Role
from dialer.queue import keys
from dialer.stores.accounts import AccountStore, hash_token, is_account
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
# Sockets one account may hold open on one web process (call pages and live dashboards together): a few
# tabs and devices are far below it. Without a bound, any account (sign-up is open) could hold thousands,
# each with its task, buffers and subscriptions (500 took 15 MB of one process and nothing refused them).
MAX_SOCKETS_PER_ACCOUNT = 20
TOO_MANY = 4429


@dataclass(eq=False)
class Watch:
    """One open socket's end: set (with the close code to use) when its account, session or role goes."""

    token: str  # the hash of the token it was opened with
    needs: Role
    ended: anyio.Event = field(default_factory=anyio.Event)
    code: int = 4401
    reason: str = "this account has been disabled"

    def end(self, code: int, reason: str) -> None:
        if not self.ended.is_set():
            self.code, self.reason = code, reason
            self.ended.set()


class OpenSockets:
    def __init__(self, redis: aioredis.Redis) -> None:
        self.redis = redis
        self._ends: dict[str, set[Watch]] = {}

    @contextlib.contextmanager
    def watch(self, user_id: str, token: str = "", needs: Role = Role.VOLUNTEER) -> Iterator[Watch]:
        """Ended when the user's account is disabled, the session with `token` (its hash) signs out, or
        the user's role no longer includes `needs`, for as long as the socket is open."""
        watch = Watch(token, needs)
        self._ends.setdefault(user_id, set()).add(watch)
        try:
            yield watch
        finally:
            watches = self._ends.get(user_id, set())
            watches.discard(watch)
            if not watches:
                self._ends.pop(user_id, None)

    def open_count(self, user_id: str) -> int:
        return len(self._ends.get(user_id, ()))

    def end(self, user_id: str) -> None:
        for watch in list(self._ends.get(user_id, ())):
            watch.end(4401, "this account has been disabled")

    def on_message(self, data: str) -> None:
        try:
            message = json.loads(data)
        except ValueError:
            return
        if not isinstance(message, dict):
            return
        kind, user = message.get("type"), str(message.get("user", ""))
        if kind == "disabled":
            self.end(user)
        elif kind == "signed_out":
            for watch in list(self._ends.get(user, ())):
                if watch.token and watch.token == message.get("token"):
                    watch.end(4401, "signed out")
        elif kind == "sessions_ended":  # the password changed: every session but the changer's ends
            for watch in list(self._ends.get(user, ())):
                if watch.token != message.get("keep"):
                    watch.end(4401, "signed out: the password changed")
        elif kind == "role":
            try:
                role = Role(str(message.get("role")))
            except ValueError:
                return
            for watch in list(self._ends.get(user, ())):
                if not role.includes(watch.needs):
                    watch.end(4403, f"this needs the {watch.needs.value} role")

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


def ends_when_disabled(handler: Handler, needs: Role = Role.VOLUNTEER) -> Handler:
    """`handler`, ended when its user is disabled, its session signs out, or its role drops below `needs`
    (the role the handler itself requires at the handshake)."""

    async def endpoint(ws: WebSocket) -> None:
        d = deps(ws)
        sockets: OpenSockets | None = d.services.get("sockets")
        # Who it is, without counting a bad token as a failed sign-in: the handler does that, once.
        token = presented_token(ws)
        user = await AccountStore(d.redis).user_for_token(token) if token else None
        if sockets is None or token is None or user is None or not is_account(user):
            await handler(ws)  # it refuses anonymous sockets itself
            return
        if sockets.open_count(user.id) >= MAX_SOCKETS_PER_ACCOUNT:  # no await before `watch` adds this one
            await ws.accept()
            await ws.close(
                code=TOO_MANY, reason=f"at most {MAX_SOCKETS_PER_ACCOUNT} open sockets per account"
            )
            return
        with sockets.watch(user.id, hash_token(token), needs) as watch:
            async with anyio.create_task_group() as tg:

                async def serve() -> None:
                    try:
                        await handler(ws)
                    finally:
                        tg.cancel_scope.cancel()

                tg.start_soon(serve)
                await watch.ended.wait()
                tg.cancel_scope.cancel()
        if watch.ended.is_set():
            with contextlib.suppress(RuntimeError, OSError):
                await ws.close(code=watch.code, reason=watch.reason)

    endpoint.__name__ = getattr(handler, "__name__", "socket")
    return endpoint
