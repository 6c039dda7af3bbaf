"""An organizer's one-time password-reset link for a volunteer or leader, and the page at that link.

Phone banks have no mail server: the organizer hands the link over by text.

- `POST /api/users/{id}/password-reset` (organizer): 201 `{url, expires_at}`, a link that works once, for
  24 hours, and only while it is the account's newest, the account keeps the role it had then, and the
  organizer or admin who made it could still make it (enabled, and of that rank).
  Organizers make them for volunteers and leaders, admins for anyone but themselves. Noted in the
  account's audit log (stores/password_resets.py).
- `GET /reset/{token}`: the page where the person sets a new password; `POST /api/auth/password-reset`
  `{token, new_password}` uses the link: every session of the account ends, and this browser signs in.
  An unknown (or replaced) link is 404, and so is one whose account's role has changed since or that was
  enabled again after being disabled (both end the link for good, web/api_auth.py, web/api_people.py); a
  used or expired one is 410, a disabled account's 403; none of them changes anything.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from dialer.models import Role
from dialer.stores import password_resets, signin_limits
from dialer.stores.accounts import ADMIN_TOKEN_USER, AccountDisabled, AccountStore, User, is_account
from dialer.stores.password_resets import LinkProblem
from dialer.times import iso
from dialer.web.api_auth import with_session
from dialer.web.api_passwords import new_password
from dialer.web.auth import client_address, require_user
from dialer.web.body import read_json_object
from dialer.web.deps import Deps, deps
from dialer.web.errors import ApiError
from dialer.web.validate import Problems

RESETTABLE = frozenset({Role.VOLUNTEER, Role.LEADER})  # by an organizer; an admin resets anyone else


def may_reset(actor: User, target: User) -> str | None:
    """Why `actor` may not make a reset link for `target`, or None when they may."""
    if is_account(actor) and actor.id == target.id:
        return "Change your own password on your profile page instead."
    if actor.role is not Role.ADMIN and target.role not in RESETTABLE:
        return f"Only an admin may make a reset link for {target.role.with_article}'s account."
    return None


async def make_reset_link(request: Request) -> Response:
    actor = await require_user(request, Role.ORGANIZER)
    d = deps(request)
    target = await AccountStore(d.redis).get(request.path_params["user_id"])
    if target is None:
        raise ApiError(404, "not_found", "No such user.")
    if (refusal := may_reset(actor, target)) is not None:
        raise ApiError(403, "forbidden", refusal)
    if target.disabled:
        raise ApiError(409, "account_disabled", "This account is disabled; enable it first.")
    link = await password_resets.issue(
        d.redis, target.id, role=target.role.value, by=actor.id, by_name=actor.name, now=d.clock()
    )
    base = d.settings.public_url or str(request.base_url).rstrip("/")
    payload = {"url": f"{base}/reset/{link.token}", "expires_at": iso(link.expires_at)}
    return JSONResponse(payload, status_code=201, headers={"Cache-Control": "no-store"})


def _same_rank(issued_role: str, user: User) -> bool:
    """Whether the account still has the role it had when the link was made (a record from before roles
    were kept: whether an organizer could have made it)."""
    return issued_role == user.role.value if issued_role else user.role in RESETTABLE


async def _maker_may_still(d: Deps, maker_id: str, target: User) -> bool:
    """Whether the account that made a link could make it now: enabled, an organizer or admin still, and of
    a rank that may reset `target`. The admin token's links (and records from before the maker was kept)
    are not judged by an account."""
    if not maker_id or maker_id == ADMIN_TOKEN_USER.id:
        return True
    maker = await AccountStore(d.redis).get(maker_id)
    return (
        maker is not None
        and not maker.disabled
        and maker.role.includes(Role.ORGANIZER)
        and may_reset(maker, target) is None
    )


async def _link_user(request: Request, token: str) -> User:
    """The account the link is for; ApiError when the link cannot be used (a guess counts as a failure)."""
    d = deps(request)
    try:
        issued = await password_resets.check(d.redis, token, d.clock())
    except LinkProblem as problem:
        if problem.status == 404:
            await signin_limits.count_failure(d.redis, client_address(request))
        raise ApiError(problem.status, problem.code, problem.message) from None
    user = await AccountStore(d.redis).get(issued.uid)
    if user is None or not _same_rank(issued.role, user) or not await _maker_may_still(d, issued.by, user):
        # Its account is gone, or was given another role since (an organizer's link for a volunteer who is
        # now an organizer or admin would take over a rank the organizer may not reset), or whoever made it
        # may no longer make it (an organizer disabled or demoted: the links they hold end with their rank).
        unknown = password_resets.UNKNOWN
        raise ApiError(unknown.status, unknown.code, unknown.message)
    if user.disabled:
        raise ApiError(403, "account_disabled", "This account is disabled; ask an organizer.")
    return user


async def use_reset_link(request: Request) -> Response:
    body = await read_json_object(request)
    problems = Problems()
    problems.unknown_fields(body, {"token", "new_password"})
    token = problems.string(body, "token", max_len=200) or ""
    problems.raise_if_any()
    user = await _link_user(request, token)
    new = new_password(body, problems, user.email)
    problems.raise_if_any()
    d = deps(request)
    store = AccountStore(d.redis, d.hashing)
    pw_hash = await store.hash_password(new)  # first: a busy server (503) must not use the link up
    try:
        await password_resets.consume(d.redis, token, d.clock())
    except LinkProblem as problem:
        raise ApiError(problem.status, problem.code, problem.message) from None
    ended = await store.store_password(
        user.id, pw_hash
    )  # every session, this browser's too: it signs in anew
    await password_resets.audit(
        d.redis,
        user.id,
        "password_reset_used",
        by=user.id,
        name=user.name,
        now=d.clock(),
        sessions_ended=ended,
    )
    try:  # the user as read with the link: disabled since (even if enabled again), no session is made
        session = await store.issue_session(user)
    except AccountDisabled:
        raise ApiError(
            403, "account_disabled", "Your password is set, but this account is disabled; ask an organizer."
        ) from None
    return with_session(request, {"user": user.public(), "token": session}, session, 200)


async def reset_page(request: Request) -> Response:
    from dialer.web.pages import render  # the pages module imports the API modules, not the other way

    token = request.path_params["token"]
    try:
        user = await _link_user(request, token)
    except ApiError as refused:
        title = {410: "Link expired or used", 403: "Account disabled"}.get(refused.status, "Unknown link")
        context = {"user": None, "title": title, "message": str(refused)}
        return render(request, "error.html", context, refused.status)
    return render(request, "reset.html", {"user": None, "who": user, "token": token})


routes: list[BaseRoute] = [
    Route("/api/auth/password-reset", use_reset_link, methods=["POST"]),
    Route("/api/users/{user_id}/password-reset", make_reset_link, methods=["POST"]),
    Route("/reset/{token}", reset_page, methods=["GET"]),
]
