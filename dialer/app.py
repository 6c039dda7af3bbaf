"""The composition root: `create_app(settings)` wires Redis, the clock, the carrier and the routes.

Dependencies come in as parameters (tests pass their own Redis client or clock); nothing is looked up from
globals. With REDIS_URL unset the app starts the embedded Redis on startup and stops it on shutdown.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import anyio
import redis.asyncio as aioredis
import redis.exceptions as redis_errors
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from dialer.connections import RQNeedsPlainRedis, async_client, connected, resolve_url, rq_url
from dialer.dialing.bridge import DialEvents
from dialer.embedded import EmbeddedRedis
from dialer.jobs import enqueuer
from dialer.live import LiveHub
from dialer.passwords import HashPool
from dialer.queue import lease_layout
from dialer.settings import Settings
from dialer.stores import web_url
from dialer.telephony import carrier_from_settings
from dialer.web import (
    api_auth,
    api_batch_contacts,
    api_batches,
    api_call_day,
    api_campaigns,
    api_coach,
    api_console,
    api_crm,
    api_dialer,
    api_dnc,
    api_password_resets,
    api_passwords,
    api_people,
    api_queue,
    api_recordings,
    api_scripts,
    api_teams,
    api_transfer,
    api_voice,
    api_voicemail_audio,
    call_me,
    call_me_hooks,
    call_recording,
    dial_in,
    openapi,
    pages,
    pages_activity,
    pages_crm,
    pages_organize,
    phone_dial,
    recording_hooks,
    webhooks,
    ws_call,
    ws_live,
)
from dialer.web.call_hub import CallHub
from dialer.web.deps import Deps
from dialer.web.errors import EXCEPTION_HANDLERS
from dialer.web.frame_writer import KeepRawSend
from dialer.web.limits import BodyLimitMiddleware
from dialer.web.security import SecurityMiddleware
from dialer.web.sockets import OpenSockets
from dialer.web.webhook_lane import LaneApp

log = logging.getLogger("dialer")


async def healthz(request: Request) -> Response:
    deps: Deps = request.app.state.deps
    try:
        with anyio.fail_after(1.0):
            await deps.redis.ping()
    except (redis_errors.RedisError, OSError, TimeoutError):
        return JSONResponse({"status": "unavailable", "redis": "down"}, status_code=503)
    return JSONResponse({"status": "ok"})


async def catch_up_indexes(redis: aioredis.Redis) -> None:
    """Indexes the People and do-not-call pages read, for data written before the indexes existed (after an
    upgrade: 13 s for a 1,000,000-number list, once), at start-up rather than in the first organizer's
    request. A few counts once they are up to date; a failure only leaves it to that first request."""
    from dialer.queue import dnc_pages
    from dialer.stores import people

    try:
        await people.ensure_index(redis)
        await dnc_pages.ensure_index(redis)
    except (redis_errors.RedisError, OSError) as exc:
        log.warning("could not bring the People and do-not-call indexes up to date at start: %s", exc)


def route_table() -> list[BaseRoute]:
    return [
        # The carrier's webhooks first: four or more arrive per call, and routes are matched in order.
        *webhooks.routes,
        *recording_hooks.routes,
        *api_coach.routes,
        *api_transfer.routes,
        Route("/healthz", healthz, methods=["GET"]),
        *openapi.routes,
        *api_auth.routes,
        *api_passwords.routes,
        *api_password_resets.routes,
        *api_campaigns.routes,
        *api_batches.routes,
        *api_call_day.routes,
        *api_batch_contacts.routes,
        *api_console.routes,
        *api_coach.api_routes,
        *api_transfer.api_routes,
        *api_crm.routes,
        *api_dnc.routes,
        *api_queue.routes,
        *api_people.routes,
        *api_scripts.routes,
        *api_teams.routes,
        *api_voice.routes,
        *call_me.routes,
        *call_me_hooks.routes,
        *phone_dial.routes,
        *dial_in.routes,
        *api_voicemail_audio.routes,
        *api_recordings.routes,
        *call_recording.routes,
        *api_dialer.routes,
        *ws_call.routes,
        *ws_live.routes,
        *pages_activity.routes,
        *pages_crm.routes,
        *pages_organize.routes,
        *pages.routes,  # last: it has `/` and the /static mount
    ]


def create_app(
    settings: Settings,
    *,
    redis: aioredis.Redis | None = None,
    clock: Callable[[], float] = time.time,
    carrier: Any = None,
    publish_url: bool = False,
) -> Starlette:
    """The app; `publish_url` (`dialer serve`) tells the worker where it listens (stores/web_url.py)."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        embedded: EmbeddedRedis | None = None
        client = redis
        url: str | None = settings.redis_url
        if client is None:
            resolved, embedded = await anyio.to_thread.run_sync(resolve_url, settings)
            client, url = async_client(resolved), resolved
            await connected(client)
        if publish_url:
            await web_url.publish(client, settings)
        the_carrier = carrier if carrier is not None else carrier_from_settings(settings)
        hub = CallHub(client)
        sockets = OpenSockets(client)
        live = LiveHub(client, clock=clock)  # stats are completed by dialer.stores.campaign_stats
        app.state.deps = Deps(
            settings=settings,
            redis=client,
            clock=clock,
            secret_key=settings.resolve_secret_key(),
            carrier=the_carrier,
            hashing=HashPool.for_memory(settings.hash_memory_mb),
            parsing=anyio.CapacityLimiter(os.cpu_count() or 1),
            services={
                "call_hub": hub,
                "sockets": sockets,  # ended when their account is disabled
                "live": live,
                "campaign_changed": live.campaign_changed,
                # Power and predictive dialing: carrier verdicts on server-dialed lines, the abandonment rate.
                "call_event": DialEvents(client, settings, clock).on_event,
            },
        )
        if url is not None:  # background jobs (big imports) go to the RQ worker
            try:
                app.state.deps.services["enqueue"] = enqueuer(rq_url(settings, url), url)
            except RQNeedsPlainRedis as exc:  # `dialer serve` stops before this; an embedding app goes on
                log.error("no background jobs: %s", exc)
        # Contacts of an older version to the per-campaign lease keys, before anything claims; with Redis
        # down now, the first claim does it (LeaseQueue.claim) and requests meanwhile get 503s.
        try:
            await lease_layout.ensure_layout_once(client)
        except (redis_errors.ConnectionError, redis_errors.TimeoutError, OSError) as exc:
            log.warning("could not check the lease layout at start (the first claim will): %s", exc)
        # Before serving, so the first organizer's page never waits for it (and tests see a settled store).
        await catch_up_indexes(client)
        try:
            async with anyio.create_task_group() as tg, live.running():
                tg.start_soon(hub.run)
                tg.start_soon(sockets.run)
                if publish_url:  # kept while this serve runs, so a dead one's URL passes to a live one
                    tg.start_soon(web_url.keep_published, client, settings)
                await hub.subscribed()  # the first sockets see every call's progress
                yield
                tg.cancel_scope.cancel()
        finally:
            if carrier is None and the_carrier is not None:
                await the_carrier.aclose()
            if redis is None:
                await client.aclose()
            if embedded is not None:
                await anyio.to_thread.run_sync(embedded.stop)

    return LaneApp(  # status and AMD callbacks are answered before the rest of the stack (webhook_lane.py)
        routes=route_table(),
        exception_handlers=EXCEPTION_HANDLERS,
        middleware=[
            Middleware(KeepRawSend),  # outermost: the server's own send, for the live counters' fan-out
            Middleware(SecurityMiddleware, settings=settings),
            Middleware(
                BodyLimitMiddleware, limit=settings.max_body_bytes, idle_seconds=settings.body_timeout
            ),
        ],
        lifespan=lifespan,
    )


def app_from_env() -> Starlette:
    """The app of one of `dialer serve --workers N`'s processes, built from the environment it inherits."""
    from dialer.cli import configure_serve_logging
    from dialer.web.slow_clients import HeaderTimeoutProtocol

    settings = Settings.from_env()
    configure_serve_logging(settings)
    HeaderTimeoutProtocol.header_seconds = settings.header_timeout
    return create_app(settings, publish_url=True)
