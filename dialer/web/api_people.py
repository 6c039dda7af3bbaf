"""People for organizers and admins: search accounts, see one, disable or enable it.

Role changes stay `PUT /api/users/{id}/role` (admins, api_auth.py), but for one: a call day needs team
leaders, so organizers make a volunteer a team leader and back (`PUT /api/users/{id}/leader`). Disabling
follows the same idea of rank: organizers may disable volunteers and leaders, admins anyone; nobody disables
their own account (the last admin could lock everyone out)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from dialer.models import Role
from dialer.stores import account_history, password_resets, people
from dialer.stores.accounts import AccountStore, User, is_account
from dialer.stores.campaigns import CampaignStore
from dialer.web.api_coach import end_sessions_of_coach
from dialer.web.auth import require_user
from dialer.web.body import read_json_object
from dialer.web.deps import deps
from dialer.web.disabled_calls import end_calling
from dialer.web.errors import ApiError
from dialer.web.query import query_int, query_text
from dialer.web.validate import Problems


async def _campaigns(request: Request) -> list[tuple[str, str]]:
    return [(c.id, c.name) for c in await CampaignStore(deps(request).redis).list()]


async def search_users(request: Request) -> Response:
    await require_user(request, Role.ORGANIZER)
    query = request.query_params
    q = query_text(query, "q", max_len=100)
    cursor = query_text(query, "cursor", max_len=400)
    limit = query_int(query, "limit", low=1, high=100, default=25)
    redis = deps(request).redis
    try:
        found = await people.search(redis, q, cursor, limit)
    except people.BadCursor:
        raise ApiError(
            422,
            "validation_error",
            "That cursor is not one this list handed out; start again without it.",
            [{"path": "cursor", "message": "unknown cursor"}],
        ) from None
    rows = await people.rows(redis, found.ids, await _campaigns(request))
    return JSONResponse({"users": rows, "next": found.next, "total": found.total})


async def get_user(request: Request) -> Response:
    await require_user(request, Role.ORGANIZER)
    rows = await people.rows(deps(request).redis, [request.path_params["user_id"]], await _campaigns(request))
    if not rows:
        raise ApiError(404, "not_found", "No such user.")
    return JSONResponse(rows[0])


def may_disable(actor: User, target: User) -> bool:
    if is_account(actor) and actor.id == target.id:
        return False
    return actor.role is Role.ADMIN or actor.role.rank > target.role.rank


async def _switch(request: Request, field: str) -> tuple[User, bool, User]:
    """An organizer's `{<field>: true|false}` about the account in the path: (who asks, the value, the
    account); 422 for any other body, 404 for no such account."""
    actor = await require_user(request, Role.ORGANIZER)
    body = await read_json_object(request)
    problems = Problems()
    problems.unknown_fields(body, {field})
    value = body.get(field)
    if not isinstance(value, bool):
        problems.add(field, "required" if value is None else "must be true or false")
    problems.raise_if_any()
    target = await AccountStore(deps(request).redis).get(request.path_params["user_id"])
    if target is None:
        raise ApiError(404, "not_found", "No such user.")
    return actor, bool(value), target


async def set_disabled(request: Request) -> Response:
    actor, disabled, target = await _switch(request, "disabled")
    accounts = AccountStore(deps(request).redis)
    if not may_disable(actor, target):
        why = "your own account" if actor.id == target.id else f"{target.role.with_article}'s account"
        raise ApiError(403, "forbidden", f"You may not disable or enable {why}.")
    if await accounts.set_disabled(target.id, disabled) is not None and disabled != target.disabled:
        await account_history.note(deps(request).redis, target.id, "disabled" if disabled else "enabled",
                                   by=actor.id, name=actor.name, now=deps(request).clock())  # fmt: skip
    if not disabled and target.disabled:
        # Enabled again: a reset link made before it was disabled ends here (while disabled it answers 403
        # account_disabled). The usual reason to disable an account is that a link or its password went
        # astray; that link must not take the account over once it is enabled. A new link works.
        await password_resets.revoke(deps(request).redis, target.id)
    if disabled:  # a disabled coach's listen-in ends with their sessions, a caller's calls and batches
        await end_sessions_of_coach(deps(request), target.id)
        await end_calling(deps(request), target.id)
    return await get_user(request)


async def user_history(request: Request) -> Response:
    """What was done to the account and by whom, newest first (stores/account_history.py)."""
    await require_user(request, Role.ORGANIZER)
    uid = request.path_params["user_id"]
    redis = deps(request).redis
    if await AccountStore(redis).get(uid) is None:
        raise ApiError(404, "not_found", "No such user.")
    return JSONResponse({"entries": await account_history.history(redis, uid)})


async def set_leader(request: Request) -> Response:
    """`{leader: true}` makes a volunteer a team leader, `false` a leader a volunteer again; organizers and
    admins, for volunteers' and leaders' accounts only (an organizer's or admin's role is an admin's)."""
    actor, leader, target = await _switch(request, "leader")
    accounts = AccountStore(deps(request).redis)
    if target.role not in (Role.VOLUNTEER, Role.LEADER) or (is_account(actor) and actor.id == target.id):
        why = (
            "your own account" if actor.id == target.id else f"{target.role.with_article}'s role: an admin's"
        )
        raise ApiError(403, "forbidden", f"You may not change {why}.")
    wanted = Role.LEADER if leader else Role.VOLUNTEER
    if target.role is not wanted:
        d = deps(request)
        await accounts.set_role(target.id, wanted)
        await account_history.note(d.redis, target.id, "role_changed", by=actor.id, name=actor.name,
                                   now=d.clock(), before=target.role.value, after=wanted.value)  # fmt: skip
        await end_sessions_of_coach(d, target.id)  # a leader made a volunteer again: no more listening in
        await password_resets.revoke(d.redis, target.id)  # a link made before never works again
    return await get_user(request)


routes: list[BaseRoute] = [
    Route("/api/users", search_users, methods=["GET"]),
    Route("/api/users/{user_id}", get_user, methods=["GET"]),
    Route("/api/users/{user_id}/disabled", set_disabled, methods=["PUT"]),
    Route("/api/users/{user_id}/history", user_history, methods=["GET"]),
    Route("/api/users/{user_id}/leader", set_leader, methods=["PUT"]),
]
