"""Results: recording a call's outcome (fenced, idempotent) and the campaign's stats (export.py: the CSV).

The results stream `{c:<id>}:results` is the durable log: one entry per recorded result, written by the
same Lua script that moves the contact on and bumps the counters, so counters and stream cannot disagree.
"""

from __future__ import annotations

import json
import math
import secrets
from dataclasses import dataclass, field
from typing import Any, cast

import redis.asyncio as aioredis

from dialer.models import ResultCode
from dialer.queue import dnc, keys
from dialer.queue.errors import raise_for
from dialer.queue.lua_scripts import run_replicated

LEADERBOARD_SIZE = 10
# A call-back is kept for the volunteer who arranged it this long after its time (if they are calling then),
# and goes to anyone after that.
CALL_BACK_GRACE = 15 * 60


@dataclass(frozen=True)
class RetryPolicy:
    """The campaign's settings that decide whether and when a contact is called again."""

    max_attempts: int = 3
    retry_minutes: float = 240


@dataclass(frozen=True)
class ResultInput:
    """A result as the API receives it (`call_back_at` as epoch seconds)."""

    contact_id: str
    result: ResultCode
    idempotency_key: str = ""
    answers: dict[str, Any] = field(default_factory=dict)
    notes: str = ""
    call_sid: str | None = None
    call_back_at: float | None = None
    script_version: str = ""


@dataclass(frozen=True)
class Recorded:
    duplicate: bool
    entry_id: str
    phone: str
    attempt: int | None = None  # None for a duplicate


def _kind_and_due(result: ResultInput, policy: RetryPolicy, now: float) -> tuple[str, float]:
    retry_at = now + policy.retry_minutes * 60
    if result.result.retries_after_delay:
        return "retry", retry_at
    if result.result is ResultCode.CALL_BACK:
        return "callback", result.call_back_at if result.call_back_at is not None else retry_at
    return "final", now


async def record_result(
    redis: aioredis.Redis,
    campaign_id: str,
    batch_id: str,
    volunteer: str,
    result: ResultInput,
    *,
    policy: RetryPolicy,
    now: float,
    volunteer_name: str = "",
    team: str = "",
    survey: dict[str, str] | None = None,
    day: str = "",
) -> Recorded:
    """Records a result through the batch `batch_id` held by `volunteer`.

    `survey` is what the organizers' tally counts of this result (survey.countable: None when it was no
    conversation); `day` the campaign's date, for the volunteer's numbers today ('' for none).

    Raises NotHolder (HTTP 403: another volunteer's batch), NotInBatch or AlreadyCompleted (HTTP 409). A
    repeated idempotency key returns the first recording with `duplicate=True` and changes nothing (except
    re-adding a do-not-call phone to the list, which completes a request interrupted between the two steps).
    """
    kind, due = _kind_and_due(result, policy, now)
    idem = result.idempotency_key or f"auto:{secrets.token_hex(12)}"
    reply = await run_replicated(  # on a cluster with replicas, acknowledged = replicated
        redis,
        "record",
        [
            keys.contact(campaign_id, result.contact_id),
            keys.batch(campaign_id, batch_id),
            keys.idempotency(campaign_id),
            keys.results(campaign_id),
            keys.counters(campaign_id),
            keys.leaderboard(campaign_id),
            keys.volunteer_names(campaign_id),
            keys.calls_per_minute(campaign_id),
            keys.dnc_mirror(campaign_id),
            keys.team_board(campaign_id),
            keys.contact_results(campaign_id, result.contact_id),
            keys.callbacks(campaign_id, volunteer),
            keys.survey(campaign_id),
            keys.survey_team(campaign_id, team or "-"),
            keys.daily(campaign_id, day or "-"),
            keys.hourly(campaign_id),
        ],
        [
            keys.tag(campaign_id) + ":",
            batch_id,
            volunteer,
            volunteer_name,
            result.contact_id,
            result.result.value,
            kind,
            idem,
            repr(now),
            repr(due),
            policy.max_attempts,
            json.dumps(result.answers, ensure_ascii=False, sort_keys=True),
            result.notes,
            result.call_sid or "",
            result.script_version,
            keys.events(campaign_id),
            team,
            CALL_BACK_GRACE,
            "" if survey is None else json.dumps(survey, ensure_ascii=False, separators=(",", ":")),
            day,
        ],
    )
    if reply[0] == "error":
        raise_for(reply[1])
    duplicate = reply[0] == "duplicate"
    recorded = Recorded(duplicate, reply[1], reply[2], None if duplicate else int(reply[3]))
    first_code = reply[3] if duplicate else result.result.value
    if first_code == ResultCode.DO_NOT_CALL.value and recorded.phone:
        # The list is organization-wide, outside the campaign's slot: added after the campaign's script
        # (which already put the phone in this campaign's mirror), with every other campaign's mirror.
        await dnc.add_phones(redis, [recorded.phone])
    return recorded


async def stats(redis: aioredis.Redis, campaign_id: str, now: float) -> dict[str, Any]:
    """API.md's Stats, without `goal` and `abandon_rate` (None here; the caller knows them)."""
    minute = math.floor(now / 60)
    minutes = [str(m) for m in range(minute - 59, minute + 1)]
    talked = [f"c:{m}" for m in minutes]
    reached_in = [f"r:{m}" for m in minutes]
    async with redis.pipeline(transaction=False) as pipe:
        pipe.hgetall(keys.counters(campaign_id))
        pipe.zcount(keys.leases(campaign_id), f"({now!r}", "+inf")
        pipe.zrevrange(keys.leaderboard(campaign_id), 0, LEADERBOARD_SIZE - 1, withscores=True)
        pipe.hmget(keys.calls_per_minute(campaign_id), minutes + talked + reached_in)
        pipe.zrevrange(keys.team_board(campaign_id), 0, LEADERBOARD_SIZE - 1, withscores=True)
        counters, active, board, per_minute, team_board = await pipe.execute()
    team_names: list[str | None] = []
    if team_board:
        async with redis.pipeline(transaction=False) as pipe:
            for team_id, _ in team_board:
                pipe.hget(keys.team(team_id), "name")
            team_names = await pipe.execute()
    names: list[str | None] = []
    if board:
        names = cast(
            list[str | None], await redis.hmget(keys.volunteer_names(campaign_id), [v for v, _ in board])
        )
    count = {k: int(v) for k, v in counters.items()}
    calls = count.get("calls", 0)
    reached = count.get("reached", 0)
    return {
        "campaign_id": campaign_id,
        "contacts": count.get("contacts", 0),
        "pending": count.get("pending", 0),
        "leased": count.get("leased", 0),
        "completed": count.get("completed", 0),
        "skipped": count.get("skipped", 0),
        "results": {code.value: count.get(f"result:{code.value}", 0) for code in ResultCode},
        "calls": calls,
        "contacts_reached": reached,
        "contact_rate": round(reached / calls, 4) if calls else 0.0,
        "active_volunteers": int(active),
        "calls_last_hour": sum(int(n) for n in per_minute[:60] if n),
        "conversations_last_hour": sum(int(n) for n in per_minute[60:120] if n),
        # The goal counts voters reached (`contacted`), so its pace does too (a refusal is a conversation).
        "reached_last_hour": sum(int(n) for n in per_minute[120:] if n),
        "goal": None,
        "abandon_rate": None,
        "leaderboard": [
            {"volunteer": volunteer, "name": name or volunteer, "calls": int(score)}
            for (volunteer, score), name in zip(board, names or [None] * len(board), strict=True)
        ],
        "teams": [
            {"team": team_id, "name": name or team_id, "calls": int(score)}
            for (team_id, score), name in zip(team_board, team_names, strict=True)
        ],
    }
