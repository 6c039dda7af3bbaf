"""API.md's error shape, `{"error": {"code", "message", "details"}}`, for every failure the app answers.

Routes raise `ApiError`; Starlette's own HTTP errors (404, 405) and a Redis outage are rendered in the same
shape so that clients only ever parse one thing. An unexpected exception is logged and answered 500 in that
shape too, without leaking internals.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Mapping
from typing import Any

import redis.exceptions
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Match, Route
from starlette.websockets import WebSocketDisconnect

from dialer.passwords import HashingBusy
from dialer.queue.lua_scripts import NotReplicated

log = logging.getLogger("dialer.web")

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    410: "gone",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
}


CHALLENGE = 'Bearer realm="dialer"'


class ApiError(Exception):
    """An answer other than success; `details` is a list of `{path, message}`-like objects."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: list[Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details or []
        self.headers = headers


def error_body(code: str, message: str, details: list[Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or []}}


def error_response(
    status: int,
    code: str,
    message: str,
    details: list[Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    if status == 401:  # RFC 9110: a 401 names the scheme to authenticate with (API.md's bearer token)
        headers = {"WWW-Authenticate": CHALLENGE, **(headers or {})}
    return JSONResponse(error_body(code, message, details), status_code=status, headers=headers)


async def handle_api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.code, exc.message, exc.details, exc.headers)


async def handle_http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
    headers = exc.headers
    if exc.status_code == 405:
        headers = {**(headers or {}), "Allow": ", ".join(allowed_methods(request))}
    return error_response(exc.status_code, code, message, headers=headers)


def allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at the request's path. Starlette's 405 names only the first route
    that matched the path, and several routes share one (`GET` and `POST /api/campaigns`): its `Allow`
    said `POST` alone, and a client reading it never learned of the list."""
    scope = {**request.scope, "method": "GET"}  # any method: the match we want is on the path
    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _ = route.matches(scope)
        if match != Match.NONE and isinstance(route, Route) and route.methods:
            methods |= route.methods
    return sorted(methods)


async def handle_store_unavailable(request: Request, exc: Exception) -> Response:
    # Redis is restarting or unreachable: say so plainly; the client may retry. Nothing was acknowledged.
    log.warning("store unavailable: %s", exc)
    return error_response(
        503,
        "store_unavailable",
        "The data store is unavailable; try again shortly.",
        headers={"Retry-After": "2"},
    )


async def handle_not_replicated(request: Request, exc: Exception) -> Response:
    # Redis Cluster: recorded on the primary, but no replica confirmed it in time, so not acknowledged; a
    # retry with the same idempotency key records it at most once.
    log.warning("not replicated in time: %s", exc)
    return error_response(
        503,
        "not_replicated",
        "The change could not be replicated in time; send it again (the same idempotency key is safe).",
        headers={"Retry-After": "1"},
    )


async def handle_hashing_busy(request: Request, exc: Exception) -> Response:
    # Too many sign-ups or sign-ins are being checked at once: a bounded wait list, not a growing one.
    assert isinstance(exc, HashingBusy)
    return error_response(
        503,
        "busy",
        "The server is busy checking passwords; try again in a few seconds.",
        headers={"Retry-After": str(exc.retry_after)},
    )


def socket_gone(exc: BaseException) -> bool:
    """A WebSocket send or receive failed because the socket is over: the peer left (a disconnect, a reset),
    or uvicorn closed it itself (keep-alive ping timeout, a malformed frame) and refuses later sends with a
    RuntimeError. Normal on a call day; not an error to log."""
    if isinstance(exc, WebSocketDisconnect | OSError):
        return True
    text = str(exc)
    return isinstance(exc, RuntimeError) and (
        "after sending 'websocket.close'" in text or "once a close message has been sent" in text
    )


@contextlib.contextmanager
def until_socket_gone() -> Iterator[None]:
    """Ends the block quietly when the WebSocket is over (socket_gone); anything else goes on up. For loops
    inside a task group: an exception leaving one comes as an exception group, which an `except
    WebSocketDisconnect` outside does not match (every page that left mid-reply was logged as an error)."""
    try:
        yield
    except (WebSocketDisconnect, OSError, RuntimeError) as exc:
        if not socket_gone(exc):
            raise


async def handle_client_gone(request: Request, exc: Exception) -> Response:
    # The client hung up mid-request (a laptop closed during an upload): normal, nothing was done with a
    # partial body, and nobody is left to read an answer.
    log.info("client went away during %s %s", request.method, request.url.path)
    return Response(status_code=400)


async def handle_unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return error_response(500, "internal_error", "Something went wrong on our side; it has been logged.")


EXCEPTION_HANDLERS = {
    ApiError: handle_api_error,
    HTTPException: handle_http_exception,
    NotReplicated: handle_not_replicated,
    redis.exceptions.ConnectionError: handle_store_unavailable,
    # A Redis Cluster mid-failover (never raised by a single Redis): unavailable for a few seconds.
    redis.exceptions.ClusterDownError: handle_store_unavailable,
    redis.exceptions.TryAgainError: handle_store_unavailable,
    redis.exceptions.MasterDownError: handle_store_unavailable,
    redis.exceptions.SlotNotCoveredError: handle_store_unavailable,
    redis.exceptions.TimeoutError: handle_store_unavailable,
    redis.exceptions.BusyLoadingError: handle_store_unavailable,
    HashingBusy: handle_hashing_busy,
    ClientDisconnect: handle_client_gone,
    Exception: handle_unexpected,
}
