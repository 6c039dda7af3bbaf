"""One call socket's part in the organizers' roster: the volunteer joins it when their page connects, their
state follows the call (ringing, talking, wrap-up, waiting again once saved), they raise a hand or step
away, and they leave it when the page closes. A sign of life every 20 s keeps the entry; a page that
vanished without closing (its web process died) drops out within a minute (dialer/roster.py).
In power and predictive mode the socket's close also takes a volunteer waiting for a voter out of the
dialing pool, unless their page has opened a newer socket meanwhile (the old one noticed dead late)."""

from __future__ import annotations

import logging

import anyio
import redis.exceptions

from dialer.campaigns import Campaign
from dialer.dialing.agents import set_ready, socket_opened
from dialer.queue.roster import Roster
from dialer.roster import SEEN_EVERY, VolunteerState
from dialer.session import Presence
from dialer.stores.accounts import User
from dialer.web.deps import Deps

log = logging.getLogger("dialer.ws.call")


class RosterPresence:
    def __init__(self, d: Deps, campaign: Campaign, user: User) -> None:
        self.d, self.user, self.campaign = d, user, campaign
        self.socket = ""  # this socket's id in the dialing pool (power, predictive)
        self.roster = Roster(d.redis, campaign.id)
        self.state = VolunteerState.WAITING
        self.away = False

    async def opened(self, dialing: bool) -> None:
        if dialing:
            self.socket = await socket_opened(self.d.redis, self.campaign.id, self.user.id)

    async def leave_pool(self) -> None:
        if not self.socket:
            return
        with anyio.CancelScope(shield=True):
            try:
                await set_ready(self.d.redis, self.campaign.id, self.user.id, False, now=self.d.clock(),
                                lease_seconds=self.campaign.lease_seconds, only_if_ready=True,
                                socket=self.socket)  # fmt: skip
            except redis.exceptions.RedisError:
                log.warning("could not take %s out of the dialing pool", self.user.id)

    async def join(self, state: VolunteerState, team: str) -> None:
        self.state = state
        await self.roster.join(
            self.user.id, state=state.value, name=self.user.name, team=team, now=self.d.clock()
        )

    async def moved(self, state: VolunteerState) -> None:
        """The call moved the volunteer on (a status, a bridged voter, a saved result)."""
        self.state = state
        if not self.away or state is not VolunteerState.WAITING:
            await self.roster.set_state(self.user.id, state.value, self.d.clock())

    async def apply(self, presence: Presence) -> None:
        now = self.d.clock()
        if presence.hand is not None:
            await self.roster.hand(self.user.id, presence.hand, now)
        if presence.away is not None:
            self.away = presence.away
            # Away only between calls: a volunteer on a call is on the call, whatever the page does.
            if self.state is VolunteerState.WAITING:
                shown = VolunteerState.AWAY if presence.away else VolunteerState.WAITING
                await self.roster.set_state(self.user.id, shown.value, now)

    async def keep_alive(self) -> None:
        while True:
            await anyio.sleep(SEEN_EVERY)
            try:
                await self.roster.seen(self.user.id, self.d.clock())
            except redis.exceptions.RedisError as exc:
                log.warning("roster: could not mark %s seen (%s)", self.user.id, exc)

    async def leave(self) -> None:
        with anyio.CancelScope(shield=True):
            try:
                await self.roster.leave(self.user.id, self.d.clock())
            except redis.exceptions.RedisError:
                log.warning("roster: could not take %s off", self.user.id)
