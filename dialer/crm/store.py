"""A campaign's CRM connection, the CRM's catalog and the mappings per script version, in Redis.

Linking creates the results stream's consumer group `crm` from the stream's start, so the results the
campaign already has are sent too; unlinking keeps the group, the ledger and the mappings, so linking again
goes on where the sync stopped and sends nothing twice.
"""

from __future__ import annotations

import json
from typing import Any, cast

import redis.asyncio as aioredis
import redis.exceptions

from dialer.crm.catalog import Catalog
from dialer.crm.connection import Connection
from dialer.crm.ledger import GROUP
from dialer.crm.mapping import CrmMapping
from dialer.queue import keys


class CrmStore:
    def __init__(self, redis: aioredis.Redis) -> None:
        self.redis = redis

    async def link(self, campaign_id: str, connection: Connection, sealed_key: str) -> None:
        try:
            await self.redis.xgroup_create(keys.results(campaign_id), GROUP, id="0", mkstream=True)
        except redis.exceptions.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
        key = keys.crm(campaign_id)
        fields: dict[Any, Any] = {**connection.to_hash(), "secret": sealed_key}
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.delete(key)
            pipe.hset(key, mapping=fields)
            await pipe.execute()
        # The index is another slot: a crash before it leaves the campaign linked and unsynced until the
        # connection is saved again, never half-saved.
        await self.redis.sadd(keys.CRM_CAMPAIGNS, campaign_id)

    async def unlink(self, campaign_id: str) -> bool:
        await self.redis.srem(keys.CRM_CAMPAIGNS, campaign_id)
        return bool(await self.redis.delete(keys.crm(campaign_id)))

    async def get(self, campaign_id: str) -> tuple[Connection, str] | None:
        """The connection and its sealed key, or None when the campaign has none."""
        data = cast(dict[str, str], await self.redis.hgetall(keys.crm(campaign_id)))
        if not data.get("kind"):
            return None
        return Connection.from_hash(data), data.get("secret", "")

    async def record_check(self, campaign_id: str, ok: bool, message: str, now: float) -> None:
        await self.redis.hset(
            keys.crm(campaign_id),
            mapping={"checked_at": repr(now), "check_ok": "1" if ok else "0", "check_message": message[:500]},
        )

    async def linked(self) -> list[str]:
        return sorted(cast(set[str], await self.redis.smembers(keys.CRM_CAMPAIGNS)))

    async def save_catalog(self, campaign_id: str, catalog: Catalog, now: float) -> None:
        doc = {**catalog.to_json(), "fetched_at": now}
        await self.redis.set(keys.crm_catalog(campaign_id), json.dumps(doc, ensure_ascii=False))

    async def catalog(self, campaign_id: str) -> tuple[Catalog, float] | None:
        raw = await self.redis.get(keys.crm_catalog(campaign_id))
        if raw is None:
            return None
        data = json.loads(raw)
        return Catalog.from_json(data), float(data.get("fetched_at") or 0)

    async def save_mapping(self, campaign_id: str, mapping: CrmMapping) -> None:
        await self.redis.hset(
            keys.crm_mappings(campaign_id),
            str(mapping.script_version),
            json.dumps(mapping.to_json(), ensure_ascii=False),
        )

    async def mapping(self, campaign_id: str, version: str) -> CrmMapping | None:
        raw = await self.redis.hget(keys.crm_mappings(campaign_id), version)
        return CrmMapping.from_json(json.loads(raw)) if raw else None

    async def mapped_versions(self, campaign_id: str) -> list[int]:
        raw = await self.redis.hkeys(keys.crm_mappings(campaign_id))
        return sorted(int(v) for v in raw if str(v).isdigit())

    async def mappings(self, campaign_id: str) -> dict[str, Any]:
        raw = cast(dict[str, str], await self.redis.hgetall(keys.crm_mappings(campaign_id)))
        return {version: json.loads(doc) for version, doc in raw.items()}
