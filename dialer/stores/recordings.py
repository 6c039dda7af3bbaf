"""Call recordings in Redis: each recorded call's steps (disclosure, then start), and each finished
recording's metadata (the audio stays at the carrier), indexed by expiry and by contact.

Recordings expire after the campaign's `recording_retention_days` (fixed when the recording is kept): the
worker's `expire_recordings` deletes due ones at the carrier and here. Deleting a contact's recordings
does the same for one voter.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, cast

import redis.asyncio as aioredis

from dialer.queue import keys
from dialer.queue.lua_scripts import run
from dialer.recording_consent import expires_at
from dialer.telephony.base import CarrierError
from dialer.telephony.recording import Recorder
from dialer.times import iso

log = logging.getLogger("dialer.stores.recordings")

CALL_STEPS_TTL = 24 * 3600
FIELDS = ("sid", "call_sid", "contact_id", "url", "duration", "channels", "created_at", "expires_at")


class StepOutOfOrder(Exception):
    """Recording asked to start before the voter was sent the disclosure."""


@dataclass(frozen=True)
class Recording:
    sid: str
    call_sid: str
    contact_id: str
    url: str
    duration: int
    channels: int
    created_at: float
    expires_at: float

    def to_json(self) -> dict[str, Any]:
        """As the API answers it: times in ISO 8601 UTC (the hash keeps epoch seconds)."""
        return {
            "sid": self.sid, "call_sid": self.call_sid, "contact_id": self.contact_id,
            "duration": self.duration, "channels": self.channels, "created_at": iso(self.created_at),
            "expires_at": iso(self.expires_at),
        }  # fmt: skip


def _recording(raw: dict[str, str]) -> Recording | None:
    if not raw.get("sid"):
        return None
    return Recording(
        sid=raw["sid"],
        call_sid=raw["call_sid"],
        contact_id=raw["contact_id"],
        url=raw["url"],
        duration=int(raw["duration"] or 0),
        channels=int(raw["channels"] or 1),
        created_at=float(raw["created_at"]),
        expires_at=float(raw["expires_at"]),
    )


class RecordingStore:
    def __init__(self, redis: aioredis.Redis) -> None:
        self.redis = redis

    async def step(self, campaign_id: str, call_sid: str, step: str, now: float) -> bool:
        """Take a recorded call's step in order: True when taken now, False when it already was;
        StepOutOfOrder for a start before the disclosure."""
        taken = int(
            await run(
                self.redis,
                "recording_step",
                [keys.recording_call(campaign_id, call_sid)],
                [step, repr(now), CALL_STEPS_TTL],
            )  # fmt: skip
        )
        if taken < 0:
            raise StepOutOfOrder(call_sid)
        return taken == 1

    async def undo_start(self, campaign_id: str, call_sid: str) -> None:
        """The carrier refused to record: the call may be asked to record again."""
        await self.redis.hdel(keys.recording_call(campaign_id, call_sid), "started_at")

    async def note_started(self, campaign_id: str, call_sid: str, recording_sid: str) -> None:
        await self.redis.hset(keys.recording_call(campaign_id, call_sid), "recording_sid", recording_sid)

    async def call_steps(self, campaign_id: str, call_sid: str) -> dict[str, str]:
        return cast(dict[str, str], await self.redis.hgetall(keys.recording_call(campaign_id, call_sid)))

    async def keep(self, campaign_id: str, rec: Recording) -> bool:
        """Keep a finished recording's metadata; False when it was already kept (a retried callback)."""
        pairs: list[str] = []
        for name, value in zip(FIELDS, _values(rec), strict=True):
            pairs += [name, value]
        kept = await run(
            self.redis,
            "recording_add",
            [
                keys.recording(campaign_id, rec.sid),
                keys.recordings(campaign_id),
                keys.contact_recordings(campaign_id, rec.contact_id),
            ],
            [rec.sid, repr(rec.expires_at), *pairs],
        )
        if kept:
            await self.redis.sadd(keys.RECORDING_CAMPAIGNS, campaign_id)
        return bool(kept)

    async def get(self, campaign_id: str, recording_sid: str) -> Recording | None:
        raw = await self.redis.hgetall(keys.recording(campaign_id, recording_sid))
        return _recording(cast(dict[str, str], raw))

    async def listed(self, campaign_id: str, contact_id: str | None = None) -> list[Recording]:
        """The campaign's recordings (or one contact's), soonest to expire first."""
        if contact_id is None:
            sids = [str(s) for s in await self.redis.zrange(keys.recordings(campaign_id), 0, 999)]
        else:
            sids = sorted(
                str(s) for s in await self.redis.smembers(keys.contact_recordings(campaign_id, contact_id))
            )
        found = [await self.get(campaign_id, sid) for sid in sids]
        return sorted((r for r in found if r is not None), key=lambda r: r.expires_at)

    async def due(self, campaign_id: str, now: float, limit: int = 100) -> list[str]:
        return [
            str(s)
            for s in await self.redis.zrangebyscore(keys.recordings(campaign_id), "-inf", repr(now), 0, limit)
        ]

    async def forget(self, campaign_id: str, rec: Recording) -> bool:
        removed = await run(
            self.redis,
            "recording_remove",
            [
                keys.recording(campaign_id, rec.sid),
                keys.recordings(campaign_id),
                keys.contact_recordings(campaign_id, rec.contact_id),
            ],
            [rec.sid],
        )
        return bool(removed)


def _values(rec: Recording) -> list[str]:
    return [
        rec.sid, rec.call_sid, rec.contact_id, rec.url, str(rec.duration), str(rec.channels),
        repr(rec.created_at), repr(rec.expires_at),
    ]  # fmt: skip


def new_recording(
    form: dict[str, str], *, contact_id: str, now: float, retention_days: int
) -> Recording | None:
    """A finished recording from Twilio's RecordingStatusCallback form, or None for another status."""
    if form.get("RecordingStatus") != "completed":
        return None
    duration = form.get("RecordingDuration", "0")
    channels = form.get("RecordingChannels", "1")
    return Recording(
        sid=form["RecordingSid"],
        call_sid=form["CallSid"],
        contact_id=contact_id,
        url=form.get("RecordingUrl", ""),
        duration=int(duration) if duration.isdigit() else 0,
        channels=int(channels) if channels.isdigit() else 1,
        created_at=now,
        expires_at=expires_at(now, retention_days),
    )


async def delete_recording(
    store: RecordingStore, recorder: Recorder | None, campaign_id: str, rec: Recording
) -> bool:
    """Delete at the carrier first (so a failure there leaves it listed, to try again), then here."""
    if recorder is not None:
        try:
            await recorder.delete_recording(rec.call_sid, rec.sid)
        except CarrierError as exc:
            log.warning("carrier refused to delete recording %s: %s", rec.sid, exc)
            return False
    return await store.forget(campaign_id, rec)


async def expire_recordings(redis: aioredis.Redis, recorder: Recorder | None, now: float) -> int:
    """Delete every recording past its expiry, in every campaign that has any. Returns how many."""
    store = RecordingStore(redis)
    deleted = 0
    for campaign_id in sorted(str(c) for c in await redis.smembers(keys.RECORDING_CAMPAIGNS)):
        for sid in await store.due(campaign_id, now):
            rec = await store.get(campaign_id, sid)
            if rec is None:  # metadata gone: drop the stale index entry
                await redis.zrem(keys.recordings(campaign_id), sid)
                continue
            deleted += await delete_recording(store, recorder, campaign_id, rec)
        if not await redis.exists(keys.recordings(campaign_id)):
            await redis.srem(keys.RECORDING_CAMPAIGNS, campaign_id)
    return deleted
