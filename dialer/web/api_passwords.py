"""Changing your own password (an organizer's reset links are api_password_resets.py).

- `POST /api/auth/password` `{current_password, new_password}`: the signed-in user's new password (sign-up's
  policy). A wrong current password is 403 and counts like a failed sign-in (429 past the same limits).
  Every other session of the account ends (its tokens and open sockets); the one that asked stays. A
  reset link made for the account before stops working.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from dialer.passwords import MAX_LENGTH, password_problem
from dialer.stores import password_resets
from dialer.stores.accounts import AccountStore, RateLimited, is_account
from dialer.web.api_auth import too_many
from dialer.web.auth import client_address, presented_token, require_user
from dialer.web.body import read_json_object
from dialer.web.deps import deps
from dialer.web.errors import ApiError
from dialer.web.validate import Problems


def _password(body: dict[str, Any], problems: Problems, name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value:
        problems.add(name, "required" if value in (None, "") else "must be a string")
        return ""
    if len(value) > MAX_LENGTH:
        problems.add(name, f"must be at most {MAX_LENGTH} characters")
        return ""
    return value


def new_password(body: dict[str, Any], problems: Problems, email: str) -> str:
    new = _password(body, problems, "new_password")
    if new and (problem := password_problem(new, email)) is not None:
        problems.add("new_password", problem)
    return new


async def change_password(request: Request) -> Response:
    user = await require_user(request)
    if not is_account(user):
        raise ApiError(
            403, "forbidden", "The admin token has no password; use `dialer user set-password` on the server."
        )
    body = await read_json_object(request)
    problems = Problems()
    problems.unknown_fields(body, {"current_password", "new_password"})
    current = _password(body, problems, "current_password")
    new = new_password(body, problems, user.email)
    if current and new and current == new:
        problems.add("new_password", "is your current password; choose a new one")
    problems.raise_if_any()
    d = deps(request)
    store = AccountStore(d.redis, d.hashing)
    try:
        checked = await store.authenticate(user.email, current, client_address(request))
    except RateLimited as limited:
        raise too_many(limited, "Too many wrong passwords") from None
    if checked is None or checked.id != user.id:
        raise ApiError(
            403,
            "wrong_password",
            "That is not your current password.",
            [{"path": "current_password", "message": "is not the password of this account"}],
        )
    ended = await store.set_password(user.id, new, keep_token=presented_token(request) or "")
    await password_resets.revoke(d.redis, user.id)  # a link handed out before is no longer needed
    await password_resets.audit(
        d.redis, user.id, "password_changed", by=user.id, name=user.name, now=d.clock(), sessions_ended=ended
    )
    return JSONResponse({"user": user.public(), "sessions_ended": ended})


routes: list[BaseRoute] = [
    Route("/api/auth/password", change_password, methods=["POST"]),
]
