"""The campaigns' store: one JSON document per campaign in Redis (`{c:<id>}:campaign`), and the index of
all campaigns by creation time. The campaign itself, its validation and its rules are dialer/campaigns.py
(pure)."""

from __future__ import annotations

import json

import redis.asyncio as aioredis

from dialer.campaigns import ID_RE, Campaign
from dialer.queue import keys


class CampaignStore:
    def __init__(self, redis: aioredis.Redis) -> None:
        self.redis = redis

    async def create(self, campaign: Campaign) -> bool:
        """False when the id is taken. The campaign document is the truth; the index follows it."""
        doc = json.dumps(campaign.to_json())
        created = await self.redis.hsetnx(keys.campaign(campaign.id), "doc", doc)
        if created:
            await self.redis.zadd(keys.CAMPAIGNS, {campaign.id: campaign.created_at})
        return bool(created)

    async def save(self, campaign: Campaign) -> None:
        await self.redis.hset(keys.campaign(campaign.id), "doc", json.dumps(campaign.to_json()))

    async def get(self, campaign_id: str) -> Campaign | None:
        if not ID_RE.match(campaign_id):
            return None
        raw = await self.redis.hget(keys.campaign(campaign_id), "doc")
        return Campaign.from_json(json.loads(raw)) if raw else None

    async def list(self) -> list[Campaign]:
        ids = await self.redis.zrange(keys.CAMPAIGNS, 0, -1)
        if not ids:
            return []
        async with self.redis.pipeline(transaction=False) as pipe:
            for cid in ids:
                pipe.hget(keys.campaign(str(cid)), "doc")
            docs = await pipe.execute()
        return [Campaign.from_json(json.loads(doc)) for doc in docs if doc]
