"""Sign-up, sign-in, sign-out, the current user, and role changes."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from dialer.models import Role
from dialer.names import hidden_in_email
from dialer.passwords import MAX_LENGTH, password_problem
from dialer.stores import account_history, password_resets
from dialer.stores.accounts import (
    EMAIL_RE,
    AccountDisabled,
    AccountStore,
    EmailTaken,
    RateLimited,
    normalize_email,
)
from dialer.web.api_coach import end_sessions_of_coach
from dialer.web.auth import SESSION_COOKIE, client_address, presented_token, require_user, sign_cookie
from dialer.web.body import read_json_object
from dialer.web.deps import deps
from dialer.web.errors import ApiError
from dialer.web.validate import Problems


def with_session(request: Request, payload: dict[str, object], token: str, status: int) -> JSONResponse:
    response = JSONResponse(payload, status_code=status)
    d = deps(request)
    response.set_cookie(
        SESSION_COOKIE,
        sign_cookie(token, d.secret_key),
        max_age=30 * 24 * 3600,
        httponly=True,
        samesite="lax",
        secure=d.settings.base_url.startswith("https://"),
    )
    return response


def too_many(limited: RateLimited, what: str) -> ApiError:
    """429 for wrong passwords past the limit (a sign-in, or the current password when changing it)."""
    return ApiError(
        429,
        "rate_limited",
        f"{what}; wait a few minutes and try again.",
        headers={"Retry-After": str(limited.retry_after)},
    )


def _credentials(body: dict[str, object], problems: Problems, *, with_name: bool) -> tuple[str, str, str]:
    problems.unknown_fields(body, {"email", "password", "name"} if with_name else {"email", "password"})
    email = problems.string(body, "email", max_len=254) or ""
    hidden = hidden_in_email(email) if with_name else None  # new accounts; signing in is as it was
    if hidden is not None:
        problems.add("email", hidden)
    elif email and not EMAIL_RE.match(normalize_email(email)):
        problems.add("email", "is not an email address")
    name = (problems.string(body, "name", max_len=120, is_name=True) or "") if with_name else ""
    password = body.get("password")
    if not isinstance(password, str):
        problems.add("password", "required" if password is None else "must be a string")
        password = ""
    elif with_name and (problem := password_problem(password, email)) is not None:
        problems.add("password", problem)
    elif len(password) > MAX_LENGTH:
        problems.add("password", f"must be at most {MAX_LENGTH} characters")
    return email, name, password


async def signup(request: Request) -> Response:
    body = await read_json_object(request)
    problems = Problems()
    email, name, password = _credentials(body, problems, with_name=True)
    problems.raise_if_any()
    d = deps(request)
    store = AccountStore(d.redis, d.hashing)
    try:
        user = await store.create(email, name, password, Role.VOLUNTEER, d.clock())
    except EmailTaken:
        raise ApiError(409, "email_taken", "An account with this email exists; sign in instead.") from None
    token = await store.issue_token(user.id)
    return with_session(request, {"user": user.public(), "token": token}, token, 201)


async def login(request: Request) -> Response:
    body = await read_json_object(request)
    problems = Problems()
    email, _, password = _credentials(body, problems, with_name=False)
    problems.raise_if_any()
    d = deps(request)
    store = AccountStore(d.redis, d.hashing)
    address = client_address(request)
    try:
        user = await store.authenticate(email, password, address)
    except RateLimited as limited:
        raise too_many(limited, "Too many failed sign-ins") from None
    except AccountDisabled:
        raise ApiError(403, "account_disabled", "This account is disabled; ask an organizer.") from None
    if user is None:
        raise ApiError(401, "invalid_credentials", "That email and password do not match an account.")
    try:
        token = await store.issue_session(user)  # refused if the account was disabled meanwhile
    except AccountDisabled:
        raise ApiError(403, "account_disabled", "This account is disabled; ask an organizer.") from None
    return with_session(request, {"user": user.public(), "token": token}, token, 200)


async def logout(request: Request) -> Response:
    token = presented_token(request)
    if token:
        await AccountStore(deps(request).redis).revoke_token(token)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE)
    return response


async def me(request: Request) -> Response:
    user = await require_user(request)
    return JSONResponse({"user": user.public()})


async def set_role(request: Request) -> Response:
    actor = await require_user(request, Role.ADMIN)
    body = await read_json_object(request)
    problems = Problems()
    problems.unknown_fields(body, {"role"})
    raw = problems.string(body, "role", max_len=20)
    role = None
    if raw is not None:
        try:
            role = Role(raw)
        except ValueError:
            problems.add("role", f"must be one of {', '.join(r.value for r in Role)}")
    problems.raise_if_any()
    assert role is not None
    d = deps(request)
    accounts = AccountStore(d.redis)
    before = await accounts.get(request.path_params["user_id"])
    user = await accounts.set_role(request.path_params["user_id"], role) if before is not None else None
    if before is None or user is None:
        raise ApiError(404, "not_found", "No such user.")
    if before.role is not role:
        await account_history.note(d.redis, user.id, "role_changed", by=actor.id, name=actor.name,
                                   now=d.clock(), before=before.role.value, after=role.value)  # fmt: skip
        # A reset link made for the old role ends here: refused while the role differs, it would work again
        # once the account got that role back.
        await password_resets.revoke(d.redis, user.id)
    # A coach line they may no longer hold (a demoted leader's listen-in) is hung up, as their sockets end.
    await end_sessions_of_coach(d, user.id)
    return JSONResponse({"user": user.public()})


routes: list[BaseRoute] = [
    Route("/api/auth/signup", signup, methods=["POST"]),
    Route("/api/auth/login", login, methods=["POST"]),
    Route("/api/auth/logout", logout, methods=["POST"]),
    Route("/api/me", me, methods=["GET"]),
    Route("/api/users/{user_id}/role", set_role, methods=["PUT"]),
]
