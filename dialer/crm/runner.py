"""The worker's CRM sync: one `CampaignSync` task per linked campaign, each under the campaign's lock.

The lock makes one worker the campaign's only sender, so the connection's rate limit holds however many
workers run; when a worker dies its lock expires and another takes over, taking back its unsettled results
(sync.py). A campaign whose connection is removed or replaced stops after the round in flight.
`python -m dialer.crm.runner` runs the sync alone (the tests' kill -9 and the bench use it).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Awaitable, Callable

import httpx
import redis.asyncio as aioredis
import redis.exceptions

from dialer.crm.connection import Connection, CrmKind
from dialer.crm.destinations import GuardedTransport
from dialer.crm.osdi import OsdiClient
from dialer.crm.port import CrmClient
from dialer.crm.sealing import Sealer
from dialer.crm.store import CrmStore
from dialer.crm.sync import DEFAULT_CONFIG, CampaignSync, SyncConfig
from dialer.queue import keys
from dialer.queue.lua_scripts import run
from dialer.settings import Settings

log = logging.getLogger("dialer.crm")


def make_client(
    settings: Settings, connection: Connection, key: str, transport: httpx.AsyncBaseTransport | None = None
) -> CrmClient:
    if connection.kind is CrmKind.VAN:
        from dialer.crm.van import VanClient

        return VanClient(
            settings.van_api_base_url, connection.app_name, key, connection.mode, transport=transport
        )
    # The OSDI server is an organizer's choice: its address is checked on every request (destinations.py).
    guarded = transport or GuardedTransport(allow_private=settings.crm_allow_private)
    return OsdiClient(connection.base_url, key, transport=guarded)


def open_key(settings: Settings, sealed: str) -> str:
    if not settings.crm_key:
        raise RuntimeError("DIALER_CRM_KEY is not set: CRM keys cannot be read")
    return Sealer(settings.crm_key).open(sealed)


class SyncRunner:
    def __init__(
        self,
        redis: aioredis.Redis,
        settings: Settings,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        transport: httpx.AsyncBaseTransport | None = None,
        config: SyncConfig = DEFAULT_CONFIG,
        lock_seconds: float = 60.0,
        idle_seconds: float = 0.5,
    ) -> None:
        self.redis = redis
        self.settings = settings
        self.clock = clock
        self.sleep = sleep
        self.transport = transport
        self.config = config
        self.lock_ms = int(lock_seconds * 1000)
        self.idle_seconds = idle_seconds
        self.consumer = f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(4)}"

    async def run(self, stop: Callable[[], bool]) -> None:
        tasks: dict[str, asyncio.Task[None]] = {}
        try:
            while not stop():
                try:
                    linked = await CrmStore(self.redis).linked()
                except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as exc:
                    log.warning("could not list the campaigns linked to a CRM: %s", exc)  # Redis restarting
                    linked = []
                except Exception:
                    log.exception("could not list the campaigns linked to a CRM")
                    linked = []
                for campaign_id in linked:
                    task = tasks.get(campaign_id)
                    if task is None or task.done():
                        tasks[campaign_id] = asyncio.create_task(self._guarded(campaign_id, stop))
                await self.sleep(self.idle_seconds)
        finally:
            for task in tasks.values():
                task.cancel()
            await asyncio.gather(*tasks.values(), return_exceptions=True)

    async def _guarded(self, campaign_id: str, stop: Callable[[], bool]) -> None:
        try:
            await self.campaign(campaign_id, stop)
        except asyncio.CancelledError:
            raise
        except Exception:  # one campaign's failure must not stop the others; the loop restarts it
            log.exception("CRM sync of campaign %s failed", campaign_id)
            await self.sleep(self.idle_seconds)

    async def _lock(self, campaign_id: str, token: str, ms: int) -> bool:
        return bool(await run(self.redis, "dial_lock", [keys.crm_lock(campaign_id)], [token, ms]))

    async def campaign(self, campaign_id: str, stop: Callable[[], bool]) -> None:
        """Syncs one campaign while this worker holds its lock and its connection stays the same."""
        token = f"{self.consumer}-{secrets.token_hex(4)}"
        if not await self._lock(campaign_id, token, self.lock_ms):
            return
        store = CrmStore(self.redis)
        try:
            linked = await store.get(campaign_id)
            if linked is None:
                return
            connection, sealed = linked
            client = make_client(self.settings, connection, open_key(self.settings, sealed), self.transport)
            sync = CampaignSync(
                self.redis, campaign_id, client, consumer=self.consumer, rate=connection.rate,
                clock=self.clock, sleep=self.sleep, config=self.config,
            )  # fmt: skip
            try:
                while not stop() and await self._lock(campaign_id, token, self.lock_ms):
                    now_linked = await store.get(campaign_id)
                    if now_linked is None or now_linked[0].created_at != connection.created_at:
                        return  # removed or replaced: stop cleanly, the next round uses the new one
                    if await sync.step() == 0:
                        await self.sleep(self.idle_seconds)
            finally:
                await client.aclose()
        finally:
            await self._lock(campaign_id, token, 0)


def run_in_thread(settings: Settings, redis_url: str, stop: threading.Event) -> None:
    """The worker's CRM thread: its own event loop and Redis client."""
    from dialer.connections import async_client

    async def main() -> None:
        client = async_client(redis_url)
        try:
            await SyncRunner(client, settings).run(stop.is_set)
        finally:
            await client.aclose()

    asyncio.run(main())


def main(argv: list[str] | None = None) -> int:
    """`python -m dialer.crm.runner`: the CRM sync alone, on REDIS_URL (no embedded Redis)."""
    parser = argparse.ArgumentParser(prog="python -m dialer.crm.runner")
    parser.add_argument("--lock-seconds", type=float, default=60.0)
    parser.add_argument("--claim-idle", type=float, default=60.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--idle-seconds", type=float, default=0.5)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = Settings.from_env()
    if not settings.redis_url:
        parser.error("set REDIS_URL")
    config = SyncConfig(concurrency=args.concurrency, claim_idle=args.claim_idle, retry_lease=args.claim_idle)
    from dialer.connections import async_client

    async def go() -> None:
        client = async_client(str(settings.redis_url))
        try:
            runner = SyncRunner(
                client, settings, config=config, lock_seconds=args.lock_seconds,
                idle_seconds=args.idle_seconds,
            )  # fmt: skip
            await runner.run(lambda: False)
        finally:
            await client.aclose()

    asyncio.run(go())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
