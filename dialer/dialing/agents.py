"""Volunteers' availability in the dialing pool (power and predictive modes), kept in Redis.

A volunteer is `ready` (free for the next voter), `talking` (bridged to a voter), `wrap_up` (the voter hung
up; the volunteer is finishing the script) or `away`. Reserving a free volunteer for an answered voter is
one Lua script (dial_event.lua), so two voters answered at the same instant never get the same volunteer,
and a volunteer who is not ready never gets one. A ready volunteer must show a sign of life (a `ready`
call) at least every AGENT_TIMEOUT seconds, else they are treated as away: a closed laptop gets no voters.
"""

from __future__ import annotations

import enum
import secrets
from dataclasses import dataclass
from typing import cast

import redis.asyncio as aioredis

from dialer.queue import keys
from dialer.queue import keys as dkeys
from dialer.queue.lease import new_batch_id
from dialer.queue.lua_scripts import run

AGENT_TIMEOUT = 90.0  # seconds a ready volunteer stays in the pool without a sign of life
SOCKET_KEPT = 86400  # seconds the id of a volunteer's latest call socket is kept


class AgentState(enum.StrEnum):
    READY = "ready"
    TALKING = "talking"
    WRAP_UP = "wrap_up"
    AWAY = "away"


@dataclass(frozen=True)
class Agent:
    volunteer: str
    state: AgentState
    since: float
    seen: float
    call_sid: str = ""
    contact_id: str = ""


@dataclass(frozen=True)
class ReadyReply:
    """What joining the pool did: `bridged` when a voter was already waiting and is now this volunteer's."""

    state: str  # "ready" | "away" | "bridged" | "talking" (a heartbeat during a call) | "kept"
    call_sid: str | None = None
    contact_id: str | None = None

    def to_json(self) -> dict[str, str | None]:
        return {"state": self.state, "call_sid": self.call_sid, "contact_id": self.contact_id}


async def set_ready(
    redis: aioredis.Redis,
    campaign_id: str,
    volunteer: str,
    ready: bool,
    *,
    now: float,
    lease_seconds: float,
    only_if_ready: bool = False,
    alive: bool = False,
    socket: str = "",
) -> ReadyReply:
    """Join the pool as free, or leave it (`ready=False`).

    `alive` (with `ready=True`): the heartbeat of a waiting page: as ready, but a volunteer already bridged
    to a voter keeps the call (state `talking`) instead of ending it as a new "ready" does.
    `only_if_ready` (with `ready=False`): leave only a volunteer waiting for a voter, as when their call
    socket closes; one talking to a voter stays (state `kept`). With `socket` (the closing socket's id from
    `socket_opened`), a volunteer whose page has opened a newer socket since stays too: the page is back.
    """
    reply = await run(
        redis,
        "dial_ready",
        [
            dkeys.dial_agent(campaign_id, volunteer),
            dkeys.dial_ready(campaign_id),
            dkeys.dial_pool(campaign_id),
            dkeys.dial_waiting(campaign_id),
            dkeys.dial_counters(campaign_id),
            keys.leases(campaign_id),
            dkeys.dial_actions(campaign_id),
            keys.holder(campaign_id, volunteer),
            dkeys.dial_socket(campaign_id, volunteer),
        ],
        [
            dkeys.dial_prefix(campaign_id),
            volunteer,
            ("alive" if alive else "ready") if ready else ("gone" if only_if_ready else "away"),
            repr(now),
            new_batch_id(campaign_id),
            repr(now + lease_seconds),
            keys.calls_channel(campaign_id),
            socket,
        ],
    )
    if reply[0] in ("bridged", "talking"):
        return ReadyReply(str(reply[0]), str(reply[1]) or None, str(reply[2]) or None)
    return ReadyReply(str(reply[0]))


async def socket_opened(redis: aioredis.Redis, campaign_id: str, volunteer: str) -> str:
    """A call socket of the volunteer opened: it is now their latest. Returns its id, for `set_ready`."""
    socket = secrets.token_hex(8)
    await redis.set(dkeys.dial_socket(campaign_id, volunteer), socket, ex=SOCKET_KEPT)
    return socket


async def pool(redis: aioredis.Redis, campaign_id: str) -> list[Agent]:
    """Every volunteer in the pool (not away), with their state."""
    members = cast(list[str], await redis.zrange(dkeys.dial_pool(campaign_id), 0, -1))
    if not members:
        return []
    async with redis.pipeline(transaction=False) as pipe:
        for volunteer in members:
            pipe.hgetall(dkeys.dial_agent(campaign_id, volunteer))
        rows = cast(list[dict[str, str]], await pipe.execute())
    found = []
    for volunteer, row in zip(members, rows, strict=True):
        try:
            state = AgentState(row.get("state", "away"))
        except ValueError:
            continue
        if state is AgentState.AWAY:
            continue
        found.append(
            Agent(
                volunteer,
                state,
                float(row.get("since") or 0),
                float(row.get("seen") or 0),
                row.get("call_sid", ""),
                row.get("contact_id", ""),
            )
        )
    return found


async def agent(redis: aioredis.Redis, campaign_id: str, volunteer: str) -> Agent | None:
    row = cast(dict[str, str], await redis.hgetall(dkeys.dial_agent(campaign_id, volunteer)))
    if not row:
        return None
    return Agent(
        volunteer,
        AgentState(row.get("state", "away")),
        float(row.get("since") or 0),
        float(row.get("seen") or 0),
        row.get("call_sid", ""),
        row.get("contact_id", ""),
    )


def is_stale(a: Agent, now: float, timeout: float = AGENT_TIMEOUT) -> bool:
    """A volunteer gone quiet: ready or wrapping up with no sign of life for `timeout` seconds."""
    if a.state is AgentState.TALKING:
        return False
    return max(a.seen, a.since) < now - timeout
