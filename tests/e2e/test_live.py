"""`/ws/campaigns/{id}/live` through real uvicorn servers and the `websockets` client, on a real Redis.

Pub/sub channels are shared by every database of a Redis server, so each test uses its own campaign id.
"""

from __future__ import annotations

import json
import os
import signal
import time
import uuid
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
import redis.asyncio as aioredis
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from dialer.connections import async_client
from dialer.embedded import EmbeddedRedis, pid_of
from dialer.models import ResultCode
from dialer.queue import keys
from tests.e2e.test_live_support import Campaigner, serve, settings_for
from tests.servers import ADMIN_TOKEN, ServerProcess

pytestmark = pytest.mark.anyio


def new_id() -> str:
    return "live-" + uuid.uuid4().hex[:10]


async def next_reply(ws: ClientConnection, timeout: float = 2.0) -> dict[str, Any]:
    """The next answer to what the client sent: pushed `stats` and `roster` messages come in between."""
    with anyio.fail_after(timeout):
        while True:
            message = json.loads(await ws.recv())
            if message["type"] not in ("stats", "roster"):
                return dict(message)


async def next_stats(ws: ClientConnection, timeout: float = 2.0) -> dict[str, Any]:
    with anyio.fail_after(timeout):
        while True:
            message = json.loads(await ws.recv())
            if message["type"] == "stats":
                return dict(message)


async def stats_until(ws: ClientConnection, calls: int, timeout: float = 5.0) -> list[dict[str, Any]]:
    """Every stats message received until one shows `calls` recorded results."""
    seen: list[dict[str, Any]] = []
    with anyio.fail_after(timeout):
        while not seen or seen[-1]["calls"] != calls:
            seen.append(await next_stats(ws, timeout))
    return seen


async def test_connect_sends_stats_and_a_change_arrives_within_a_second(
    redis: aioredis.Redis, clean_redis: str, tmp_path: Path
) -> None:
    cid = new_id()
    campaign = Campaigner(redis, cid, time.time())
    await campaign.create(contacts=5, goal=1234)
    with serve(settings_for(clean_redis, tmp_path)) as server:
        async with connect(server.ws_url(cid)) as ws:
            first = await next_stats(ws)
            assert first["campaign_id"] == cid
            assert (first["contacts"], first["leased"], first["calls"]) == (5, 5, 0)
            assert first["goal"] == 1234
            assert (first["status"], first["mode"]) == ("active", "preview")
            assert first["active_volunteers"] == 1
            expected = {"campaign_id", "contacts", "pending", "leased", "completed", "results", "calls",
                        "contacts_reached", "contact_rate", "active_volunteers", "calls_last_hour", "goal",
                        "abandon_rate", "leaderboard"}  # fmt: skip
            assert expected <= set(first)

            started = time.monotonic()
            await campaign.record(1, ResultCode.CONTACTED)
            update = await next_stats(ws, timeout=1.0)
            assert time.monotonic() - started < 1.0
            assert (update["calls"], update["contacts_reached"], update["completed"]) == (1, 1, 1)
            assert update["results"]["contacted"] == 1
            assert update["leaderboard"] == [{"volunteer": "vol-1", "name": "Vera", "calls": 1}]
            assert update["calls_last_hour"] == 1


async def test_a_burst_of_200_results_is_coalesced_into_a_handful_of_messages(
    redis: aioredis.Redis, clean_redis: str, tmp_path: Path
) -> None:
    cid = new_id()
    campaign = Campaigner(redis, cid, time.time())
    await campaign.create(contacts=200)
    with serve(settings_for(clean_redis, tmp_path)) as server:
        async with connect(server.ws_url(cid)) as ws:
            assert (await next_stats(ws))["calls"] == 0
            started = time.monotonic()
            await campaign.record(100, ResultCode.CONTACTED)
            await campaign.record(100, ResultCode.NO_ANSWER)
            burst = time.monotonic() - started
            seen = await stats_until(ws, 200)
            final = seen[-1]
            # Nothing more after the final numbers (a late flush would be a duplicate, not new data).
            with anyio.move_on_after(0.8):
                extra = await ws.recv()
                pytest.fail(f"unexpected message after the final stats: {extra!r}")
    # At most 4 a second: one at the start of the burst, then one per 250 ms, plus one trailing.
    assert len(seen) <= 2 + int(burst / 0.25) + 1, (len(seen), burst)
    assert len(seen) <= 8
    assert [s["calls"] for s in seen] == sorted(s["calls"] for s in seen)
    assert final["results"]["contacted"] == 100 and final["results"]["no_answer"] == 100
    assert final["contacts_reached"] == 100 and final["contact_rate"] == 0.5
    assert final["completed"] == 100  # no_answer goes back to the queue for a retry
    assert final["leaderboard"] == [{"volunteer": "vol-1", "name": "Vera", "calls": 200}]


async def until_subscribed(redis: aioredis.Redis, cid: str, *sockets: ClientConnection) -> None:
    """Publishes on the campaign's channel until every socket got a stats message from it: from then on,
    each server's subscriber is known to listen (its start-up is not otherwise visible from outside)."""
    with anyio.fail_after(10):
        for ws in sockets:
            while True:
                await redis.publish(keys.events(cid), json.dumps({"type": "probe"}))
                with anyio.move_on_after(0.3):
                    await next_stats(ws, timeout=5)
                    break
    for ws in sockets:  # drain what the probes caused
        with anyio.move_on_after(0.6):
            while True:
                await next_stats(ws, timeout=5)


async def test_two_web_processes_show_the_same_numbers_and_the_pause(
    redis: aioredis.Redis, clean_redis: str, tmp_path: Path
) -> None:
    cid = new_id()
    campaign = Campaigner(redis, cid, time.time())
    await campaign.create(contacts=30)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with (
        ServerProcess(tmp_path / "a", clean_redis) as one,
        ServerProcess(tmp_path / "b", clean_redis) as two,
    ):
        url = f"/ws/campaigns/{cid}/live?token={ADMIN_TOKEN}"
        async with (
            connect(one.base_url.replace("http", "ws") + url) as a,
            connect(two.base_url.replace("http", "ws") + url) as b,
        ):
            assert (await next_stats(a))["calls"] == (await next_stats(b))["calls"] == 0
            await until_subscribed(redis, cid, a, b)
            for _ in range(3):
                await campaign.record(5, ResultCode.NOT_HOME)
                await anyio.sleep(0.1)
            await campaign.record(15, ResultCode.REFUSED)
            last_a = (await stats_until(a, 30))[-1]
            last_b = (await stats_until(b, 30))[-1]
            assert last_a == last_b
            assert last_a["results"]["not_home"] == 15 and last_a["results"]["refused"] == 15

            # An organizer pauses through process one; the dashboard on process two shows it within 1 s.
            with one.client() as admin:
                r = admin.patch(f"/api/campaigns/{cid}", json={"status": "paused"})
                assert r.status_code == 200, r.text
            started = time.monotonic()
            update = await next_stats(b, timeout=1.0)
            assert time.monotonic() - started < 1.0
            assert update["status"] == "paused" and update["calls"] == 30
            assert (await next_stats(a, timeout=1.0))["status"] == "paused"


async def test_ping_pong_and_malformed_messages_keep_the_socket_open(
    redis: aioredis.Redis, clean_redis: str, tmp_path: Path
) -> None:
    cid = new_id()
    campaign = Campaigner(redis, cid, time.time())
    await campaign.create(contacts=2)
    with serve(settings_for(clean_redis, tmp_path)) as server:
        async with connect(server.ws_url(cid)) as ws:
            await next_stats(ws)
            for bad in ("not json", "[1, 2]", '{"type": 7}', "{}"):
                await ws.send(bad)
                reply = await next_reply(ws)
                assert reply["type"] == "error" and reply["code"] == "malformed" and reply["message"]
            await ws.send(b"\x00\x01")
            assert (await next_reply(ws))["type"] == "error"
            await ws.send(json.dumps({"type": "subscribe", "what": "anything"}))  # ignored
            await ws.send(json.dumps({"type": "ping"}))
            assert await next_reply(ws) == {"type": "pong"}
            await campaign.record(1)
            assert (await next_stats(ws, timeout=1.0))["calls"] == 1


async def close_code(url: str, **options: Any) -> int | None:
    async with connect(url, **options) as ws:
        with pytest.raises(ConnectionClosed) as closed:
            with anyio.fail_after(3):
                await ws.recv()
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code


async def test_refusals_close_with_application_codes(
    redis: aioredis.Redis, clean_redis: str, tmp_path: Path
) -> None:
    cid = new_id()
    await Campaigner(redis, cid, time.time()).create(contacts=1)
    with serve(settings_for(clean_redis, tmp_path, public_url="https://dial.example.org")) as server:
        with httpx.Client(base_url=server.base_url) as http:
            r = http.post(
                "/api/auth/signup",
                json={"email": "vol@example.org", "name": "Vol", "password": "a long password"},
            )
            assert r.status_code == 201, r.text
            volunteer_token = r.json()["token"]
        assert await close_code(server.ws_url(cid, token=None)) == 4401
        assert await close_code(server.ws_url(cid, token="not-a-token")) == 4401
        assert await close_code(server.ws_url(cid, token=volunteer_token)) == 4403
        assert await close_code(server.ws_url("no-such-campaign")) == 4404
        assert await close_code(server.ws_url(cid), origin="https://evil.example.com") == 4403
        # The configured public origin is welcome; so are clients that send no Origin at all.
        async with connect(server.ws_url(cid), origin="https://dial.example.org") as ws:
            assert (await next_stats(ws))["contacts"] == 1
        async with connect(server.ws_url(cid)) as ws:
            assert (await next_stats(ws))["contacts"] == 1


async def test_dashboards_stay_connected_through_a_redis_crash_and_get_fresh_stats(tmp_path: Path) -> None:
    store = EmbeddedRedis(tmp_path / "store")
    url = store.start()
    client = async_client(url)
    restarted: EmbeddedRedis | None = None
    try:
        cid = new_id()
        campaign = Campaigner(client, cid, time.time())
        await campaign.create(contacts=4)
        with serve(settings_for(url, tmp_path)) as server:
            async with connect(server.ws_url(cid)) as ws:
                assert (await next_stats(ws))["calls"] == 0
                await campaign.record(1)
                assert (await next_stats(ws, timeout=1.0))["calls"] == 1

                pid = pid_of(tmp_path / "store")
                assert pid is not None
                os.kill(pid, signal.SIGKILL)
                if store.process is not None:
                    store.process.wait(timeout=10)
                with anyio.fail_after(10):
                    while server.hub.subscribed:
                        await anyio.sleep(0.02)
                restarted = EmbeddedRedis(tmp_path / "store")
                assert await anyio.to_thread.run_sync(restarted.start) == url
                # Resubscribed: a fresh stats message arrives though nothing was published.
                assert (await next_stats(ws, timeout=15))["calls"] == 1
                await campaign.record(2)
                assert (await stats_until(ws, 3, timeout=3))[-1]["results"]["contacted"] == 3
    finally:
        await client.aclose()
        if restarted is not None:
            restarted.stop()
        store.stop()


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # uvicorn's legacy `websockets` protocol...
@pytest.mark.filterwarnings("ignore:The `websockets` implementation is deprecated")  # ...its own warning
@pytest.mark.parametrize("protocol", ["websockets-sansio", "websockets"])
async def test_stats_are_written_straight_to_the_connection_when_the_server_allows_it(
    protocol: str, redis: aioredis.Redis, clean_redis: str, tmp_path: Path
) -> None:
    """Under `dialer serve`'s protocol the hub writes stats to the connections itself (no task switch per
    socket, web/frame_writer.py); under another protocol they go through each socket's sender as before."""
    cid = new_id()
    campaign = Campaigner(redis, cid, time.time())
    await campaign.create(contacts=3)
    with serve(settings_for(clean_redis, tmp_path), ws=protocol) as server:
        async with connect(server.ws_url(cid)) as a, connect(server.ws_url(cid)) as b:
            for ws in (a, b):
                assert (await next_stats(ws))["calls"] == 0
            for calls in (1, 2):
                await campaign.record(1)
                for ws in (a, b):
                    await stats_until(ws, calls)
            await a.send(json.dumps({"type": "ping"}))  # control replies still go through the sender
            assert await next_reply(a) == {"type": "pong"}
            await campaign.record(1)
            for ws in (a, b):
                await stats_until(ws, 3)
            written = server.hub.written(cid)
    if protocol == "websockets-sansio":
        assert written >= 6  # two sockets, three results (and the first stats, unless one raced them)
    else:
        assert written == 0
