"""Call progress to the volunteers' call sockets: one pattern subscription per web process.

The attempt script publishes every forward move of a call on its campaign's `calls` channel; this hub
holds one Redis pub/sub connection for the whole process (not one per socket) and hands each message to the
sockets of the volunteer it concerns. News for everyone calling in a campaign (`{"type": "campaign"}`, see
dialer/queue/announce.py: paused, resumed, retries due, new contacts) goes to all of the campaign's sockets,
as does `{"type": "dialer"}` (dialer/dialing/take.py: why the pacer dials nobody now).
It resubscribes with backoff when Redis restarts. A socket waits for the subscription to be live
(`subscribed`) before it reads the call's state, so nothing published after that read is missed: the
process's first sockets, and those reconnecting after a Redis restart, came in before it was.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from typing import Any

import anyio
import redis.asyncio as aioredis
import redis.exceptions
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

from dialer.queue import keys

log = logging.getLogger("dialer.calls")

# News for every call socket of the campaign: its status and mode, and why the dialer calls nobody now.
CAMPAIGN_WIDE = ("campaign", "dialer")
BUFFER = 64  # progress messages queued per socket; a socket this far behind loses the oldest news


class CallHub:
    def __init__(self, redis: aioredis.Redis) -> None:
        self.redis = redis
        # campaign id -> volunteer -> the send ends of that volunteer's sockets in this process
        self._sockets: dict[str, dict[str, set[MemoryObjectSendStream[dict[str, Any]]]]] = defaultdict(dict)
        self.ready = anyio.Event()  # set while the subscription is live; a new one while it is not

    async def subscribed(self, timeout: float = 5.0) -> None:
        """Waits until the subscription is live (at most `timeout` seconds: a store down now fails the
        caller's next command anyway)."""
        with anyio.move_on_after(timeout):
            await self.ready.wait()

    def register(
        self, campaign_id: str, volunteer: str
    ) -> tuple[MemoryObjectSendStream[dict[str, Any]], MemoryObjectReceiveStream[dict[str, Any]]]:
        """A stream of this volunteer's call progress; pass both ends to `unregister` when done."""
        send, receive = anyio.create_memory_object_stream[dict[str, Any]](BUFFER)
        self._sockets[campaign_id].setdefault(volunteer, set()).add(send)
        return send, receive

    def unregister(
        self,
        campaign_id: str,
        volunteer: str,
        send: MemoryObjectSendStream[dict[str, Any]],
        receive: MemoryObjectReceiveStream[dict[str, Any]],
    ) -> None:
        volunteers = self._sockets.get(campaign_id, {})
        senders = volunteers.get(volunteer)
        if senders is not None:
            senders.discard(send)
            if not senders:
                del volunteers[volunteer]
            if not volunteers:
                self._sockets.pop(campaign_id, None)
        send.close()
        receive.close()

    def dispatch(self, channel: str, data: str) -> None:
        campaign_id = channel[len("{c:") : channel.index("}")]
        try:
            message = json.loads(data)
        except ValueError:
            return
        volunteers = self._sockets.get(campaign_id)
        if not volunteers or not isinstance(message, dict):
            return
        if message.get("type") in CAMPAIGN_WIDE:
            targets = [send for senders in volunteers.values() for send in senders]
        else:
            targets = list(volunteers.get(str(message.get("volunteer", "")), ()))
        for send in targets:
            try:
                send.send_nowait(message)
            except anyio.WouldBlock:
                log.warning("call socket of %s is not keeping up; dropped a progress message", message)
            except (anyio.ClosedResourceError, anyio.BrokenResourceError):
                pass

    async def run(self) -> None:
        delay = 0.1
        while True:
            pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.psubscribe(keys.CALLS_CHANNEL_PATTERN)
                self.ready.set()
                delay = 0.1
                async for item in pubsub.listen():
                    if item.get("type") == "pmessage":
                        self.dispatch(str(item["channel"]), str(item["data"]))
            except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError) as exc:
                log.warning("call progress subscription lost (%s); retrying in %.1fs", exc, delay)
                if self.ready.is_set():
                    self.ready = anyio.Event()
            finally:
                with anyio.CancelScope(shield=True):
                    try:
                        await pubsub.aclose()  # type: ignore[no-untyped-call, unused-ignore]
                    except Exception:  # the connection is already gone
                        pass
            await anyio.sleep(delay)
            delay = min(delay * 2, 5.0)
