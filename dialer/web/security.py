"""Browser-facing protections: CSRF for cookie-authenticated writes, the Content-Security-Policy and other
security headers, and the WebSocket Origin check.

Caching: every answer but the static files carries `Cache-Control: no-store` (batches, results.csv and
the call page hold voter data); with an https PUBLIC_URL every answer also carries HSTS.

CSRF, the choice made: every state-changing request (POST, PUT, PATCH, DELETE) that a browser sends
must come from our own origin. Browsers attach `Origin` to every non-GET request (and `Sec-Fetch-Site`
to every request), and a page cannot forge either, so a request whose Origin (or, lacking one, Referer)
is not ours, or that `Sec-Fetch-Site` marks cross-site, is refused with 403 `csrf_failed`. This is
OWASP's "verify the origin with standard headers" defence; the session cookie is also `SameSite=Lax`,
which already keeps it off cross-site POSTs, so both layers must fail for a forgery to pass. The pages
send every write with `fetch` (JSON or a file body), never as an HTML form post. Requests with an
`Authorization: Bearer` token are exempt: the browser never attaches a token on its own, so it cannot be
ridden. Clients that send none of these headers are not browsers and are let through (CSRF needs a
victim's browser). The Twilio webhooks are signature-checked and exempt as well.

WebSockets: browsers do not apply the same-origin policy to WebSocket handshakes but always send `Origin`,
so a socket whose Origin is not ours is closed (code 4403) before the app sees it (cross-site WebSocket
hijacking). `check_origin` is the same test for route handlers that want to ask explicitly.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dialer.settings import Settings

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# Only the static files (scripts, styles, icons) may be cached; every other answer is `no-store`.
CACHEABLE_PREFIXES = ("/static/",)
# Sent when PUBLIC_URL is https: browsers then never try plain http for a year.
HSTS = "max-age=31536000"
EXEMPT_PREFIXES = ("/twilio/",)
_HOST_RE = re.compile(r"^[A-Za-z0-9.\-]+(:[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?$")

# Twilio's Voice JavaScript SDK talks to *.twilio.com over HTTPS and secure WebSockets and plays its ringing
# and other sounds from sdk.twilio.com; nothing else outside our origin is admitted.
TWILIO_CONNECT = "https://*.twilio.com wss://*.twilio.com"
TWILIO_MEDIA = "https://*.twilio.com"


def origin_of(url: str) -> str | None:
    """`scheme://host[:port]` of a URL, lower-cased, default ports dropped; None when it has no host."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https", "ws", "wss") or not parts.hostname:
        return None
    scheme = {"ws": "http", "wss": "https"}.get(scheme, scheme)
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    if port is None or (scheme, port) in (("http", 80), ("https", 443)):
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def clean_host(host: str | None) -> str | None:
    return host if host and _HOST_RE.match(host) else None


def allowed_origins(headers: Headers, scheme: str, settings: Settings | None) -> set[str]:
    """Our origins: the configured public URL's, and the one the request was addressed to (its Host)."""
    out: set[str] = set()
    if settings is not None:
        public = origin_of(settings.base_url)
        if public:
            out.add(public)
    host = clean_host(headers.get("host"))
    if host:
        own = origin_of(f"{'https' if scheme in ('https', 'wss') else 'http'}://{host}")
        if own:
            out.add(own)
    return out


def _same_origin(value: str, allowed: Iterable[str]) -> bool:
    origin = origin_of(value)
    return origin is not None and origin in set(allowed)


def request_is_same_origin(headers: Headers, scheme: str, settings: Settings | None) -> bool:
    """False when the browser says the request came from another site (see the module docstring)."""
    allowed = allowed_origins(headers, scheme, settings)
    origin = headers.get("origin")
    if origin is not None:
        return _same_origin(origin, allowed)  # "null" (sandboxed frames, file:) is never ours
    if headers.get("sec-fetch-site", "").lower() in ("cross-site", "same-site"):
        return False
    referer = headers.get("referer")
    if referer:
        return _same_origin(referer, allowed)
    return True


def check_origin(websocket: HTTPConnection, settings: Settings | None) -> bool:
    """Whether a WebSocket handshake may be accepted: no Origin (not a browser) or one of ours."""
    origin = websocket.headers.get("origin")
    if origin is None:
        return True
    return _same_origin(origin, allowed_origins(websocket.headers, websocket.url.scheme, settings))


def content_security_policy(host: str | None) -> str:
    # 'self' covers same-host ws:/wss: in CSP Level 3 browsers; the explicit entries help older ones.
    own_ws = f" ws://{host} wss://{host}" if host else ""
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            f"connect-src 'self'{own_ws} {TWILIO_CONNECT}",
            f"media-src 'self' blob: {TWILIO_MEDIA}",
            "worker-src 'self' blob:",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


@functools.lru_cache(maxsize=64)
def response_headers(host: str | None, cacheable: bool, https: bool) -> tuple[tuple[bytes, bytes], ...]:
    """The headers every answer gets unless its route set them: security headers, the CSP, `no-store`
    (batches, results.csv, the call page: voter data stays out of browser and proxy caches), HSTS."""
    pairs = [*SECURITY_HEADERS.items(), ("content-security-policy", content_security_policy(host))]
    if not cacheable:
        pairs.append(("cache-control", "no-store"))
    if https:
        pairs.append(("strict-transport-security", HSTS))
    return tuple((name.encode("latin-1"), value.encode("latin-1")) for name, value in pairs)


SECURITY_HEADERS = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "microphone=(self), camera=(), geolocation=(), payment=()",
}


class SecurityMiddleware:
    """CSRF origin check on writes, security headers on every response, Origin check on WebSockets.

    `settings` is optional: when not given, the app's own (`app.state.deps.settings`) is used once the
    lifespan has set it up.
    """

    def __init__(self, app: ASGIApp, settings: Settings | None = None) -> None:
        self.app = app
        self.settings = settings

    def _settings(self, scope: Scope) -> Settings | None:
        if self.settings is not None:
            return self.settings
        app = scope.get("app")
        deps = getattr(getattr(app, "state", None), "deps", None)
        value = getattr(deps, "settings", None)
        return value if isinstance(value, Settings) else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            if not check_origin(HTTPConnection(scope), self._settings(scope)):
                # As the socket routes do: accept, then close with 4403, because a browser sees no HTTP
                # status for a refused handshake and could not tell this refusal from a network error.
                await receive()  # websocket.connect
                await send({"type": "websocket.accept"})
                await send({"type": "websocket.close", "code": 4403, "reason": "cross-origin socket refused"})
                return
            await self.app(scope, receive, send)
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        host = clean_host(headers.get("host"))
        settings = self._settings(scope)
        https = settings is not None and settings.base_url.startswith("https://")
        cacheable = scope["path"].startswith(CACHEABLE_PREFIXES)

        extra = response_headers(host, cacheable, https)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                # What the route did not set itself, in one pass (this runs for every answer, webhooks too).
                raw: list[tuple[bytes, bytes]] = list(message.get("headers", []))
                present = {name.lower() for name, _ in raw}
                raw.extend(pair for pair in extra if pair[0] not in present)
                message["headers"] = raw
            await send(message)

        if self._forged(scope, headers):
            response = JSONResponse(
                {
                    "error": {
                        "code": "csrf_failed",
                        "message": "This request came from another site; reload the page and try again.",
                        "details": [],
                    }
                },
                status_code=403,
            )
            await response(scope, receive, send_with_headers)
            return
        await self.app(scope, receive, send_with_headers)

    def _forged(self, scope: Scope, headers: Headers) -> bool:
        if scope["method"] in SAFE_METHODS or scope["path"].startswith(EXEMPT_PREFIXES):
            return False
        scheme, _, value = headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return False
        return not request_is_same_origin(headers, scope.get("scheme", "http"), self._settings(scope))
