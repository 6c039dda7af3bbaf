"""Teams: a leader recruits volunteers into a team with a join code; campaigns keep a team leaderboard.

A user belongs to at most one team (the `team` field of their user hash); the team keeps its member set.
Team data is organization-wide and small, so plain MULTI transactions keep it consistent (on a single
Redis; see TeamStore for a cluster).
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from typing import cast

import redis.asyncio as aioredis

from dialer.connections import uses_cluster
from dialer.queue import keys

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: codes are read aloud and typed


@dataclass(frozen=True)
class Team:
    id: str
    name: str
    leader: str
    join_code: str
    goal: int | None = None  # calls the team aims for in each campaign (the Teams page shows progress)

    def public(self, *, with_code: bool) -> dict[str, object]:
        data: dict[str, object] = {"id": self.id, "name": self.name, "leader": self.leader}
        if self.goal is not None:
            data["goal"] = self.goal
        if with_code:
            data["join_code"] = self.join_code
        return data


class NotAnAccount(LookupError):
    pass


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


class TeamStore:
    def __init__(self, redis: aioredis.Redis) -> None:
        self.redis = redis
        # On a Redis Cluster these organization-wide keys live in different slots, where MULTI cannot go:
        # the writes are then plain pipelines in the order below. A crash between two of them can leave a
        # team unlisted, or a member in their old team's set too; the user's `team` field is written last.
        self.atomic = not uses_cluster(redis)

    async def create(self, name: str, leader: str, now: float) -> Team:
        if not await self.redis.hexists(keys.user(leader), "email"):
            raise NotAnAccount(leader)
        team_id = uuid.uuid4().hex[:12]
        code = new_code()
        while not await self.redis.set(keys.team_code(code), team_id, nx=True):
            code = new_code()
        team = Team(team_id, name, leader, code)
        async with self.redis.pipeline(transaction=self.atomic) as pipe:
            pipe.hset(
                keys.team(team_id),
                mapping={"name": name, "leader": leader, "join_code": code, "created_at": repr(now)},
            )
            pipe.zadd(keys.TEAMS, {team_id: now})
            await pipe.execute()
        await self.join(leader, team)
        return team

    async def get(self, team_id: str) -> Team | None:
        data = cast(dict[str, str], await self.redis.hgetall(keys.team(team_id)))
        if not data:
            return None
        goal = int(data["goal"]) if data.get("goal") else None
        return Team(team_id, data["name"], data["leader"], data["join_code"], goal)

    async def rename(self, team_id: str, name: str) -> None:
        await self.redis.hset(keys.team(team_id), "name", name)

    async def set_goal(self, team_id: str, goal: int | None) -> None:
        """The calls the team aims for in a campaign; None clears it."""
        if goal is None:
            await self.redis.hdel(keys.team(team_id), "goal")
        else:
            await self.redis.hset(keys.team(team_id), "goal", str(goal))

    async def set_leader(self, team: Team, user_id: str) -> None:
        """Hands the team to another account, who joins it if not in it yet (a leader leads the team they
        are in); the previous leader stays a member."""
        await self.join(user_id, team)
        await self.redis.hset(keys.team(team.id), "leader", user_id)

    async def led_by(self, user_id: str) -> list[Team]:
        """The teams whose recorded leader is the user."""
        return [t for t in await self.all() if t.leader == user_id]

    async def by_code(self, code: str) -> Team | None:
        team_id = await self.redis.get(keys.team_code(code.strip().upper()))
        return await self.get(str(team_id)) if team_id else None

    async def all(self) -> list[Team]:
        ids = await self.redis.zrange(keys.TEAMS, 0, -1)
        teams = [await self.get(str(i)) for i in ids]
        return [t for t in teams if t is not None]

    async def team_of(self, user_id: str) -> str:
        """The user's team id, or '' for none."""
        return str(await self.redis.hget(keys.user(user_id), "team") or "")

    async def join(self, user_id: str, team: Team) -> None:
        """Puts an existing account in the team (raises NotAnAccount rather than start a user hash)."""
        if not await self.redis.hexists(keys.user(user_id), "email"):
            raise NotAnAccount(user_id)
        previous = await self.team_of(user_id)
        async with self.redis.pipeline(transaction=self.atomic) as pipe:
            if previous and previous != team.id:
                pipe.srem(keys.team_members(previous), user_id)
            pipe.sadd(keys.team_members(team.id), user_id)
            pipe.hset(keys.user(user_id), "team", team.id)
            await pipe.execute()

    async def leave(self, user_id: str) -> None:
        previous = await self.team_of(user_id)
        if previous:
            async with self.redis.pipeline(transaction=self.atomic) as pipe:
                pipe.srem(keys.team_members(previous), user_id)
                pipe.hdel(keys.user(user_id), "team")
                await pipe.execute()

    async def members(self, team_id: str) -> list[str]:
        return sorted(cast(set[str], await self.redis.smembers(keys.team_members(team_id))))
