"""The largest request body the server reads, whatever its type and however it is framed.

Routes cap what they read (`body.read_body`), but Starlette's multipart parser reads a form to its end on
its own, and a chunked request has no Content-Length to check first: an 80 MB list was imported and a
300 MB upload read whole. This middleware counts the bytes of every HTTP request as they stream in and
stops at `limit` with 413 `payload_too_large` (a declared Content-Length over the limit is refused before
the app runs at all).

It also bounds how slowly a body may come: a client that sends nothing for `BODY_IDLE_SECONDS` while its
body is unfinished gets 408 `request_timeout` (a slow upload otherwise holds its connection, and whatever
the route holds, forever). Headers are bounded in the HTTP protocol itself (web/slow_clients.py).
"""

from __future__ import annotations

import anyio
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dialer.web.errors import ApiError, error_response

BODY_IDLE_SECONDS = 30.0  # a phone on a bad network stalls for seconds, not half a minute


def too_large(limit: int) -> ApiError:
    return ApiError(413, "payload_too_large", f"The body is larger than the {limit:,} bytes accepted here.")


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, limit: int, idle_seconds: float = BODY_IDLE_SECONDS) -> None:
        self.app = app
        self.limit = limit
        self.idle_seconds = idle_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            exc = too_large(self.limit)
            response = error_response(exc.status, exc.code, exc.message, headers={"Connection": "close"})
            await response(scope, receive, send)
            return
        received = 0
        body_done = False

        async def counted() -> Message:
            nonlocal received, body_done
            if body_done:  # waiting for a disconnect (a streaming answer): no time limit
                return await receive()
            with anyio.move_on_after(self.idle_seconds) as waited:
                message = await receive()
            if waited.cancelled_caught:
                raise ApiError(
                    408,
                    "request_timeout",
                    f"The request body stopped arriving for {self.idle_seconds:g} seconds.",
                    headers={"Connection": "close"},
                )
            if message["type"] == "http.request":
                body_done = not message.get("more_body", False)
                received += len(message.get("body", b""))
                if received > self.limit:
                    # Raised inside whatever is reading (a route, the multipart parser): the app's
                    # exception handlers answer it in API.md's error shape.
                    raise too_large(self.limit)
            return message

        await self.app(scope, counted, send)
