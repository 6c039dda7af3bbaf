"""The carrier's part in recording calls with consent: start a recording once the disclosure was heard,
fetch one for an organizer, delete one. A port of its own (not on `Carrier`): TwilioCarrier and
SimulatedCarrier implement it; a carrier without it never records."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from twilio.twiml.voice_response import VoiceResponse


@runtime_checkable
class Recorder(Protocol):
    async def start_recording(self, call_sid: str, status_callback: str) -> str:
        """Start recording the call now; the finished recording is posted to `status_callback`."""
        ...

    async def delete_recording(self, call_sid: str, recording_sid: str) -> None:
        """Delete it at the carrier (one already gone counts as deleted)."""
        ...

    async def recording_audio(self, recording_sid: str) -> tuple[bytes, str]:
        """Its audio and Content-Type, from the carrier's own account (never a URL a callback named)."""
        ...


def recorder(carrier: Any) -> Recorder | None:
    return carrier if isinstance(carrier, Recorder) else None


def disclosure_twiml(text: str, start_url: str) -> str:
    """The whisper the voter hears before being connected: the disclosure, then (only after it has been
    read to its end) Twilio asks `start_url`, where recording starts."""
    response = VoiceResponse()
    response.say(text)
    response.redirect(start_url, method="POST")
    return str(response)
