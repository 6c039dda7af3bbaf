"""What the simulated carrier plays and records: a recording our TwiML has played to a voter (a recorded
voicemail) as Twilio would have fetched it, and the silence a simulated call recording holds."""

from __future__ import annotations

import io
import wave
from dataclasses import dataclass

from dialer.voicemail_audio import sniff, wav_seconds


@dataclass(frozen=True)
class Played:
    """A recording our TwiML had played to a voter (a recorded voicemail), as the carrier fetched it:
    `status` None when the URL did not answer at all; Twilio plays only `PLAY_TYPES`."""

    call_sid: str
    url: str
    status: int | None
    content_type: str
    size: int

    @property
    def playable(self) -> bool:
        return self.status == 200 and self.content_type in PLAY_TYPES and self.size > 0


# What Twilio's <Play> accepts (https://www.twilio.com/docs/voice/twiml/play).
PLAY_TYPES = frozenset(
    {
        "audio/mpeg", "audio/wav", "audio/wave", "audio/x-wav", "audio/aiff", "audio/x-aifc", "audio/x-aiff",
        "audio/x-gsm", "audio/gsm", "audio/ulaw",
    }
)  # fmt: skip
PLAY_SECONDS = 12.0  # how long a played recording lasts when its length is not known


def play_length(audio: bytes) -> float:
    """How long a played recording lasts: a WAV's own length, else a typical voicemail's."""
    seconds = wav_seconds(audio) if sniff(audio) == "wav" else None
    return seconds if seconds is not None else PLAY_SECONDS


def silence(seconds: float, rate: int = 8000) -> bytes:
    """A WAV of silence: what a simulated recording sounds like."""
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"\x00\x00" * int(seconds * rate))
    return out.getvalue()
