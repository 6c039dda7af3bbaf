"""A campaign's recorded voicemail message in Redis, and the TwiML that leaves it on a machine.

One hash per campaign (`{c:<id>}:voicemail:audio`) holds the audio and what we know of it; an upload replaces
it whole in one HSET after DEL inside a MULTI (one key, so one slot), so a fetch never sees half of two
uploads. Its `id` is random and new on every upload: the URLs signed for an old recording stop working
when it is replaced or removed.
"""

from __future__ import annotations

import base64
import secrets
from typing import Any

import redis.asyncio as aioredis

from dialer.campaigns import Campaign
from dialer.dialing.twiml import voicemail_twiml
from dialer.queue import keys
from dialer.times import iso
from dialer.voicemail_audio import Audio, signed_path

META_FIELDS = ("id", "kind", "content_type", "bytes", "seconds", "uploaded_at", "uploaded_by")


def _meta(values: list[Any]) -> dict[str, Any] | None:
    raw = dict(zip(META_FIELDS, values, strict=True))
    if not raw["id"]:
        return None
    return {
        "id": raw["id"],
        "kind": raw["kind"],
        "content_type": raw["content_type"],
        "bytes": int(raw["bytes"]),
        "seconds": float(raw["seconds"]) if raw["seconds"] else None,
        "uploaded_at": iso(float(raw["uploaded_at"])),  # stored as epoch seconds
        "uploaded_by": raw["uploaded_by"],
    }


class VoicemailAudioStore:
    def __init__(self, redis: aioredis.Redis) -> None:
        self.redis = redis

    async def put(
        self, campaign_id: str, data: bytes, audio: Audio, *, by: str, now: float
    ) -> dict[str, Any]:
        """Store (or replace) the campaign's recording; its description as `meta` gives it."""
        fields: dict[Any, Any] = {
            "id": secrets.token_urlsafe(18),
            "kind": audio.kind,
            "content_type": audio.content_type,
            "bytes": str(len(data)),
            "seconds": "" if audio.seconds is None else repr(audio.seconds),
            "uploaded_at": repr(now),
            "uploaded_by": by,
            "data": base64.b64encode(data).decode("ascii"),
        }
        key = keys.voicemail_audio(campaign_id)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.delete(key)
            pipe.hset(key, mapping=fields)
            await pipe.execute()
        meta = _meta([fields[f] for f in META_FIELDS])
        assert meta is not None
        return meta

    async def meta(self, campaign_id: str) -> dict[str, Any] | None:
        return _meta(await self.redis.hmget(keys.voicemail_audio(campaign_id), list(META_FIELDS)))

    async def audio(self, campaign_id: str) -> tuple[dict[str, Any], bytes] | None:
        values = await self.redis.hmget(keys.voicemail_audio(campaign_id), [*META_FIELDS, "data"])
        meta = _meta(values[:-1])
        if meta is None or values[-1] is None:
            return None
        return meta, base64.b64decode(values[-1])

    async def delete(self, campaign_id: str) -> bool:
        return bool(await self.redis.delete(keys.voicemail_audio(campaign_id)))

    async def play_url(self, campaign_id: str, *, base_url: str, secret: str, now: float) -> str | None:
        """The signed URL Twilio fetches the recording by, or None when the campaign has none."""
        audio_id = await self.redis.hget(keys.voicemail_audio(campaign_id), "id")
        if not audio_id:
            return None
        return base_url.rstrip("/") + signed_path(secret, campaign_id, str(audio_id), now)


async def has_voicemail(redis: aioredis.Redis, campaign: Campaign) -> bool:
    """Whether machines get a message: a recording, or the text read aloud."""
    return bool(campaign.voicemail_message) or bool(await redis.exists(keys.voicemail_audio(campaign.id)))


async def voicemail_twiml_for(
    redis: aioredis.Redis, campaign: Campaign, *, base_url: str, secret: str, now: float
) -> str:
    """What a machine hears: the recording played, else the campaign's text read aloud, then the hang-up."""
    url = await VoicemailAudioStore(redis).play_url(campaign.id, base_url=base_url, secret=secret, now=now)
    return voicemail_twiml(campaign.voicemail_message, audio_url=url)
