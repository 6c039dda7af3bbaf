"""Who is asking: bearer tokens, the signed session cookie, `?token=` for WebSocket clients, the admin token.

The cookie holds a bearer token signed with the app's secret key (HMAC-SHA256): the signature stops a
tampered cookie before Redis is asked, and the token behind it can be revoked (sign-out) server-side.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from starlette.requests import HTTPConnection

from dialer.models import Role
from dialer.stores import people, signin_limits
from dialer.stores.accounts import ADMIN_TOKEN_USER, AccountStore, User
from dialer.web.deps import Deps, deps
from dialer.web.errors import ApiError

SESSION_COOKIE = "dialer_session"


def sign_cookie(token: str, secret: str) -> str:
    mac = hmac.new(secret.encode(), token.encode(), hashlib.sha256).digest()
    return f"{token}.{base64.urlsafe_b64encode(mac).decode().rstrip('=')}"


def unsign_cookie(value: str, secret: str) -> str | None:
    token, _, sig = value.rpartition(".")
    if not token or not sig:
        return None
    # Bytes: compare_digest raises TypeError for a str with non-ASCII characters (a forged cookie's).
    return token if hmac.compare_digest(sign_cookie(token, secret).encode(), value.encode()) else None


def client_address(conn: HTTPConnection) -> str:
    """The peer's address (a reverse proxy's, when there is one: forwarded headers are not trusted)."""
    return conn.client.host if conn.client else "unknown"


def _bearer(conn: HTTPConnection) -> str | None:
    """A token the client typed in (the Authorization header, or `?token=` on a WebSocket)."""
    header = conn.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    if conn.scope["type"] == "websocket" and SESSION_COOKIE not in conn.cookies:
        return conn.query_params.get("token") or None
    return None


def presented_token(conn: HTTPConnection) -> str | None:
    bearer = _bearer(conn)
    if bearer is not None:
        return bearer
    cookie = conn.cookies.get(SESSION_COOKIE)
    if cookie:
        return unsign_cookie(cookie, deps(conn).secret_key)
    return None


SEEN_EVERY = 60.0  # seconds: "last seen" is to the minute, not a Redis write on every request


def _due_a_touch(d: Deps, uid: str) -> bool:
    """Whether this process last noted the user as seen a minute or more ago (or never)."""
    noted: dict[str, float] = d.services.setdefault("seen_noted", {})
    now = d.clock()
    last = noted.get(uid)
    if last is not None and 0 <= now - last < SEEN_EVERY:
        return False
    if len(noted) >= 100_000:  # a bound, not a cache policy: everyone is simply noted again once
        noted.clear()
    noted[uid] = now
    return True


async def current_user(conn: HTTPConnection) -> User | None:
    token = presented_token(conn)
    if token is None:
        return None
    d = deps(conn)
    admin_token = d.settings.admin_token
    if admin_token and hmac.compare_digest(token.encode(), admin_token.encode()):
        return ADMIN_TOKEN_USER
    user = await AccountStore(d.redis).user_for_token(token)
    if user is not None and _due_a_touch(d, user.id):
        await people.touch(d.redis, user.id, d.clock())  # "last seen" on the People page
    if user is None and token == _bearer(conn):
        # A guessed (or revoked) bearer token is a failed sign-in like a wrong password: it counts toward
        # the address's failures. A stale session cookie does not: browsers send it on their own.
        await signin_limits.count_failure(d.redis, client_address(conn))
    return user


async def require_user(conn: HTTPConnection, role: Role = Role.VOLUNTEER) -> User:
    """The signed-in user with at least `role`; 401 when anonymous, 403 when the role is too low."""
    user = await current_user(conn)
    if user is None:
        raise ApiError(401, "unauthorized", "Sign in first (a bearer token or the session cookie).")
    if not user.role.includes(role):
        raise ApiError(
            403, "forbidden", f"This needs the {role.value} role; you are {user.role.with_article}."
        )
    return user
