"""Conference participants (coaches joining a volunteer's call): a port and its Twilio and simulated adapters.

Twilio: `POST /2010-04-01/Accounts/{AccountSid}/Conferences/{ConferenceSid}/Participants.json` dials the
coach into the conference (the create takes the conference's friendly name in place of its SID and answers
with `conference_sid`); `POST .../Participants/{CallSid}.json` (by the CF SID) switches mode; the coach
leaves by hanging up their leg (Calls update, Status=completed). The simulated carrier plays the coach's
phone (and the volunteer's conference leg, which its browser page does not place): the coach answers after
ANSWER_AFTER simulated seconds and the end is reported when they leave, as signed status callbacks, like
Twilio. Adapters persist nothing.
"""

from __future__ import annotations

import asyncio
import hashlib
from typing import Any, Protocol, runtime_checkable
from urllib.parse import quote

from dialer.coaching import FormPairs, JoinCoach, Joined
from dialer.telephony.base import CALL_SID_RE, CarrierError
from dialer.transfers import JoinStaff

ANSWER_AFTER = 2.0  # simulated seconds until a simulated coach picks up
STAFF_ANSWER_AFTER = 5.0  # ...and until a simulated transfer target's staff line does
Joining = JoinCoach | JoinStaff
CONFERENCE_SID_LEN = 34


@runtime_checkable
class Participants(Protocol):
    async def join(self, join: Joining) -> Joined: ...

    async def update(self, conference_sid: str, call_sid: str, form: FormPairs) -> None: ...

    async def leave(self, call_sid: str) -> None: ...

    def stand_in_leg(self, conference: str) -> str | None:
        """The volunteer's leg when the carrier plays it (simulated), else None: Twilio reports real legs."""
        ...


class TwilioParticipants:
    def __init__(self, carrier: Any) -> None:
        self.carrier = carrier  # a TwilioCarrier: its .rest and .hangup

    async def join(self, join: Joining) -> Joined:
        path = f"Conferences/{quote(join.conference, safe='')}/Participants.json"
        body = await self.carrier.rest.post(path, join.form(), creates_call=True)
        call_sid, conference_sid = body.get("call_sid"), body.get("conference_sid")
        if not isinstance(call_sid, str) or not CALL_SID_RE.match(call_sid):
            raise CarrierError(502, None, f"participant created without a valid call_sid: {call_sid!r}")
        if not isinstance(conference_sid, str) or not conference_sid.startswith("CF"):
            raise CarrierError(502, None, f"participant created without a conference_sid: {conference_sid!r}")
        return Joined(call_sid, conference_sid)

    async def update(self, conference_sid: str, call_sid: str, form: FormPairs) -> None:
        if not CALL_SID_RE.match(call_sid):
            raise ValueError(f"not a CallSid: {call_sid!r}")
        path = f"Conferences/{conference_sid}/Participants/{call_sid}.json"
        await self.carrier.rest.post(path, form, creates_call=False)

    async def leave(self, call_sid: str) -> None:
        await self.carrier.hangup(call_sid)

    def stand_in_leg(self, conference: str) -> str | None:
        return None


class SimulatedParticipants:
    """The simulated carrier's coaches: deterministic SIDs, an answer after ANSWER_AFTER simulated seconds
    and the end when they leave, each a signed status callback to the join's StatusCallback."""

    def __init__(self, carrier: Any) -> None:
        self.carrier = carrier  # a SimulatedCarrier: its signer, http, speed and sleep
        self._callbacks: dict[str, tuple[str, str, str]] = {}  # call sid -> (url, from, to)
        self._tasks: set[asyncio.Task[None]] = set()
        self.modes: dict[str, FormPairs] = {}  # call sid -> the participant fields last set

    async def join(self, join: Joining) -> Joined:
        rng = self.carrier._next_rng()
        call_sid = "CA" + "".join(rng.choice("0123456789abcdef") for _ in range(32))
        conference_sid = "CF" + hashlib.sha256(join.conference.encode()).hexdigest()[:32]
        self._callbacks[call_sid] = (join.status_callback, join.from_, join.to)
        self.modes[call_sid] = [
            (k, v) for k, v in join.form() if k in ("Muted", "Coaching", "CallSidToCoach")
        ]
        after = STAFF_ANSWER_AFTER if isinstance(join, JoinStaff) else ANSWER_AFTER
        task = asyncio.create_task(self._answer(call_sid, after))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return Joined(call_sid, conference_sid)

    async def update(self, conference_sid: str, call_sid: str, form: FormPairs) -> None:
        if call_sid not in self._callbacks:
            raise CarrierError(404, 20404, f"no participant {call_sid} in {conference_sid}")
        self.modes[call_sid] = list(form)

    async def leave(self, call_sid: str) -> None:
        if call_sid in self._callbacks:
            await self._status(call_sid, "completed")
            del self._callbacks[call_sid]
            self.modes.pop(call_sid, None)

    def stand_in_leg(self, conference: str) -> str | None:
        # The simulated volunteer's page places no conference leg of its own (web/static/js/phone.js): the
        # carrier plays one, so the demo's organizers can coach its volunteers.
        return "CA" + hashlib.sha256(f"leg:{conference}".encode()).hexdigest()[:32]

    async def _answer(self, call_sid: str, after: float) -> None:
        await self.carrier._sleep(after / self.carrier.speed)
        if call_sid in self._callbacks:
            await self._status(call_sid, "in-progress")

    async def _status(self, call_sid: str, status: str) -> None:
        url, from_, to = self._callbacks[call_sid]
        params = (
            ("AccountSid", self.carrier.account_sid),
            ("ApiVersion", "2010-04-01"),
            ("CallSid", call_sid),
            ("CallStatus", status),
            ("Direction", "outbound-api"),
            ("From", from_),
            ("To", to),
        )
        await self.carrier._post(url, params)

    async def drain(self) -> None:
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)


def participants_for(carrier: Any, services: dict[str, Any]) -> Participants | None:
    """The participants adapter of the app's carrier (kept in `services`), or None without one."""
    found = services.get("participants")
    if found is not None:
        assert isinstance(found, Participants)
        return found
    from dialer.telephony.simulated import SimulatedCarrier
    from dialer.telephony.twilio import TwilioCarrier

    made: Participants | None = None
    if isinstance(carrier, SimulatedCarrier):
        made = SimulatedParticipants(carrier)
    elif isinstance(carrier, TwilioCarrier):
        made = TwilioParticipants(carrier)
    if made is not None:
        services["participants"] = made
    return made
