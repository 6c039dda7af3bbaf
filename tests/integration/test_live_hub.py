"""The live fan-out service (dialer/live.py) on a real Redis, without sockets: mailboxes stand in.

Pub/sub channels are shared by every database of a Redis server, so each test uses its own campaign id.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import time
import uuid
from pathlib import Path
from typing import Any

import anyio
import pytest
import redis.asyncio as aioredis

from dialer.connections import async_client
from dialer.embedded import EmbeddedRedis, pid_of
from dialer.live import EVENTS_PATTERN, LiveHub, Mailbox, campaign_of_channel
from dialer.models import CampaignStatus, ResultCode
from dialer.queue import keys
from tests.e2e.test_live_support import Campaigner

pytestmark = pytest.mark.anyio


def new_id() -> str:
    return "hub-" + uuid.uuid4().hex[:10]


async def take_stats(mailbox: Mailbox, timeout: float = 2.0) -> dict[str, Any]:
    with anyio.fail_after(timeout):
        while True:
            for text in await mailbox.take():
                message = json.loads(text)
                if message["type"] == "stats":
                    return dict(message)


async def wait_for(predicate: Any, timeout: float = 5.0) -> None:
    with anyio.fail_after(timeout):
        while not predicate():
            await anyio.sleep(0.01)


def test_channel_names_round_trip() -> None:
    assert campaign_of_channel(keys.events("gotv-2026")) == "gotv-2026"
    assert campaign_of_channel(keys.counters("gotv-2026")) is None
    assert campaign_of_channel("something-else") is None
    assert EVENTS_PATTERN == keys.events("*")


async def test_mailbox_keeps_only_the_newest_stats_and_control_replies_in_order() -> None:
    box = Mailbox("c")
    box.offer_stats("s1", 1)
    box.offer_stats("s3", 3)
    box.offer_stats("s2", 2)  # computed before s3 started: older, never replaces it
    box.offer_control({"type": "pong"})
    assert await box.take() == ['{"type": "pong"}', "s3"]
    assert box.dropped == 1
    for _ in range(100):
        box.offer_control({"type": "pong"})
    assert len(await box.take()) == 16  # bounded: a client flooding pings cannot grow memory
    box.offer_stats("s4", 4)
    box.close(1001, "bye")
    assert await box.take() == []
    assert box.closed == (1001, "bye")


async def test_a_socket_that_never_reads_holds_one_message_and_does_not_delay_others(
    redis: aioredis.Redis,
) -> None:
    cid = new_id()
    campaign = Campaigner(redis, cid, time.time())
    await campaign.create(contacts=40)
    hub = LiveHub(redis, min_interval=0.05)
    seen: list[dict[str, Any]] = []
    async with hub.running():
        await hub.wait_subscribed()
        with hub.watch(cid) as stuck, hub.watch(cid) as reader:
            await hub.prime(stuck)
            await hub.prime(reader)
            async with anyio.create_task_group() as tg:

                async def drain() -> None:
                    while True:
                        seen.append(await take_stats(reader, timeout=10))

                tg.start_soon(drain)
                for _ in range(8):
                    await campaign.record(5)
                    await anyio.sleep(0.07)
                await wait_for(lambda: bool(seen) and seen[-1]["calls"] == 40)
                tg.cancel_scope.cancel()
            assert len(seen) >= 4  # the reader got updates all along while the other socket read nothing
            assert stuck.dropped >= 3  # the stuck socket's older stats were replaced, not queued
            pending = [json.loads(text) for text in await stuck.take()]
            # The latest of each kind, no more: one stats message and the roster (never sent, so still due).
            assert [p["type"] for p in pending] == ["stats", "roster"] and pending[0]["calls"] == 40
        assert hub.sockets(cid) == 0


async def test_burst_is_computed_a_few_times_only_and_ends_with_the_final_numbers(
    redis: aioredis.Redis,
) -> None:
    cid = new_id()
    campaign = Campaigner(redis, cid, time.time())
    await campaign.create(contacts=200, goal=None)
    hub = LiveHub(redis)
    async with hub.running():
        await hub.wait_subscribed()
        with hub.watch(cid) as box:
            await hub.prime(box)
            assert (await take_stats(box))["goal"] is None
            started = time.monotonic()
            await campaign.record(200, ResultCode.WRONG_NUMBER)
            burst = time.monotonic() - started
            await wait_for(lambda: box._stats is not None and json.loads(box._stats)["calls"] == 200)
            await anyio.sleep(0.4)
            final = await take_stats(box)
    assert final["calls"] == 200 and final["results"]["wrong_number"] == 200 and final["completed"] == 200
    assert hub.flushes <= 3 + int(burst / 0.25), (hub.flushes, burst)


async def test_campaign_changed_publishes_status_and_mode(redis: aioredis.Redis) -> None:
    cid = new_id()
    campaign = Campaigner(redis, cid, time.time())
    created = await campaign.create(contacts=1)
    hub = LiveHub(redis)
    pubsub = redis.pubsub()
    await pubsub.subscribe(keys.events(cid))
    paused = type(created)(**{**created.__dict__, "status": CampaignStatus.PAUSED})
    await hub.campaign_changed(paused)
    with anyio.fail_after(2):
        while (message := await pubsub.get_message(ignore_subscribe_messages=True, timeout=1)) is None:
            pass
    await pubsub.aclose()
    assert json.loads(message["data"]) == {
        "type": "campaign",
        "campaign_id": cid,
        "status": "paused",
        "mode": "preview",
    }


async def test_idle_refresh_catches_changes_that_publish_nothing(redis: aioredis.Redis) -> None:
    cid = new_id()
    campaign = Campaigner(redis, cid, time.time())
    await campaign.create(contacts=3)
    hub = LiveHub(redis, idle_refresh=0.3, abandon_rate=lambda _cid: _const(0.012))
    async with hub.running():
        await hub.wait_subscribed()
        with hub.watch(cid) as box:
            await hub.prime(box)
            first = await take_stats(box)
            assert first["abandon_rate"] == 0.012 and first["leased"] == 3
            await redis.hset(keys.counters(cid), "leased", 2)  # e.g. a lease released: no event
            assert (await take_stats(box, timeout=1.5))["leased"] == 2


async def _const(value: float) -> float | None:
    return value


async def test_resubscribes_after_a_redis_crash_and_pushes_fresh_stats(tmp_path: Path) -> None:
    store = EmbeddedRedis(tmp_path / "store")
    url = store.start()
    client = async_client(url)
    restarted: EmbeddedRedis | None = None
    try:
        cid = new_id()
        campaign = Campaigner(client, cid, time.time())
        await campaign.create(contacts=5)
        hub = LiveHub(client)
        async with hub.running():
            await hub.wait_subscribed()
            with hub.watch(cid) as box:
                await hub.prime(box)
                assert (await take_stats(box))["calls"] == 0
                await campaign.record(1)
                assert (await take_stats(box))["calls"] == 1

                pid = pid_of(tmp_path / "store")
                assert pid is not None
                os.kill(pid, signal.SIGKILL)
                if store.process is not None:
                    store.process.wait(timeout=10)
                await wait_for(lambda: not hub.subscribed, timeout=10)
                restarted = EmbeddedRedis(tmp_path / "store")
                assert await anyio.to_thread.run_sync(restarted.start) == url
                await wait_for(lambda: hub.subscriptions >= 2, timeout=15)
                # Nothing was published since: the push comes from the resubscription itself.
                after = await take_stats(box, timeout=3)
                assert after["calls"] == 1
                await campaign.record(1)
                assert (await take_stats(box, timeout=2))["calls"] == 2
    finally:
        await client.aclose()
        if restarted is not None:
            restarted.stop()
        store.stop()


async def test_many_campaigns_are_flushed_side_by_side_each_to_its_own_sockets(redis: aioredis.Redis) -> None:
    ids = [new_id() for _ in range(12)]
    campaigns = [Campaigner(redis, cid, time.time()) for cid in ids]
    for n, campaign in enumerate(campaigns, start=1):
        await campaign.create(contacts=n)
    hub = LiveHub(redis)
    async with hub.running():
        await hub.wait_subscribed()
        with contextlib.ExitStack() as stack:
            boxes = [stack.enter_context(hub.watch(cid)) for cid in ids]
            for box in boxes:
                await hub.prime(box)
                await take_stats(box)
            for n, campaign in enumerate(campaigns, start=1):
                await campaign.record(n)
            for n, (cid, box) in enumerate(zip(ids, boxes, strict=True), start=1):
                seen = await take_stats(box)
                while seen["calls"] != n:
                    seen = await take_stats(box)
                assert seen["campaign_id"] == cid and seen["contacts"] == n


async def test_events_that_change_nothing_send_nothing_but_the_idle_refresh_still_goes(
    redis: aioredis.Redis,
) -> None:
    """The tail of a burst: events whose change the last read already counted. Their flush reads the same
    numbers, which are not sent again (a frame per socket saying nothing; the e2e burst test saw one arrive
    after the final numbers under load). The idle refresh is sent all the same: pages take it for a sign
    of life (socket.js heartbeat)."""
    cid = new_id()
    campaign = Campaigner(redis, cid, time.time())
    await campaign.create(contacts=3)
    hub = LiveHub(redis, idle_refresh=0.6)
    async with hub.running():
        await hub.wait_subscribed()
        with hub.watch(cid) as box:
            await hub.prime(box)
            await take_stats(box)
            await campaign.record(1, ResultCode.WRONG_NUMBER)
            assert (await take_stats(box))["calls"] == 1
            flushes = hub.flushes
            await redis.publish(keys.events(cid), json.dumps({"type": "probe"}))  # nothing changed
            await wait_for(lambda: hub.flushes > flushes)
            assert box._stats is None and not box._ready.is_set()
            assert (await take_stats(box, timeout=2.0))["calls"] == 1  # the idle refresh, unchanged
