"""Call attempts: one record per call (CallSid), moved forward by the carrier's callbacks.

The record is keyed by the call the volunteer knows: the browser leg's CallSid in preview mode (the
`<Number>` leg Twilio dials reports it as ParentCallSid), the outbound leg's own CallSid in power and
predictive modes. Results carry that same CallSid, so the export joins attempt and result on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import redis.asyncio as aioredis

from dialer.guardrails import Refusal, dial_limits
from dialer.queue import keys
from dialer.queue.lua_scripts import run
from dialer.telephony.base import AnsweredBy, CallEvent, CallStatus, EventKind

ATTEMPT_TTL = 30 * 24 * 3600
# Twilio ends every call at its TimeLimit (4 hours by default): a call placed longer ago than that is over
# even when its final status callback never reached us (this server was down).
CALL_TIME_LIMIT = 4 * 3600
# A dial not yet answered has rung out (or failed) well within this, even queued behind the carrier's
# calls-per-second limit: past it, a lost final callback no longer holds the voter (dial_start.lua).
UNANSWERED_LIVE_SECONDS = 120


@dataclass(frozen=True)
class Applied:
    """One callback's outcome: `applied` moved the attempt (and was published); else nothing changed."""

    outcome: str  # "applied" | "stale" | "duplicate"
    status: CallStatus | None = None
    volunteer: str = ""
    contact_id: str = ""
    answered_by: AnsweredBy | None = None


def attempt_sid(event: CallEvent) -> str:
    """The attempt a callback belongs to: the parent (browser) leg when there is one."""
    return event.parent_call_sid or event.call_sid


class AttemptStore:
    def __init__(self, redis: aioredis.Redis) -> None:
        self.redis = redis

    async def start(
        self,
        campaign_id: str,
        call_sid: str,
        *,
        contact_id: str,
        volunteer: str,
        phone: str,
        now: float,
        mode: str = "preview",
    ) -> bool:
        created = await run(
            self.redis,
            "attempt_start",
            [keys.attempt(campaign_id, call_sid), keys.attempts(campaign_id)],
            [call_sid, contact_id, volunteer, phone, repr(now), ATTEMPT_TTL, mode],
        )
        return bool(created)

    async def start_dial(
        self,
        campaign_id: str,
        call_sid: str,
        *,
        contact_id: str,
        volunteer: str,
        phone: str,
        now: float,
        max_attempts: int,
    ) -> bool:
        """Whether `dial` lets this call go ahead (True), for callers that need no reason."""
        refusal = await self.dial(
            campaign_id, call_sid, contact_id=contact_id, volunteer=volunteer, phone=phone, now=now,
            max_attempts=max_attempts,
        )  # fmt: skip
        return refusal is None

    async def dial(
        self,
        campaign_id: str,
        call_sid: str,
        *,
        contact_id: str,
        volunteer: str,
        phone: str,
        now: float,
        max_attempts: int,
    ) -> Refusal | None:
        """A volunteer's dial of a contact: counted and its attempt recorded (None: dial), or refused:
        DIAL_LIMIT when the contact has been dialed as often as allowed overall (its attempts are then used
        up: the next claim finishes it) or within its current batch (guardrails.dial_limits), CALL_IN_PROGRESS
        while another call to it is not yet final (bounded: UNANSWERED_LIVE_SECONDS, CALL_TIME_LIMIT once
        answered). A repeat of the same CallSid dials again without counting (dial_start.lua)."""
        max_dials, max_batch_dials = dial_limits(max_attempts)
        reply = await run(
            self.redis,
            "dial_start",
            [
                keys.contact(campaign_id, contact_id),
                keys.attempt(campaign_id, call_sid),
                keys.attempts(campaign_id),
                keys.lease_of(campaign_id),
                keys.tries(campaign_id),
            ],
            [
                call_sid,
                contact_id,
                volunteer,
                phone,
                repr(now),
                ATTEMPT_TTL,
                "preview",
                max_dials,
                max_batch_dials,
                max_attempts,
                keys.tag(campaign_id) + ":",
                UNANSWERED_LIVE_SECONDS,
                CALL_TIME_LIMIT,
            ],
        )
        if int(reply) == -2:
            return Refusal.CALL_IN_PROGRESS
        return Refusal.DIAL_LIMIT if int(reply) < 0 else None

    async def apply(self, campaign_id: str, event: CallEvent, now: float, day: str = "") -> Applied:
        """Applies one callback; `day` (the campaign's date) counts a finished conversation's length in
        the volunteer's talk time for that day."""
        sid = attempt_sid(event)
        status = event.status if event.kind is EventKind.STATUS else None
        reply = await run(
            self.redis,
            "attempt_event",
            [keys.attempt(campaign_id, sid), keys.attempts(campaign_id), keys.daily(campaign_id, day or "-")],
            [
                sid,
                event.dedupe_key,
                status.value if status else "",
                status.rank if status else -1,
                repr(now),
                "" if event.duration is None else str(event.duration),
                event.answered_by.value if event.answered_by else "",
                event.call_sid,
                event.contact_id or "",
                keys.calls_channel(campaign_id),
                ATTEMPT_TTL,
                "1" if day else "",
            ],
        )
        if reply[0] == "duplicate":
            return Applied("duplicate")
        known = CallStatus(reply[1]) if reply[1] else None
        if reply[0] == "stale":
            return Applied("stale", known)
        return Applied("applied", known, reply[2], reply[3], AnsweredBy(reply[4]) if reply[4] else None)

    async def get(self, campaign_id: str, call_sid: str) -> dict[str, str] | None:
        data = cast(dict[str, str], await self.redis.hgetall(keys.attempt(campaign_id, call_sid)))
        if not data:
            return None
        return {k: v for k, v in data.items() if not k.startswith("cb:")}
