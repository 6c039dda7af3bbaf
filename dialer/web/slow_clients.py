"""Slow clients (slowloris): a request's headers must arrive within `HEADER_SECONDS`.

uvicorn bounds the idle time between kept-alive requests (`timeout_keep_alive`) but not how long a client
may take to send a request's headers: one that sends a byte every few seconds held its connection, and
its slot among the server's file descriptors, forever. This HTTP protocol (uvicorn's httptools one) starts
a timer when a connection opens and when a request begins, stops it when the headers are complete, and
answers 408 and closes the connection when it fires. Bodies are bounded in web/limits.py.

Behind a reverse proxy (nginx, a cloud load balancer) the proxy's own timeouts apply first; these are
the server's when it faces the internet itself.
"""

from __future__ import annotations

import asyncio

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

HEADER_SECONDS = 10.0
TIMEOUT_ANSWER = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\n"
    b"content-length: 38\r\nconnection: close\r\n\r\nThe request headers came too slowly.\r\n"
)


class HeaderTimeoutProtocol(HttpToolsProtocol):
    header_seconds = HEADER_SECONDS
    _header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._header_timer is None:
            self._arm()

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def handle_websocket_upgrade(self) -> None:
        self._disarm()  # the WebSocket protocol takes the connection over
        super().handle_websocket_upgrade()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        # Between kept-alive requests the keep-alive timeout applies; the next request's first byte arms
        # this timer again (on_message_begin).
        self._disarm()

    def _arm(self) -> None:
        self._disarm()
        self._header_timer = self.loop.call_later(self.header_seconds, self._headers_too_slow)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        if not self.transport.is_closing():
            self.transport.write(TIMEOUT_ANSWER)
            self.transport.close()
