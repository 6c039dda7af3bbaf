"""Live counters for organizers: one Redis subscriber per web process, fanned out to its local sockets.

Recording a result (and every other change to a campaign's counters) PUBLISHes on the campaign's events
channel (`keys.events`). Each web process PSUBSCRIBEs once to every campaign's channel and keeps a registry of
its own organizer sockets per campaign. A message only marks the campaign dirty; a flusher then computes the
stats once (one pipeline) and hands the same JSON text to every local socket of the campaign, at most once per
`min_interval` per campaign however many results arrive, so 200 results in a burst cost a handful of reads.

Sockets never block each other: a socket's `Mailbox` keeps only the latest stats (older ones are dropped
unsent, only the newest matters) plus a few control replies, and each socket has its own sender task.

Redis going away is survived: the receiver resubscribes with backoff, and every (re)subscription confirmation
marks all local campaigns dirty, because changes may have been published while nobody listened. This also
covers redis-py reconnecting and resubscribing by itself inside `get_message`.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import anyio
import anyio.abc
import redis.asyncio as aioredis
import redis.exceptions

from dialer.calling_hours import local_day
from dialer.campaigns import Campaign
from dialer.queue import keys
from dialer.queue.results import stats
from dialer.queue.roster import read_roster
from dialer.stores.campaign_stats import enrich
from dialer.stores.campaigns import CampaignStore

log = logging.getLogger("dialer.live")

# Channel names come from the one key template; "*" never occurs in a campaign id (campaigns.ID_RE).
EVENTS_PATTERN = keys.events("*")
_EVENTS_PREFIX, _, _EVENTS_SUFFIX = keys.events("\0").partition("\0")

MIN_INTERVAL = 0.25  # seconds between two stats messages of one campaign: at most 4 a second
IDLE_REFRESH = 15.0  # re-send this often anyway: leases expire and the last-hour window moves without events
RETRY_AFTER_ERROR = 1.0  # a failed stats read is retried after this long
POLL = 5.0  # the receiver wakes at least this often, so that redis-py's health checks run
BACKOFF_START, BACKOFF_MAX = 0.1, 5.0
FLUSH_CONCURRENCY = 8  # campaigns whose stats are read at the same time
CONTROL_LIMIT = 16  # pending control replies (pongs, errors) per socket; more are dropped

# Extra per-campaign numbers that live elsewhere (e.g. the dialer's abandonment rate): campaign id -> value.
AbandonRate = Callable[[str], Awaitable[float | None]]


def campaign_of_channel(channel: str) -> str | None:
    """The campaign id of an events channel name, or None for any other channel."""
    if channel.startswith(_EVENTS_PREFIX) and channel.endswith(_EVENTS_SUFFIX):
        inner = channel[len(_EVENTS_PREFIX) : len(channel) - len(_EVENTS_SUFFIX)]
        return inner or None
    return None


class Mailbox:
    """What one socket still has to send: the latest stats (a newer one replaces an unsent older one)
    and a bounded list of control replies. Filled without waiting; the socket's sender drains it.

    With a `write` (a socket that can take a frame synchronously, dialer/web/frame_writer.py), stats are
    written at once when nothing is queued or being sent before them, so that a fan-out costs no task
    switch per socket; whatever `write` declines goes through the sender as before.
    """

    def __init__(self, campaign_id: str, write: Callable[[str], bool] | None = None) -> None:
        self.campaign_id = campaign_id
        self.write = write  # writes one frame now (True) or declines, having written nothing (False)
        self._stats: str | None = None
        self._roster: str | None = None  # the latest roster message, alongside the stats
        self._version = -1  # of the newest stats offered, so an older computation never overwrites it
        self._control: deque[str] = deque()
        self._ready = anyio.Event()
        self._taken = False  # the sender holds messages from `take` that it may not have sent yet
        self._sent_roster: str | None = None  # a roster is sent only when it changed
        self.closed: tuple[int, str] | None = None  # (close code, reason) once the service wants it closed
        self.dropped = 0  # stats replaced before they were sent (for tests and the bench)
        self.written = 0  # stats written at once by `write` (for tests and the bench)

    def offer_stats(self, text: str, version: int, roster: str | None = None) -> None:
        if version <= self._version or self.closed:
            return
        self._version = version
        if roster is not None and roster == self._sent_roster:
            roster = None  # unchanged since it was last sent
        if self._idle() and self.write is not None and self.write(text):
            self.written += 1
            if roster is None:
                return
            if self.write(roster):
                self._sent_roster = roster
                return
        else:
            if self._stats is not None:
                self.dropped += 1
            self._stats = text
        if roster is not None:
            self._roster = roster
        self._ready.set()

    def _idle(self) -> bool:
        # A frame written now must not overtake one queued or being sent.
        return not (self._taken or self._control or self._stats is not None or self._roster is not None)

    def offer_control(self, message: dict[str, Any]) -> None:
        if len(self._control) < CONTROL_LIMIT and not self.closed:
            self._control.append(json.dumps(message))
            self._ready.set()

    def close(self, code: int, reason: str) -> None:
        self.closed = (code, reason)
        self._ready.set()

    async def take(self) -> list[str]:
        """Waits until something is pending and returns it in sending order; [] once closed."""
        self._taken = False  # the sender is back: it sent what it took before
        while not (self._control or self._stats is not None or self._roster is not None or self.closed):
            await self._ready.wait()
            self._ready = anyio.Event()
        if self.closed:
            return []
        out = list(self._control)
        self._control.clear()
        if self._stats is not None:
            out.append(self._stats)
            self._stats = None
        if self._roster is not None:
            out.append(self._roster)
            self._sent_roster, self._roster = self._roster, None
        self._taken = bool(out)
        return out


@dataclass
class _Campaign:
    """The local sockets of one campaign and when its stats were last computed (monotonic seconds)."""

    mailboxes: set[Mailbox] = field(default_factory=set)
    dirty: bool = False
    last_flush: float = -math.inf
    not_before: float = -math.inf  # after an error, no retry before this
    offered: tuple[str, str | None] | None = None  # the last stats and roster offered to its sockets


class LiveHub:
    """The fan-out service of one web process. Run it with `async with hub.running():` (app lifespan)."""

    def __init__(
        self,
        redis: aioredis.Redis,
        *,
        clock: Callable[[], float] = time.time,
        abandon_rate: AbandonRate | None = None,
        min_interval: float = MIN_INTERVAL,
        idle_refresh: float | None = IDLE_REFRESH,
    ) -> None:
        self.redis = redis
        self.clock = clock
        self.abandon_rate = abandon_rate
        self.min_interval = min_interval
        self.idle_refresh = idle_refresh
        self.subscribed = False  # True between a subscription confirmation and the next error
        self.subscriptions = 0  # how many times the pattern was (re)subscribed, for tests
        self.flushes = 0  # stats computed for fan-out, for tests and the bench
        self._campaigns: dict[str, _Campaign] = {}
        self._wake = anyio.Event()
        self._version = 0
        self._healthy = False  # the current subscription attempt got its confirmation
        self._limiter = anyio.CapacityLimiter(FLUSH_CONCURRENCY)

    # --- the registry of local sockets ---

    @contextlib.contextmanager
    def watch(self, campaign_id: str, write: Callable[[str], bool] | None = None) -> Iterator[Mailbox]:
        """Registers a socket of the campaign for updates while the block runs (`write`: see Mailbox)."""
        mailbox = Mailbox(campaign_id, write)
        state = self._campaigns.get(campaign_id)
        if state is None:
            # The caller primes the socket with fresh stats now: the next refresh is due after that.
            state = self._campaigns[campaign_id] = _Campaign(last_flush=time.monotonic())
            self._wake.set()  # the flusher schedules this campaign's idle refresh
        state.mailboxes.add(mailbox)
        try:
            yield mailbox
        finally:
            state.mailboxes.discard(mailbox)
            if not state.mailboxes and self._campaigns.get(campaign_id) is state:
                del self._campaigns[campaign_id]

    def sockets(self, campaign_id: str) -> int:
        state = self._campaigns.get(campaign_id)
        return len(state.mailboxes) if state else 0

    def written(self, campaign_id: str) -> int:
        """How many stats the open sockets of the campaign had written at once (Mailbox.write)."""
        state = self._campaigns.get(campaign_id)
        return sum(mailbox.written for mailbox in state.mailboxes) if state else 0

    async def prime(self, mailbox: Mailbox) -> None:
        """Offers the current stats to a newly registered socket (the `stats` message sent on connect).

        Call it after `watch`, so a change made while this reads is not lost: it marks the campaign dirty
        and a later flush (with a higher version) carries it.
        """
        version, text, roster = await self.snapshot(mailbox.campaign_id)
        mailbox.offer_stats(text, version, roster)
        if (state := self._campaigns.get(mailbox.campaign_id)) is not None:
            state.offered = None  # its sockets no longer all have the last offered: the next flush goes out

    async def snapshot(self, campaign_id: str) -> tuple[int, str, str | None]:
        """(version, the `stats` message, the `roster` message) as JSON text. Versions grow with the time
        the reading started."""
        self._version += 1
        version = self._version
        try:
            async with anyio.create_task_group() as tg:  # the two reads overlap: one round trip less
                found: dict[str, Campaign | None] = {}

                async def read_campaign() -> None:
                    found["campaign"] = await CampaignStore(self.redis).get(campaign_id)

                tg.start_soon(read_campaign)
                data = await stats(self.redis, campaign_id, self.clock())
        except ExceptionGroup as group:
            raise group.exceptions[0] from None  # callers handle a Redis error, not a group of them
        campaign = found["campaign"]
        roster = None
        if campaign is not None:
            now = self.clock()
            data = await enrich(self.redis, campaign, data, now)
            rows = await read_roster(self.redis, campaign_id, local_day(campaign.default_timezone, now), now)
            roster = json.dumps({"type": "roster", "volunteers": rows}, separators=(",", ":"))
        if self.abandon_rate is not None:
            data["abandon_rate"] = await self.abandon_rate(campaign_id)
        return version, json.dumps({"type": "stats", **data}, separators=(",", ":")), roster

    def changed(self, campaign_id: str) -> None:
        """Notes a change of the campaign; its sockets get fresh stats within `min_interval`."""
        state = self._campaigns.get(campaign_id)
        if state is not None:
            state.dirty = True
            self._wake.set()

    def changed_all(self) -> None:
        """After a (re)subscription: every campaign's numbers go out again, changed or not, so that pages
        that saw the store go away see it back."""
        for campaign_id, state in list(self._campaigns.items()):
            state.offered = None
            self.changed(campaign_id)

    # --- publishing (other processes hear it too) ---

    async def campaign_changed(self, campaign: Campaign) -> None:
        """Tells every web process that the campaign's settings changed (pause, resume, goal, mode)."""
        message = {
            "type": "campaign",
            "campaign_id": campaign.id,
            "status": campaign.status.value,
            "mode": campaign.mode.value,
        }
        await self.redis.publish(keys.events(campaign.id), json.dumps(message))

    # --- running ---

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[LiveHub]:
        """Runs the receiver and the flusher until the block ends; then closes the local sockets (1001)."""
        async with anyio.create_task_group() as tg:
            tg.start_soon(self._guarded, self._receive, tg.cancel_scope)
            tg.start_soon(self._guarded, self._flush_forever, tg.cancel_scope)
            try:
                yield self
            finally:
                for state in list(self._campaigns.values()):
                    for mailbox in list(state.mailboxes):
                        mailbox.close(1001, "server shutting down")
                tg.cancel_scope.cancel()

    async def _guarded(self, task: Callable[[], Awaitable[None]], scope: anyio.CancelScope) -> None:
        # Receiver and flusher live and die together: if one ends (it only does on a bug), so does the other.
        try:
            await task()
        finally:
            scope.cancel()

    async def wait_subscribed(self, timeout: float = 5.0) -> None:
        with anyio.fail_after(timeout):
            while not self.subscribed:
                await anyio.sleep(0.01)

    async def _receive(self) -> None:
        backoff = BACKOFF_START
        while True:
            try:
                await self._listen()
            except (redis.exceptions.RedisError, OSError) as exc:
                log.warning("live: subscription lost (%s); retrying in %.1fs", exc, backoff)
            if self._healthy:
                backoff = BACKOFF_START  # it had worked: Redis is likely back soon, retry quickly
            await anyio.sleep(backoff)
            backoff = min(backoff * 2, BACKOFF_MAX)

    async def _listen(self) -> None:
        pubsub = self.redis.pubsub()
        self._healthy = False
        try:
            await pubsub.psubscribe(EVENTS_PATTERN)
            while True:
                message = await pubsub.get_message(timeout=POLL)
                if message is None:
                    continue
                if message["type"] == "psubscribe":
                    # The first subscription, or redis-py's own resubscription after a reconnect: either
                    # way events may have been missed while nobody listened.
                    self.subscribed = self._healthy = True
                    self.subscriptions += 1
                    self.changed_all()
                elif message["type"] == "pmessage":
                    channel = message["channel"]
                    name = channel.decode() if isinstance(channel, bytes) else str(channel)
                    campaign_id = campaign_of_channel(name)
                    if campaign_id is not None:
                        self.changed(campaign_id)
        finally:
            self.subscribed = False
            with anyio.CancelScope(shield=True), contextlib.suppress(Exception):
                await pubsub.aclose()  # type: ignore[no-untyped-call, unused-ignore]

    async def _flush_forever(self) -> None:
        while True:
            now = time.monotonic()
            wake_at = math.inf
            due: list[str] = []
            for campaign_id, state in self._campaigns.items():
                at = max(state.last_flush + self.min_interval, state.not_before)
                if not state.dirty and self.idle_refresh is not None:
                    at = max(at, state.last_flush + self.idle_refresh)
                elif not state.dirty:
                    continue
                if at <= now:
                    due.append(campaign_id)
                else:
                    wake_at = min(wake_at, at)
            if len(due) == 1:
                await self._flush(due[0])
                continue
            if due:
                # Campaigns are read side by side (a few at a time, to spare the connection pool), so that
                # one process serving many dashboards does not add their read times up.
                async with anyio.create_task_group() as tg:
                    for campaign_id in due:
                        tg.start_soon(self._flush_limited, campaign_id)
                continue
            self._wake = anyio.Event()  # no await since the scan above: nothing set in between is lost
            with anyio.move_on_after(wake_at - now if wake_at < math.inf else POLL):
                await self._wake.wait()

    async def _flush_limited(self, campaign_id: str) -> None:
        async with self._limiter:
            await self._flush(campaign_id)

    async def _flush(self, campaign_id: str) -> None:
        state = self._campaigns.get(campaign_id)
        if state is None:
            return
        refresh = not state.dirty  # the idle refresh: sent even when nothing changed (pages' heartbeat)
        state.dirty = False  # before reading: a change during the read marks it again
        state.last_flush = time.monotonic()
        try:
            version, text, roster = await self.snapshot(campaign_id)
        except (redis.exceptions.RedisError, OSError) as exc:
            log.warning("live: stats of campaign %s unavailable (%s)", campaign_id, exc)
            state.dirty = True
            state.not_before = time.monotonic() + RETRY_AFTER_ERROR
            return
        self.flushes += 1
        if not refresh and state.offered == (text, roster):
            # Events that arrived after the read that already counted them (the tail of a burst): the
            # same numbers again would be a frame per socket saying nothing.
            return
        state.offered = (text, roster)
        for mailbox in list(state.mailboxes):
            mailbox.offer_stats(text, version, roster)
