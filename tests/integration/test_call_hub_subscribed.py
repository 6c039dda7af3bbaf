"""A call socket reads the call's state only once its process's subscription to call progress is live.

The hub subscribes in the background; a socket registered before (a process's first sockets, or the
pages reconnecting right after a Redis restart, while the hub waits to resubscribe) read its state, then
missed what was published until the subscription came: a `bridged` among them left a voter put through to
a page that never heard of them. `subscribed()` is what the socket (and the app's start) waits for."""

from __future__ import annotations

import json
import uuid

import anyio
import pytest
import redis.asyncio as aioredis

from dialer.queue import keys
from dialer.web.call_hub import CallHub

pytestmark = pytest.mark.anyio


async def test_a_message_published_once_subscribed_reaches_a_socket_registered_before(
    redis: aioredis.Redis,
) -> None:
    campaign = "hub-" + uuid.uuid4().hex[:10]  # channels are shared by every database of the server
    hub = CallHub(redis)
    send, progress = hub.register(campaign, "val")
    async with anyio.create_task_group() as tg:
        tg.start_soon(hub.run)
        await hub.subscribed()
        assert hub.ready.is_set()
        bridged = {"type": "bridged", "volunteer": "val", "contact_id": "7", "call_sid": "CA1"}
        await redis.publish(keys.calls_channel(campaign), json.dumps(bridged))
        with anyio.fail_after(5):
            assert await progress.receive() == bridged
        tg.cancel_scope.cancel()
    hub.unregister(campaign, "val", send, progress)


async def test_subscribed_gives_up_after_its_timeout_when_the_hub_never_runs(redis: aioredis.Redis) -> None:
    hub = CallHub(redis)
    with anyio.fail_after(5):
        await hub.subscribed(timeout=0.05)  # a store that is down: the caller goes on and meets it
    assert not hub.ready.is_set()
