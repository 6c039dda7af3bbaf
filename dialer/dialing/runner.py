"""The worker's pacer thread: one `CampaignPacer` task per campaign in power or predictive mode.

Safe to run in several workers at once: each campaign's pacer takes the campaign's lock before dialing, so
the second worker's task waits until the first one's lock expires (it crashed) and then takes over.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import redis.asyncio as aioredis
import redis.exceptions

from dialer.campaigns import Campaign
from dialer.dialing.pacer_loop import CampaignPacer
from dialer.queue import keys as dkeys
from dialer.settings import Settings
from dialer.stores import web_url
from dialer.stores.campaigns import CampaignStore

log = logging.getLogger("dialer.pacer")

SUPERVISE_SECONDS = 1.0
STORE_AWAY = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)  # a restart, a failover


async def run_pacers(
    redis: aioredis.Redis,
    carrier: Any,
    settings: Settings,
    *,
    stop: Callable[[], bool] = lambda: False,
    clock: Callable[[], float] = time.time,
    follow_url: bool = False,
) -> None:
    """One pacer task per campaign in power or predictive mode, started and restarted as campaigns change.

    `follow_url` (PUBLIC_URL unset): callbacks follow the URL `dialer serve` last published. It was read
    once, so a serve restarted on another port had every later call's webhooks sent to the dead port and
    no voter bridged until the worker too was restarted. A pacer whose URL is stale finishes its round and
    stops (`run`'s stop, between rounds: nothing half-dialed); the supervisor starts it on the new one."""
    tasks: dict[str, asyncio.Task[None]] = {}
    current = [settings]  # what new pacers get; a running pacer on an older URL stops (`_stale`)
    try:
        while not stop():
            try:
                if follow_url:
                    current[0] = await followed(redis, current[0])
                campaigns = await CampaignStore(redis).list()
            except STORE_AWAY as exc:  # Redis restarting: try again shortly (a traceback says nothing more)
                log.warning("could not list campaigns: %s", exc)
                campaigns = []
            except Exception:
                log.exception("could not list campaigns")
                campaigns = []
            for campaign in campaigns:
                task = tasks.get(campaign.id)
                if (task is None or task.done()) and await wanted(redis, campaign):
                    pacer = CampaignPacer(redis, carrier, current[0], campaign.id, clock=clock)
                    tasks[campaign.id] = asyncio.create_task(_guarded(pacer, _stale(pacer, stop, current)))
            await asyncio.sleep(SUPERVISE_SECONDS)
    finally:
        for task in tasks.values():
            task.cancel()
        await asyncio.gather(*tasks.values(), return_exceptions=True)


async def followed(redis: aioredis.Redis, settings: Settings) -> Settings:
    """`settings` with the URL `dialer serve` published now, when it changed (stores/web_url.py)."""
    url = await web_url.published(redis)
    if url is None or url == settings.base_url:
        return settings
    log.info("carrier callbacks now go to %s (published by dialer serve)", url)
    return replace(settings, public_url=url)


def _stale(pacer: CampaignPacer, stop: Callable[[], bool], current: list[Settings]) -> Callable[[], bool]:
    """The pacer's stop: the worker's, or its callback URL no longer the one the supervisor follows."""
    return lambda: stop() or pacer.settings.base_url != current[0].base_url


async def wanted(redis: aioredis.Redis, campaign: Campaign) -> bool:
    """A campaign needs its pacer while it dials, and also while anything of its dialing is unsettled: a
    volunteer's hang-up waiting for it (a paused campaign's voters are still talking), a line in flight
    (its lost final callback is asked of the carrier by the pacer alone), a voter waiting. The pacer stops
    by itself once nothing is (CampaignPacer._idle); a paused campaign's died with a worker or a Redis
    restart, and its lines stayed counted and their voters held for as long as the pause lasted."""
    if campaign.dialing:
        return True
    if not campaign.mode.server_dials:
        return False
    cid = campaign.id
    async with redis.pipeline(transaction=False) as pipe:
        pipe.llen(dkeys.dial_actions(cid))
        pipe.zcard(dkeys.dial_lines(cid))
        pipe.zcard(dkeys.dial_waiting(cid))
        counts = await pipe.execute()
    return any(counts)


async def _guarded(pacer: CampaignPacer, stop: Callable[[], bool]) -> None:
    try:
        await pacer.run(stop)
    except asyncio.CancelledError:
        raise
    except STORE_AWAY as exc:  # the supervisor restarts it once Redis is back
        log.warning("pacer of campaign %s stopped: %s", pacer.campaign_id, exc)
    except Exception:  # one campaign's failure must not stop the others; the supervisor restarts it
        log.exception("pacer of campaign %s failed", pacer.campaign_id)


def run_in_thread(settings: Settings, redis_url: str, stop: threading.Event) -> None:
    """The worker's pacer thread: its own event loop, Redis client and carrier."""
    from dialer.connections import async_client
    from dialer.telephony import carrier_from_settings

    async def main() -> None:
        client = async_client(redis_url)
        try:  # callbacks to the web app's own URL when PUBLIC_URL is unset (stores/web_url.py)
            resolved = await web_url.for_worker(client, settings, stop=stop.is_set)
        except BaseException:
            await client.aclose()
            raise
        carrier = carrier_from_settings(resolved)
        if carrier is None:  # CARRIER=none: nothing to dial through
            await client.aclose()
            return
        try:
            await run_pacers(client, carrier, resolved, stop=stop.is_set, follow_url=not settings.public_url)
        finally:
            await carrier.aclose()
            await client.aclose()

    asyncio.run(main())
