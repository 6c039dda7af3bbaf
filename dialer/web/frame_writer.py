"""Writing a text frame straight to a socket's connection, without a task switch, when the server allows it.

The live counters hand one frame to hundreds of sockets at once. Through ASGI each frame costs the
socket's sender task a wake-up and a trip down the middleware's `send` wrappers: ~30 us of CPU per socket,
three times what `websockets.broadcast` spends (bench/fanout.py). Under uvicorn's `websockets-sansio`
protocol (what `dialer serve` runs) the ASGI `send` is a bound method of the connection's protocol, whose
sans-I/O core turns a text into frame bytes for its transport: this module does what that `send` does for
a `websocket.send`, synchronously, and only when that `send` would not have waited or failed.

`KeepRawSend` (the outermost middleware) keeps the server's own `send` in the scope; `frame_writer(scope)`
returns a writer for it, or None under any other server or protocol (the legacy `websockets` one, wsproto):
callers then send through ASGI as before. A writer returns False instead of writing when the connection
is not open, the close was sent, or its transport is paused (a client that stopped reading), so that the
caller falls back to the ASGI `send`, which waits (the live socket bounds that wait: web/ws_live.py).
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.exceptions import InvalidState
from websockets.protocol import State

RAW_SEND = "dialer.raw_send"  # scope key of the server's own ASGI send (websocket scopes only)

FrameWriter = Callable[[str], bool]


class KeepRawSend:
    """Keeps the server's `send` of every WebSocket in its scope (under `RAW_SEND`) for `frame_writer`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            scope[RAW_SEND] = send
        await self.app(scope, receive, send)


def frame_writer(scope: Scope) -> FrameWriter | None:
    """A writer of text frames to the scope's socket, or None when its server's protocol is not known here."""
    protocol = getattr(scope.get(RAW_SEND), "__self__", None)
    if not isinstance(protocol, WebSocketsSansIOProtocol):
        return None
    p = protocol

    def write(text: str) -> bool:
        """Writes `text` as one frame now and returns True, or returns False having written nothing."""
        # The conditions under which uvicorn's `send` would write at once rather than wait or raise.
        if (
            p.close_sent
            or p.disconnected
            or not p.handshake_complete
            or p.initial_response is not None
            or not p.writable.is_set()
            or p.conn.state is not State.OPEN
            or p.transport.is_closing()
        ):
            return False
        try:
            p.conn.send_text(text.encode())
        except InvalidState:  # pragma: no cover - the state was checked just above
            return False
        p.transport.write(b"".join(p.conn.data_to_send()))
        return True

    return write
