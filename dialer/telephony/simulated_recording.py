"""The simulated carrier's part in recorded calls, as Twilio plays it: a voter's `<Number url>` whisper (the
recording disclosure, read to its end before the `<Redirect>` that starts recording is followed), recordings
started on a leg, and the RecordingStatusCallback posted when the leg ends. A mixin of SimulatedCarrier."""

from __future__ import annotations

import collections
import hashlib
import html
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from dialer.settings import Settings
from dialer.telephony.base import CarrierError
from dialer.telephony.simulated_media import silence
from dialer.telephony.simulated_plan import CallPlan, leg_params

WORDS_PER_SECOND = 2.5  # how fast a <Say> is read to the voter


@dataclass(frozen=True)
class Spoken:
    """A message our TwiML had read to a voter (a voicemail): the demo and the tests look at these."""

    call_sid: str
    text: str


class SimulatedRecording:
    """What SimulatedCarrier provides (its attributes and methods) is declared here for the type checker."""

    seed: int
    speed: float
    account_sid: str
    settings: Settings
    spoken: collections.deque[Spoken]
    recordings: dict[str, tuple[str, str, float]]  # CallSid -> (RecordingSid, callback, started at)
    deleted_recordings: list[str]
    _legs: dict[str, Any]
    _clock: Callable[[], float]
    _sleep: Callable[[float], Awaitable[None]]

    def _sim_now(self, plan: CallPlan) -> float:
        raise NotImplementedError

    async def _post(
        self, url: str, params: Mapping[str, str] | tuple[tuple[str, str], ...]
    ) -> httpx.Response | None:
        raise NotImplementedError

    # Recording (dialer/telephony/recording.py): Twilio posts the finished recording when the call ends.
    async def start_recording(self, call_sid: str, status_callback: str) -> str:
        leg = self._legs.get(call_sid)
        if leg is None:
            raise CarrierError(404, 20404, f"The requested resource Calls/{call_sid} was not found")
        sid = "RE" + hashlib.sha256(f"{self.seed}:{call_sid}:rec".encode()).hexdigest()[:32]
        self.recordings[call_sid] = (sid, status_callback, self._sim_now(leg.plan))
        return sid

    async def delete_recording(self, call_sid: str, recording_sid: str) -> None:
        self.deleted_recordings.append(recording_sid)

    async def recording_audio(self, recording_sid: str) -> tuple[bytes, str]:
        return silence(5.0), "audio/wav"

    async def _recording_done(self, call_sid: str, ended_at: float) -> None:
        found = self.recordings.pop(call_sid, None)
        if found is None:
            return
        sid, callback, started = found
        form = {
            "AccountSid": self.account_sid, "CallSid": call_sid, "RecordingSid": sid,
            "RecordingUrl": f"{self.settings.twilio_api_base_url}/2010-04-01/Accounts/{self.account_sid}"
            f"/Recordings/{sid}",
            "RecordingStatus": "completed", "RecordingDuration": str(max(0, round(ended_at - started))),
            "RecordingChannels": "2", "RecordingSource": "StartCallRecordingAPI",
        }  # fmt: skip
        await self._post(callback, form)

    async def _whisper(self, plan: CallPlan, url: str) -> None:
        """A voter's <Number url>, as Twilio plays it: once they answer, fetch it, read its <Say> to the end,
        then follow its <Redirect> (where a recorded call's recording starts)."""
        sid = plan.spec.call_sid
        if plan.answered_at is None:
            return
        wait = (plan.answered_at - plan.start) / self.speed - (self._clock() - plan.start)
        if wait > 0:
            await self._sleep(wait)
        params = leg_params(plan, "in-progress")
        response = await self._post(url, params) if sid in self._legs else None
        if response is None or response.status_code != 200:
            return
        said = html.unescape(" ".join(re.findall(r"<Say[^>]*>(.*?)</Say>", response.text, re.S)))
        if said.strip():
            self.spoken.append(Spoken(sid, said))
        then = re.search(r"<Redirect[^>]*>(.*?)</Redirect>", response.text, re.S)
        if then is None:
            return
        read = len(said.split()) / WORDS_PER_SECOND / self.speed
        if read > 0:
            await self._sleep(read)
        if sid in self._legs:
            await self._post(html.unescape(then.group(1)), params)
