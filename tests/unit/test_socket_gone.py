"""Which WebSocket failures mean "the socket is over" (logged as nothing) and which are bugs (a traceback)."""

from __future__ import annotations

import pytest
from starlette.websockets import WebSocketDisconnect

from dialer.web.errors import socket_gone


@pytest.mark.parametrize(
    "exc",
    [
        WebSocketDisconnect(1001),
        ConnectionResetError(104, "reset by peer"),
        OSError("ClientDisconnected"),
        # uvicorn's own words when it closed the socket itself (ping timeout, bad frame) before our send:
        RuntimeError("Unexpected ASGI message 'websocket.send', after sending 'websocket.close'."),
        # Starlette's, when our side's close went first:
        RuntimeError('Cannot call "send" once a close message has been sent.'),
    ],
)
def test_the_end_of_a_socket_is_not_an_error(exc: BaseException) -> None:
    assert socket_gone(exc)


@pytest.mark.parametrize(
    "exc",
    [
        RuntimeError("Expected ASGI message 'websocket.send' or 'websocket.close', but got 'http.response'."),
        RuntimeError("boom"),
        ValueError("bad JSON"),
        KeyError("contact_id"),
    ],
)
def test_real_bugs_still_raise(exc: BaseException) -> None:
    assert not socket_gone(exc)
