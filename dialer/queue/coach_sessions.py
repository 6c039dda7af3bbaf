"""Coaching sessions in Redis: one JSON string per volunteer's call (`{c:<id>}:coach:<volunteer>`).

Claimed with SET NX (one coach at a time: two organizers clicking at once get one session and one 409),
changed and ended by coach_session.lua only while it is still the one meant, so an end applies once: a
repeated or late "completed" callback for a coach leg that already left finds nothing and changes nothing.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace
from typing import Any, cast

import redis.asyncio as aioredis

from dialer.coaching import CoachMode
from dialer.queue import keys
from dialer.queue.lua_scripts import run

SESSION_TTL = 12 * 3600  # a session nobody ended (a lost callback) does not block coaching for long
LEG_TTL = 24 * 3600
PENDING = ""  # the call_sid of a session claimed while its coach is being dialed


@dataclass(frozen=True)
class CoachSession:
    coach: str
    name: str
    mode: CoachMode
    started: float
    call_sid: str = PENDING
    conference_sid: str = ""

    def to_json(self) -> str:
        return json.dumps({**asdict(self), "mode": self.mode.value})

    @classmethod
    def from_json(cls, raw: str | None) -> CoachSession | None:
        try:
            value: Any = json.loads(raw) if raw else None
            return cls(**{**value, "mode": CoachMode(value["mode"])}) if isinstance(value, dict) else None
        except (ValueError, TypeError, KeyError):
            return None


class CoachSessions:
    def __init__(self, redis: aioredis.Redis, campaign_id: str) -> None:
        self.redis = redis
        self.campaign_id = campaign_id

    def _key(self, volunteer: str) -> str:
        return keys.coach_session(self.campaign_id, volunteer)

    async def get(self, volunteer: str) -> CoachSession | None:
        return CoachSession.from_json(cast(str | None, await self.redis.get(self._key(volunteer))))

    async def claim(self, volunteer: str, session: CoachSession) -> bool:
        """Start a session unless one is on (False then)."""
        return bool(await self.redis.set(self._key(volunteer), session.to_json(), nx=True, ex=SESSION_TTL))

    async def put(self, volunteer: str, session: CoachSession) -> bool:
        """Replace the session of the same coach (a mode switch, the dialed leg's SIDs); False if it ended."""
        args = ["put", session.coach, "", session.to_json()]
        return bool(
            await run(self.redis, "coach_session", [keys.coach_session(self.campaign_id, volunteer)], args)
        )

    async def end(
        self, volunteer: str, *, coach: str | None = None, call_sid: str | None = None
    ) -> CoachSession | None:
        """End the session if it is this coach's (or this leg's); returns what ended, None if nothing did."""
        args = ["end", coach or "", call_sid or "", ""]
        raw = await run(self.redis, "coach_session", [keys.coach_session(self.campaign_id, volunteer)], args)
        return CoachSession.from_json(raw if isinstance(raw, str) else None) if raw else None

    async def remember_leg(self, volunteer: str, call_sid: str) -> None:
        await self.redis.set(keys.agent_leg(self.campaign_id, volunteer), call_sid, ex=LEG_TTL)

    async def leg(self, volunteer: str) -> str | None:
        return cast(str | None, await self.redis.get(keys.agent_leg(self.campaign_id, volunteer)))


def switched(session: CoachSession, mode: CoachMode) -> CoachSession:
    return replace(session, mode=mode)


async def notice_on_connect(redis: aioredis.Redis, campaign_id: str, volunteer: str) -> dict[str, Any] | None:
    """The `coach` message for a volunteer's page that (re)connects while a coach is on their line."""
    session = await CoachSessions(redis, campaign_id).get(volunteer)
    return None if session is None else {"type": "coach", "mode": session.mode.value, "by": session.name}
