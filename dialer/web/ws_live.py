"""`/ws/campaigns/{id}/live`: the organizer dashboard's live counters (API.md, WebSockets).

Admission: the socket is accepted first and then closed with an application code when it may not stay, so
that browsers (which see no HTTP status of a refused handshake) can tell why: 4403 for a foreign Origin,
4401 when anonymous, 4403 when the role is below organizer, 4404 for an unknown campaign, 1011 when the
store is unavailable. Nothing is sent before admission succeeds.

Then: a `stats` message at once, and a fresh one within a second of every change (dialer/live.py coalesces).
A receiver task reads client messages (`ping` -> `pong`; malformed -> `error`, and the socket goes on) and a
sender task alone writes to the socket; both run in one task group and end together.
"""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import urlsplit

import anyio
import redis.exceptions
from starlette.routing import BaseRoute, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from dialer.campaigns import CampaignStore
from dialer.live import LiveHub, Mailbox
from dialer.models import Role
from dialer.settings import Settings
from dialer.web.auth import require_user
from dialer.web.deps import deps
from dialer.web.errors import ApiError

log = logging.getLogger("dialer.web")

SEND_TIMEOUT = 10.0  # a socket that cannot take one message in this long is closed (it only falls behind)
CLOSE_TIMEOUT = 2.0
MAX_CLIENT_MESSAGE = 4096  # characters; the client only ever needs to send a ping


class Refused(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


def _origin(url: str) -> str | None:
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    default = {"http": 80, "https": 443}[parts.scheme]
    return f"{parts.scheme}://{parts.hostname}" + (f":{port}" if port not in (None, default) else "")


def origin_allowed(origin: str | None, settings: Settings) -> bool:
    """No Origin (not a browser) or exactly the configured base URL's origin."""
    if origin is None:
        return True
    ours = _origin(settings.base_url)
    return ours is not None and _origin(origin.lower()) == ours.lower()


async def _admit(ws: WebSocket) -> str:
    """The campaign id the socket may watch, or Refused."""
    d = deps(ws)
    if not origin_allowed(ws.headers.get("origin"), d.settings):
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


async def _receive(ws: WebSocket, mailbox: Mailbox) -> None:
    while True:
        frame = await ws.receive()
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
            mailbox.offer_control(reply)


async def _send(ws: WebSocket, mailbox: Mailbox) -> None:
    while True:
        texts = await mailbox.take()
        if not texts:  # closed by the service
            code, reason = mailbox.closed or (1001, "")
            await _close(ws, code, reason)
            return
        for text in texts:
            with anyio.move_on_after(SEND_TIMEOUT) as scope:
                await ws.send_text(text)
            if scope.cancelled_caught:
                log.info("live: closing a socket of campaign %s that stopped reading", mailbox.campaign_id)
                await _close(ws, 1008, "too slow")
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
        with hub.watch(campaign_id) as mailbox:
            await hub.prime(mailbox)
            async with anyio.create_task_group() as tg:

                async def run(task: Any) -> None:
                    try:
                        await task(ws, mailbox)
                    except (WebSocketDisconnect, OSError):
                        pass  # the peer went away: nothing left to do for either side
                    finally:
                        tg.cancel_scope.cancel()  # either side ending ends the socket

                tg.start_soon(run, _receive)
                tg.start_soon(run, _send)
    except Refused as exc:
        await _close(ws, exc.code, exc.reason)
    except (redis.exceptions.RedisError, OSError) as exc:
        log.warning("live: store unavailable (%s); closing a live socket", exc)
        await _close(ws, 1011, "store unavailable, reconnect shortly")
    else:
        await _close(ws, 1000, "")


routes: list[BaseRoute] = [WebSocketRoute("/ws/campaigns/{id}/live", live_socket)]
