"""Teams over HTTP: leaders create teams and share a join code; volunteers join; leaders watch their team."""

from __future__ import annotations

from datetime import date, timedelta
from typing import cast

from redis.asyncio import Redis
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from dialer.calling_hours import local_day
from dialer.models import Role
from dialer.queue import keys
from dialer.stores.accounts import AccountStore, User, is_account
from dialer.stores.teams import NotAnAccount, Team, TeamStore
from dialer.web.api_campaigns import load_campaign
from dialer.web.api_coach import end_sessions_of_coach, end_sessions_out_of_reach
from dialer.web.auth import require_user
from dialer.web.body import read_json_object
from dialer.web.deps import deps
from dialer.web.errors import ApiError
from dialer.web.validate import Problems, only_string


def _person(user: User) -> None:
    """Teams are people's: the admin token's pseudo-user is never stored as a member or a leader."""
    if not is_account(user):
        raise ApiError(
            403, "not_an_account", "The admin token is not a person's account; sign in as one to use teams."
        )


async def _keeps_own_team(
    store: TeamStore, user: User, staying: str | None = None, *, self_: bool = True
) -> None:
    """A leader leads the team they are in (their roster, survey and coaching are that team's): one who
    leads a team is not taken out of it (joining, creating or being moved to another, leaving) until an
    organizer gives it another leader. Organizers see every team whichever they are in."""
    if not user.role.includes(Role.LEADER) or user.role.includes(Role.ORGANIZER):
        return
    for team in await store.led_by(user.id):
        if team.id != staying:
            message = (
                f"You lead the team {team.name}: ask an organizer to give it another leader (on the Teams "
                "page) before you leave it or join another."
                if self_
                else f"{user.name} leads the team {team.name}: give it another leader first."
            )
            raise ApiError(409, "leads_team", message)


async def create_team(request: Request) -> Response:
    user = await require_user(request, Role.LEADER)
    _person(user)
    name = only_string(
        await read_json_object(request), "name", max_len=80, message="The team is not valid.", is_name=True
    )
    d = deps(request)
    await _keeps_own_team(TeamStore(d.redis), user)
    team = await TeamStore(d.redis).create(name, user.id, d.clock())
    return JSONResponse(team.public(with_code=True), status_code=201)


async def list_teams(request: Request) -> Response:
    user = await require_user(request)
    store = TeamStore(deps(request).redis)
    mine = await store.team_of(user.id)
    organizer = user.role.includes(Role.ORGANIZER)
    leader = user.role.includes(Role.LEADER)  # a demoted leader no longer sees their old team's code
    return JSONResponse(
        [
            {**t.public(with_code=organizer or (leader and t.leader == user.id)), "mine": t.id == mine}
            for t in await store.all()
        ]
    )


async def join_team(request: Request) -> Response:
    user = await require_user(request)
    _person(user)
    code = only_string(await read_json_object(request), "join_code", max_len=20)
    store = TeamStore(deps(request).redis)
    team = await store.by_code(code)
    if team is None:
        raise ApiError(404, "not_found", "No team has that join code; check it with your team leader.")
    await _keeps_own_team(store, user, staying=team.id)
    await store.join(user.id, team)
    await end_sessions_out_of_reach(deps(request), user.id)  # their old team's leader stops listening
    return JSONResponse({"team": team.public(with_code=False)})


async def leave_team(request: Request) -> Response:
    user = await require_user(request)
    store = TeamStore(deps(request).redis)
    await _keeps_own_team(store, user)
    await store.leave(user.id)
    await end_sessions_out_of_reach(deps(request), user.id)
    return Response(status_code=204)


async def get_team(request: Request) -> Response:
    """The team with its members, for its leader and for organizers; `?campaign_id=` adds members' calls."""
    user = await require_user(request, Role.LEADER)
    d = deps(request)
    store = TeamStore(d.redis)
    team = await store.get(request.path_params["team_id"])
    if team is None:
        raise ApiError(404, "not_found", "No such team.")
    if team.leader != user.id and not user.role.includes(Role.ORGANIZER):
        raise ApiError(403, "forbidden", "Only the team's leader and organizers see its members.")
    accounts = AccountStore(d.redis)
    members = []
    campaign_id = request.query_params.get("campaign_id")
    days: dict[str, dict[str, str]] = {}
    member_ids = list(await store.members(team.id))
    if campaign_id:
        campaign = await load_campaign(request, campaign_id, user)  # a closed one is 404 to a leader
        days = await _days(d.redis, campaign_id, campaign.default_timezone, d.clock(), member_ids, team.id)
    for member_id in member_ids:
        member = await accounts.get(member_id)
        if member is None:
            continue
        row: dict[str, object] = {"id": member.id, "name": member.name, "email": member.email}
        if campaign_id:
            score = await d.redis.zscore(keys.leaderboard(campaign_id), member.id)
            row["calls"] = int(cast(float, score or 0))
            row.update({when: _day_figures(daily, member.id) for when, daily in days.items()})
        members.append(row)
    out: dict[str, object] = {**team.public(with_code=True), "members": members}
    if campaign_id:
        progress = await _progress(request, campaign_id, team.id)
        # The team's day, like its total: the calls made as its members (record.lua), so that it agrees
        # with its total; a member's own figures also count what they did before joining or in another team.
        for when, daily in days.items():
            progress[when] = {
                "calls": int(daily.get(f"team-calls:{team.id}") or 0),
                "conversations": int(daily.get(f"team-conv:{team.id}") or 0),
            }
        out["progress"] = progress
    return JSONResponse(out)


async def _days(
    redis: Redis, campaign_id: str, zone: str, now: float, members: list[str], team_id: str
) -> dict[str, dict[str, str]]:
    """The members' and the team's fields of the campaign's daily counters for today and yesterday (its
    days are its default time zone's). Only theirs: the day's hash holds every volunteer and team of the
    campaign, and the Teams page asks every 5 s."""
    today = date.fromisoformat(local_day(zone, now))
    yesterday = (today - timedelta(days=1)).isoformat()
    fields = [f"{kind}:{m}" for m in members for kind in ("calls", "conv")]
    fields += [f"team-calls:{team_id}", f"team-conv:{team_id}"]
    async with redis.pipeline(transaction=False) as pipe:
        pipe.hmget(keys.daily(campaign_id, today.isoformat()), fields)
        pipe.hmget(keys.daily(campaign_id, yesterday), fields)
        found = await pipe.execute()
    return {when: {f: v for f, v in zip(fields, values, strict=True) if v is not None}
            for when, values in zip(("today", "yesterday"), found, strict=True)}  # fmt: skip


def _day_figures(daily: dict[str, str], member: str) -> dict[str, int]:
    return {
        "calls": int(daily.get(f"calls:{member}") or 0),
        "conversations": int(daily.get(f"conv:{member}") or 0),
    }


async def _progress(request: Request, campaign_id: str, team_id: str) -> dict[str, object]:
    """The team's calls (the campaign's team board) and conversations (its survey tally) in the campaign,
    and how it compares: its place among the teams that called (`rank`, None before its first call), how
    many did (`teams`), and the whole campaign's calls. Numbers only: nothing of other teams' people."""
    redis = deps(request).redis
    async with redis.pipeline(transaction=False) as pipe:
        pipe.zscore(keys.team_board(campaign_id), team_id)
        pipe.hget(keys.survey_team(campaign_id, team_id), "conversations")
        pipe.zcard(keys.team_board(campaign_id))
        pipe.hget(keys.counters(campaign_id), "calls")
        calls, conversations, teams, campaign_calls = await pipe.execute()
    ahead = await redis.zcount(keys.team_board(campaign_id), f"({calls}", "+inf") if calls else None
    return {
        "campaign_id": campaign_id,
        "calls": int(calls or 0),
        "conversations": int(conversations or 0),
        "rank": ahead + 1 if ahead is not None else None,
        "teams": int(teams or 0),
        "campaign_calls": int(campaign_calls or 0),
    }


async def _team_for_change(request: Request, user: User) -> Team:
    team = await TeamStore(deps(request).redis).get(request.path_params["team_id"])
    if team is None:
        raise ApiError(404, "not_found", "No such team.")
    if team.leader != user.id and not user.role.includes(Role.ORGANIZER):
        raise ApiError(403, "forbidden", "Only the team's leader and organizers change it.")
    return team


async def update_team(request: Request) -> Response:
    """`{name?, goal?, leader?}`: rename the team, set or clear (null) its goal of calls per campaign, and
    (organizers) hand it to another team leader, who joins it."""
    user = await require_user(request, Role.LEADER)
    team = await _team_for_change(request, user)
    body = await read_json_object(request)
    problems = Problems()
    problems.unknown_fields(body, {"name", "goal", "leader"})
    problems.no_nulls(body, "name", "leader")
    name = problems.string(body, "name", required=False, max_len=80, is_name=True)
    if "name" in body and isinstance(body["name"], str) and name == "":
        problems.add("name", "must not be empty")
    goal = body.get("goal")
    if goal is not None and (
        not isinstance(goal, int) or isinstance(goal, bool) or not 1 <= goal <= 10_000_000
    ):
        problems.add("goal", "must be a whole number from 1 to 10000000, or null")
    d = deps(request)
    new_leader = await _new_leader(d.redis, body, user, problems)
    problems.raise_if_any("The team is not valid.")
    store = TeamStore(d.redis)
    if new_leader is not None and new_leader.id != team.leader:
        await _keeps_own_team(store, new_leader, staying=team.id, self_=False)
        await store.set_leader(team, new_leader.id)
        await end_sessions_of_coach(d, team.leader)  # the old leader stops listening to the team
        await end_sessions_out_of_reach(d, new_leader.id)  # and their old team's leader to them
    if name:
        await store.rename(team.id, name)
    if "goal" in body:
        await store.set_goal(team.id, goal)
    updated = await store.get(team.id)
    assert updated is not None
    return JSONResponse(updated.public(with_code=True))


async def _new_leader(redis: Redis, body: dict[str, object], user: User, problems: Problems) -> User | None:
    if "leader" not in body:
        return None
    if not user.role.includes(Role.ORGANIZER):
        raise ApiError(403, "forbidden", "Only organizers give a team another leader.")
    wanted = body["leader"]
    if wanted is None:
        return None  # no_nulls said so
    if not isinstance(wanted, str) or not wanted:
        problems.add("leader", "must be a user id")
        return None
    account = await AccountStore(redis).get(wanted) if len(wanted) <= 100 else None
    if account is None:
        problems.add("leader", "no such user")
    elif not account.role.includes(Role.LEADER):
        problems.add("leader", "must be a team leader: make them one on the People page first")
    elif account.disabled:
        problems.add("leader", "is a disabled account")
    else:
        return account
    return None


async def move_member(request: Request) -> Response:
    """Organizers put an account in this team (out of the one it was in)."""
    await require_user(request, Role.ORGANIZER)
    store = TeamStore(deps(request).redis)
    team = await store.get(request.path_params["team_id"])
    if team is None:
        raise ApiError(404, "not_found", "No such team.")
    user_id = request.path_params["user_id"]
    moved = await AccountStore(deps(request).redis).get(user_id)
    if moved is not None:
        await _keeps_own_team(store, moved, staying=team.id, self_=False)
    try:
        await store.join(user_id, team)
    except NotAnAccount:
        raise ApiError(404, "not_found", "No such user.") from None
    await end_sessions_out_of_reach(deps(request), user_id)
    return JSONResponse({"team": team.public(with_code=True), "user_id": user_id})


routes: list[BaseRoute] = [
    Route("/api/teams", create_team, methods=["POST"]),
    Route("/api/teams", list_teams, methods=["GET"]),
    Route("/api/teams/join", join_team, methods=["POST"]),
    Route("/api/teams/membership", leave_team, methods=["DELETE"]),
    Route("/api/teams/{team_id}", get_team, methods=["GET"]),
    Route("/api/teams/{team_id}", update_team, methods=["PATCH"]),
    Route("/api/teams/{team_id}/members/{user_id}", move_member, methods=["PUT"]),
]
