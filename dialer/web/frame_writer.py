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

import functools
from collections.abc import Callable

from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.exceptions import InvalidState
from websockets.frames import Frame, Opcode
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
    # Fixed for the connection's life (made before the app runs): looked up once, not per frame.
    conn, transport, writable = p.conn, p.transport, p.writable

    def write(text: str) -> bool:
        """Writes `text` as one frame now and returns True, or returns False having written nothing."""
        # The conditions under which uvicorn's `send` would write at once rather than wait or raise.
        if (
            p.close_sent
            or p.disconnected
            or not p.handshake_complete
            or p.initial_response is not None
            or not writable.is_set()
            or conn.state is not State.OPEN
            or transport.is_closing()
        ):
            return False
        if conn.extensions or conn.expect_continuation_frame:  # e.g. permessage-deflate: per connection
            try:
                conn.send_text(text.encode())
            except InvalidState:  # pragma: no cover - the state was checked just above
                return False
            transport.write(b"".join(conn.data_to_send()))
            return True
        pending = conn.data_to_send()  # nothing, as uvicorn writes what each event produces at once
        if pending:
            transport.write(b"".join(pending))
        transport.write(text_frame(text))
        return True

    return write


@functools.lru_cache(maxsize=8)
def text_frame(text: str) -> bytes:
    """`text` as one final, unmasked, uncompressed text frame: the bytes that `send_text` of any server
    connection without extensions writes. Built once per fan-out (the same str for every socket)."""
    return Frame(Opcode.TEXT, text.encode()).serialize(mask=False)
