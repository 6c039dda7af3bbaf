"""The simulated carrier's volunteer phones: the calls our server places to a volunteer's own number.

Two kinds, told apart by what the server asked for (as Twilio would only learn from the TwiML):
- a verification call (`Twiml` that reads a code): the code is "heard" (kept in `heard`, where the demo's
  simulated volunteers and the tests read it, as a person writes it down), then the call completes;
- a "call me" leg (`Url` of /twilio/call-me/answer): the phone rings, is answered (or not), Twilio fetches
  the answer URL, the volunteer presses a key on its `<Gather>` (1, or a wrong one), and a leg put in a
  conference stays up until our side (or `hang_up`, the volunteer) ends it;
- a volunteer dialing in (`dial_in`): a call to the campaign's inbound number, whose voice URL asks for a
  PIN; the PINs given are typed in turn (a wrong one first, if the demo or a test wants), and a call put in
  the conference stays up until one side hangs up.

Every request goes through the carrier's own signed `post`, to the very webhooks Twilio would call.
"""

from __future__ import annotations

import asyncio
import html
import random
import re
import xml.etree.ElementTree as ET
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from dialer.telephony.base import PlaceCall

CALL_ME_ANSWER = "/twilio/call-me/answer"
Post = Callable[[str, tuple[tuple[str, str], ...]], Awaitable[Any]]


@dataclass(frozen=True)
class PhoneProfile:
    """How simulated volunteers' phones behave (per call)."""

    answer_rate: float = 1.0  # volunteers who asked to be called answer; tests lower these
    press_one_rate: float = 1.0
    pickup_min: float = 2.0
    pickup_max: float = 6.0
    press_after: float = 1.5


def is_volunteer_phone(call: PlaceCall) -> bool:
    return bool(call.url and CALL_ME_ANSWER in call.url) or bool(
        call.twiml and "verification code" in call.twiml
    )


def gather_action(twiml: str) -> str | None:
    """The action URL of the first <Gather> in our answer, if any."""
    try:
        root = ET.fromstring(twiml)
    except ET.ParseError:
        return None
    gather = root.find("Gather")
    return gather.get("action") if gather is not None else None


@dataclass
class _PhoneLeg:
    call: PlaceCall
    sid: str
    sequence: int = 0
    task: asyncio.Task[None] | None = None
    ended: bool = False


@dataclass
class PhoneLegs:
    account_sid: str
    post: Post
    sleep: Callable[[float], Awaitable[None]]
    speed: float
    profile: PhoneProfile = field(default_factory=PhoneProfile)
    heard: dict[str, str] = field(default_factory=dict)  # number -> the last thing read to it
    _legs: dict[str, _PhoneLeg] = field(default_factory=dict)

    def start(self, call: PlaceCall, sid: str, rng: random.Random) -> asyncio.Task[None]:
        leg = self._legs[sid] = _PhoneLeg(call, sid)
        leg.task = asyncio.get_running_loop().create_task(self._run(leg, rng))
        return leg.task

    def owns(self, sid: str) -> bool:
        return sid in self._legs

    async def hang_up(self, sid: str) -> None:
        """Either side hangs up: the leg's final callback follows at once."""
        leg = self._legs.get(sid)
        if leg is None or leg.ended:
            return
        if leg.task is not None and leg.task is not asyncio.current_task():
            leg.task.cancel()
        await self._end(leg, "completed")

    async def dial_in(
        self, voice_url: str, status_url: str, to: str, from_: str, pins: list[str], sid: str
    ) -> bool:
        """A volunteer calls the inbound number and types `pins` in turn; True once in the conference."""
        call = PlaceCall(
            to=to,
            from_=from_,
            status_callback=status_url,
            url=voice_url,
            status_callback_events=("completed",),
        )
        leg = self._legs[sid] = _PhoneLeg(call, sid)
        response = await self.post(voice_url, self._form(leg, "ringing", Direction="inbound"))
        for pin in pins:
            action = gather_action(getattr(response, "text", "") or "")
            if action is None:
                break
            await self._wait(self.profile.press_after)
            response = await self.post(
                action, self._form(leg, "in-progress", Direction="inbound", Digits=pin)
            )
        if "<Conference" in (getattr(response, "text", "") or ""):
            return True
        await self._end(leg, "completed")  # our server said goodbye
        return False

    def _form(self, leg: _PhoneLeg, status: str, **more: str) -> tuple[tuple[str, str], ...]:
        base = {
            "AccountSid": self.account_sid,
            "CallSid": leg.sid,
            "From": leg.call.from_,
            "To": leg.call.to,
            "Direction": "outbound-api",
            "ApiVersion": "2010-04-01",
            "CallStatus": status,
        }
        return tuple({**base, **more}.items())

    async def _status(self, leg: _PhoneLeg, event: str) -> None:
        """A status callback, if asked for (Twilio always sends the final one)."""
        if event in leg.call.status_callback_events or event in ("completed", "no-answer"):
            leg.sequence += 1
            status = "in-progress" if event == "answered" else event
            await self.post(
                leg.call.status_callback, self._form(leg, status, SequenceNumber=str(leg.sequence))
            )

    async def _end(self, leg: _PhoneLeg, status: str) -> None:
        leg.ended = True
        self._legs.pop(leg.sid, None)
        await self._status(leg, status)

    async def _wait(self, seconds: float) -> None:
        await self.sleep(seconds / self.speed)

    async def _run(self, leg: _PhoneLeg, rng: random.Random) -> None:
        call = leg.call
        await self._status(leg, "initiated")
        await self._status(leg, "ringing")
        if call.twiml is not None:  # a verification call: the code is read, written down, and it ends
            said = html.unescape(" ".join(re.findall(r"<Say[^>]*>(.*?)</Say>", call.twiml, re.S)))
            self.heard[call.to] = said
            await self._wait(rng.uniform(self.profile.pickup_min, self.profile.pickup_max))
            await self._end(leg, "completed")
            return
        if rng.random() >= self.profile.answer_rate:
            await self._wait(call.timeout)
            await self._end(leg, "no-answer")
            return
        await self._wait(rng.uniform(self.profile.pickup_min, self.profile.pickup_max))
        await self._status(leg, "answered")
        response = await self.post(call.url or "", self._form(leg, "in-progress"))
        action = gather_action(getattr(response, "text", "") or "")
        if action is None:
            await self._end(leg, "completed")  # our server hung up on it
            return
        await self._wait(self.profile.press_after)
        digit = "1" if rng.random() < self.profile.press_one_rate else "2"
        response = await self.post(action, self._form(leg, "in-progress", Digits=digit))
        if "<Conference" not in (getattr(response, "text", "") or ""):
            await self._end(leg, "completed")
        # In the conference: the leg stays up until someone hangs up.
