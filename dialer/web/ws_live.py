"""`/ws/campaigns/{id}/live`: the organizer dashboard's live counters (API.md, WebSockets).

Admission: the socket is accepted first and then closed with an application code when it may not stay, so
that browsers (which see no HTTP status of a refused handshake) can tell why: 4403 for a foreign Origin,
4401 when anonymous, 4403 when the role is below organizer, 4404 for an unknown campaign, 1011 when the
store is unavailable. Nothing is sent before admission succeeds.

Then: a `stats` message at once, and a fresh one within a second of every change (dialer/live.py coalesces).
A receiver task reads client messages (`ping` -> `pong`; malformed -> `error`, and the socket goes on) and
a sender task writes what is queued for the socket, closing it (1008) when one send has been stuck for
SEND_TIMEOUT (a client that stopped reading); the two run in one task group and end together.
Under `dialer serve` most stats skip the sender: the hub writes them to the connection itself when nothing
is queued and the connection takes them without waiting (dialer/web/frame_writer.py).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import redis.exceptions
from starlette.routing import BaseRoute, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from dialer.live import LiveHub, Mailbox
from dialer.models import Role
from dialer.stores.campaigns import CampaignStore
from dialer.web.auth import require_user
from dialer.web.deps import deps
from dialer.web.errors import ApiError, socket_gone
from dialer.web.frame_writer import frame_writer
from dialer.web.security import check_origin
from dialer.web.sockets import ends_when_disabled

log = logging.getLogger("dialer.web")

SEND_TIMEOUT = 10.0  # a socket that cannot take one message in this long is closed (it only falls behind)
CLOSE_TIMEOUT = 2.0
MAX_CLIENT_MESSAGE = 4096  # characters; the client only ever needs to send a ping


class Refused(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


async def _admit(ws: WebSocket) -> str:
    """The campaign id the socket may watch, or Refused."""
    d = deps(ws)
    if not check_origin(ws, d.settings):  # the one rule for every socket (dialer/web/security.py)
        raise Refused(4403, "cross-origin socket refused")
    try:
        await require_user(ws, Role.ORGANIZER)
    except ApiError as exc:
        raise Refused(4401 if exc.status == 401 else 4403, exc.message[:120]) from None
    campaign_id = str(ws.path_params["id"])
    if await CampaignStore(d.redis).get(campaign_id) is None:
        raise Refused(4404, "no such campaign")
    return campaign_id


def _reply(text: str) -> dict[str, Any] | None:
    """The answer to one client text message, or None when it is to be ignored."""
    if len(text) > MAX_CLIENT_MESSAGE:
        return {"type": "error", "code": "malformed", "message": "message too long"}
    try:
        message = json.loads(text)
    except ValueError:
        return {"type": "error", "code": "malformed", "message": "not JSON"}
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        return {"type": "error", "code": "malformed", "message": 'expected an object with a string "type"'}
    handler = HANDLERS.get(message["type"])
    return handler(message) if handler else None  # other types: nothing to do on this socket


def _pong(message: dict[str, Any]) -> dict[str, Any]:
    return {"type": "pong"}


HANDLERS = {"ping": _pong}


class _Socket:
    """One admitted socket: the receiver and the sender, sharing what they know."""

    def __init__(self, ws: WebSocket, mailbox: Mailbox) -> None:
        self.ws = ws
        self.mailbox = mailbox
        self.close_with = (1000, "")

    async def receive(self) -> None:
        while True:
            frame = await self.ws.receive()
            if frame["type"] == "websocket.disconnect":
                return
            text = frame.get("text")
            if text is None:
                reply: dict[str, Any] | None = {
                    "type": "error",
                    "code": "malformed",
                    "message": "binary frames are not accepted; send JSON text",
                }
            else:
                reply = _reply(text)
            if reply is not None:
                self.mailbox.offer_control(reply)

    async def send(self) -> None:
        while True:
            texts = await self.mailbox.take()
            if not texts:  # closed by the service
                self.close_with = self.mailbox.closed or (1001, "")
                return
            for text in texts:
                # A deadline per send: most stats skip this task (web/frame_writer.py), so sends here are
                # few, and no socket needs a task waking up to watch it.
                with anyio.move_on_after(SEND_TIMEOUT) as sending:
                    await self.ws.send_text(text)
                if sending.cancelled_caught:
                    log.info(
                        "live: closing a socket of campaign %s that stopped reading", self.mailbox.campaign_id
                    )
                    self.close_with = (1008, "too slow")
                    return


async def _close(ws: WebSocket, code: int, reason: str) -> None:
    if ws.application_state != WebSocketState.CONNECTED or ws.client_state != WebSocketState.CONNECTED:
        return
    with anyio.CancelScope(shield=True), anyio.move_on_after(CLOSE_TIMEOUT):
        try:
            await ws.close(code=code, reason=reason)
        except (RuntimeError, OSError):  # the peer went away meanwhile
            pass


async def live_socket(ws: WebSocket) -> None:
    await ws.accept()
    try:
        campaign_id = await _admit(ws)
        hub: LiveHub = deps(ws).services["live"]
        # Stats are written straight to the connection when the server allows it (web/frame_writer.py).
        with hub.watch(campaign_id, frame_writer(ws.scope)) as mailbox:
            await hub.prime(mailbox)
            sock = _Socket(ws, mailbox)
            async with anyio.create_task_group() as tg:

                async def run(task: Callable[[], Awaitable[None]]) -> None:
                    try:
                        await task()
                    except (WebSocketDisconnect, OSError, RuntimeError) as exc:
                        if not socket_gone(exc):
                            raise
                        # the socket is over (the peer left, or uvicorn closed it): nothing left to do
                    finally:
                        tg.cancel_scope.cancel()  # any of them ending ends the socket

                tg.start_soon(run, sock.receive)
                tg.start_soon(run, sock.send)
            await _close(ws, *sock.close_with)
    except Refused as exc:
        await _close(ws, exc.code, exc.reason)
    except (redis.exceptions.RedisError, OSError) as exc:
        log.warning("live: store unavailable (%s); closing a live socket", exc)
        await _close(ws, 1011, "store unavailable, reconnect shortly")


routes: list[BaseRoute] = [
    WebSocketRoute("/ws/campaigns/{id}/live", ends_when_disabled(live_socket, Role.ORGANIZER))
]
