"""The fast lane for the busiest requests: Twilio's status and AMD callbacks (four or more per call).

Through the whole Starlette stack a signed callback cost about twice the CPU of a bare handler that parses,
checks one HMAC and writes to Redis (bench/webhook_server.py): routing through every route, the body read
through three request wrappers, response objects, header merging. This ASGI middleware, the outermost of
ours, answers `POST /twilio/status` and `POST /twilio/amd` itself with the very same checks and the very
same code (`webhooks.check_webhook`, `signed_form`, `apply_callback`): the body capped as it streams, the
signature checked against PUBLIC_URL, the same error answers, and the headers every answer gets. Anything
else, and every error, takes the ordinary path or answer.
"""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qsl

import redis.exceptions
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from dialer.web.deps import Deps
from dialer.web.errors import ApiError, error_response, handle_store_unavailable
from dialer.web.limits import too_large
from dialer.web.security import clean_host, response_headers
from dialer.web.webhooks import FORM_LIMIT, apply_callback, check_webhook, signed_form

LANES = {"/twilio/status": False, "/twilio/amd": True}  # path -> is the AMD callback
STORE_DOWN = (
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    redis.exceptions.BusyLoadingError,
)


class LaneApp(Starlette):
    """Starlette with the lane in front of its whole middleware stack, ServerErrorMiddleware included (its
    send wrapper and try block were paid by every callback). An error the lane does not answer itself
    reaches uvicorn, which logs it and answers 500 as ServerErrorMiddleware would."""

    def build_middleware_stack(self) -> ASGIApp:
        return WebhookLane(super().build_middleware_stack())


HEADER_CACHE_SIZE = 64  # distinct Host headers whose answer headers are kept (one or two in practice)


class WebhookLane:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        # The headers every answer gets depend on the Host header and the public URL's scheme only: built
        # once per host instead of per callback (a tenth of the lane's own time).
        self._headers: dict[tuple[str, bool], tuple[tuple[bytes, bytes], ...]] = {}

    def answer_headers(self, host: str, https: bool) -> list[tuple[bytes, bytes]]:
        found = self._headers.get((host, https))
        if found is None:
            if len(self._headers) >= HEADER_CACHE_SIZE:
                self._headers.clear()
            found = self._headers[host, https] = response_headers(clean_host(host), False, https)
        return list(found)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        amd = LANES.get(scope.get("path", "")) if scope["type"] == "http" else None
        if amd is None or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        content_type = signature = host = ""
        for name, value in scope["headers"]:
            if name == b"content-type":
                content_type = value.decode("latin-1")
            elif name == b"x-twilio-signature":
                signature = value.decode("latin-1")
            elif name == b"host":
                host = value.decode("latin-1")
        d: Deps = scope["app"].state.deps
        headers = self.answer_headers(host, d.settings.base_url.startswith("https://"))
        try:
            carrier = check_webhook(d, content_type)
            raw = await _body(receive, d.settings.body_timeout)
            query_string = scope["query_string"].decode("latin-1")
            path_qs = scope["path"] + (f"?{query_string}" if query_string else "")
            form = signed_form(carrier, raw, path_qs, signature or None)
            await apply_callback(d, form, dict(parse_qsl(query_string, keep_blank_values=True)), amd)
        except ApiError as exc:
            response: Response = error_response(
                exc.status, exc.code, exc.message, exc.details, headers=exc.headers
            )
            response.raw_headers.extend(headers)
            await response(scope, receive, send)
            return
        except STORE_DOWN as exc:  # answered as every route answers it: 503, retry shortly
            response = await handle_store_unavailable(Request(scope), exc)
            response.raw_headers.extend(headers)
            await response(scope, receive, send)
            return
        await send({"type": "http.response.start", "status": 204, "headers": headers})
        await send({"type": "http.response.body", "body": b""})


async def _body(receive: Receive, idle_seconds: float) -> bytes:
    """The form, at most FORM_LIMIT bytes (413 past it), no gap in it longer than `idle_seconds` (408)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        try:
            async with asyncio.timeout(idle_seconds):
                message = await receive()
        except TimeoutError:
            raise ApiError(408, "request_timeout", "The webhook's body stopped arriving.") from None
        if message["type"] != "http.request":  # the carrier hung up
            raise ApiError(400, "bad_request", "The webhook's body did not arrive.")
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > FORM_LIMIT:
            raise too_large(FORM_LIMIT)
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)
