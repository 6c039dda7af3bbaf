"""CSRF origin check, security headers and the WebSocket Origin check, on a tiny app built inline."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.testclient import TestClient
from starlette.websockets import WebSocket, WebSocketDisconnect

from dialer.settings import Settings
from dialer.web.security import SecurityMiddleware, check_origin, content_security_policy, origin_of

SETTINGS = Settings(public_url="https://dial.example.org")


async def write(request: Request) -> Response:
    return JSONResponse({"ok": True})


async def socket(ws: WebSocket) -> None:
    await ws.accept()
    await ws.send_json({"allowed": check_origin(ws, SETTINGS)})
    await ws.close()


def client() -> TestClient:
    app = Starlette(
        routes=[
            Route("/w", write, methods=["GET", "POST", "PATCH"]),
            Route("/twilio/status", write, methods=["POST"]),
            WebSocketRoute("/ws", socket),
        ],
        middleware=[Middleware(SecurityMiddleware, settings=SETTINGS)],
    )
    return TestClient(app, base_url="http://testserver")


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 200),  # not a browser
        ({"Origin": "https://dial.example.org"}, 200),  # the public URL
        ({"Origin": "http://testserver"}, 200),  # the host the request was addressed to
        ({"Origin": "https://evil.example.com"}, 403),
        ({"Origin": "null"}, 403),
        ({"Origin": "http://testserver.evil.example.com"}, 403),
        ({"Sec-Fetch-Site": "cross-site"}, 403),
        ({"Sec-Fetch-Site": "same-origin"}, 200),
        ({"Referer": "https://evil.example.com/form"}, 403),
        ({"Referer": "https://dial.example.org/call/x"}, 200),
        ({"Origin": "https://evil.example.com", "Authorization": "Bearer abc"}, 200),  # not ambient
    ],
)
def test_csrf_origin_check_on_writes(headers: dict[str, str], status: int) -> None:
    with client() as c:
        r = c.post("/w", headers=headers, json={})
        assert r.status_code == status
        if status == 403:
            assert r.json()["error"]["code"] == "csrf_failed"
        assert c.get("/w", headers=headers).status_code == 200  # reads are never refused


def test_webhooks_are_exempt_and_patch_is_checked() -> None:
    with client() as c:
        assert c.post("/twilio/status", headers={"Origin": "https://evil.example.com"}).status_code == 200
        assert c.patch("/w", headers={"Origin": "https://evil.example.com"}, json={}).status_code == 403


def test_security_headers_on_every_response() -> None:
    with client() as c:
        r = c.get("/w")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "wss://*.twilio.com" in csp and "https://*.twilio.com" in csp
    assert "ws://testserver" in csp
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["x-content-type-options"] == "nosniff"


def test_csp_ignores_a_hostile_host_header() -> None:
    assert "evil" not in content_security_policy(None)
    with client() as c:
        r = c.get("/w", headers={"Host": "x; script-src *"})
    assert "script-src *" not in r.headers["content-security-policy"]


def test_websocket_origin() -> None:
    with client() as c:
        with c.websocket_connect("/ws") as ws:
            assert ws.receive_json() == {"allowed": True}
        with c.websocket_connect("/ws", headers={"Origin": "https://dial.example.org"}) as ws:
            assert ws.receive_json() == {"allowed": True}
        with pytest.raises(WebSocketDisconnect) as refused:
            with c.websocket_connect("/ws", headers={"Origin": "https://evil.example.com"}) as ws:
                ws.receive_json()
        assert refused.value.code == 4403


def test_origin_of() -> None:
    assert origin_of("HTTPS://Dial.Example.org:443/x?y") == "https://dial.example.org"
    assert origin_of("http://127.0.0.1:8000/") == "http://127.0.0.1:8000"
    assert origin_of("wss://h.example.org/ws") == "https://h.example.org"
    assert origin_of("null") is None
    assert origin_of("javascript:alert(1)") is None
