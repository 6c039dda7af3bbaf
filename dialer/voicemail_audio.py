"""Recorded voicemail audio (pure): what an uploaded file is, judged by its first bytes (never by its name or
the Content-Type the browser claims), whether Twilio's `<Play>` can play it, and the signed, expiring URL
Twilio fetches it by (Twilio sends no cookie, so the URL itself is the permission).

Twilio's `<Play>` takes audio/mpeg, audio/wav (wave, x-wav), audio/aiff (x-aiff, x-aifc), audio/gsm and
audio/ulaw (https://www.twilio.com/docs/voice/twiml/play). It does NOT play Ogg or WebM: those, which is what
a browser's MediaRecorder makes (WebM/Opus in Chromium, Ogg/Opus in Firefox), are refused with a message
saying so. The settings page therefore turns its recording into a WAV in the browser before uploading it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
from dataclasses import dataclass

MAX_BYTES = 5 * 1024 * 1024  # 5 MB: over five minutes of 8 kHz WAV, far more than a voicemail needs
URL_HOURS = 1  # a signed URL lives one to two hours: long enough for a call's TwiML, short if it leaks
PLAYABLE = {"wav": "audio/wav", "mp3": "audio/mpeg", "aiff": "audio/aiff"}
UNPLAYABLE = {"ogg": "Ogg", "webm": "WebM"}


class AudioRejected(ValueError):
    """An upload that cannot be stored: `status` and `code` are the API's answer."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass(frozen=True)
class Audio:
    kind: str  # a key of PLAYABLE
    content_type: str
    seconds: float | None  # known for WAV (from its header); None when the format does not say cheaply


def sniff(data: bytes) -> str | None:
    """The container the bytes start with: wav, mp3, aiff, ogg, webm, or None for anything else."""
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "wav"
    if len(data) >= 12 and data[:4] == b"FORM" and data[8:12] in (b"AIFF", b"AIFC"):
        return "aiff"
    if data[:3] == b"ID3":
        return "mp3"
    # An MPEG audio frame header: 11 sync bits, a version other than "reserved", layer III.
    if len(data) >= 4 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0:
        version, layer = (data[1] >> 3) & 0b11, (data[1] >> 1) & 0b11
        bitrate, rate = data[2] >> 4, (data[2] >> 2) & 0b11
        if version != 0b01 and layer == 0b01 and bitrate not in (0, 0xF) and rate != 0b11:
            return "mp3"
    if data[:4] == b"OggS":
        return "ogg"
    if data[:4] == b"\x1a\x45\xdf\xa3":
        return "webm"
    return None


def wav_seconds(data: bytes) -> float | None:
    """How long a WAV plays: its data chunk's size over the byte rate its fmt chunk gives."""
    pos, byte_rate, size = 12, 0, None
    while pos + 8 <= len(data):
        chunk_id, chunk_len = data[pos : pos + 4], struct.unpack("<I", data[pos + 4 : pos + 8])[0]
        if chunk_id == b"fmt " and chunk_len >= 16 and pos + 24 <= len(data):
            byte_rate = struct.unpack("<I", data[pos + 16 : pos + 20])[0]
        elif chunk_id == b"data":
            size = min(chunk_len, len(data) - pos - 8)
            break
        pos += 8 + chunk_len + (chunk_len & 1)
    if size is None or byte_rate <= 0:
        return None
    return round(float(size) / float(byte_rate), 2)


def check_audio(data: bytes) -> Audio:
    """The upload as audio Twilio can play, or AudioRejected saying precisely why not."""
    if not data:
        raise AudioRejected(422, "empty_audio", "The file is empty.")
    if len(data) > MAX_BYTES:
        too_big = f"The file is larger than the {MAX_BYTES:,} bytes accepted."
        raise AudioRejected(413, "payload_too_large", too_big)
    kind = sniff(data)
    if kind in UNPLAYABLE:
        raise AudioRejected(
            415,
            "unsupported_audio",
            f"{UNPLAYABLE[kind]} audio cannot be played on a phone call by Twilio; upload a WAV or MP3 file.",
        )
    if kind is None:
        raise AudioRejected(415, "unsupported_audio", "This is not a WAV, MP3 or AIFF audio file.")
    seconds = None
    if kind == "wav":
        seconds = wav_seconds(data)
        if seconds is None:
            raise AudioRejected(422, "invalid_audio", "The WAV file has no readable format or sound data.")
    return Audio(kind, PLAYABLE[kind], seconds)


def _signature(secret: str, campaign_id: str, audio_id: str, expires: int) -> str:
    message = f"voicemail-audio|{campaign_id}|{audio_id}|{expires}".encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode().rstrip("=")


def signed_path(secret: str, campaign_id: str, audio_id: str, now: float) -> str:
    """The path (and query) Twilio fetches the audio by. The expiry is rounded to the hour so that the calls
    of one hour share a URL (and Twilio's cache); it is at least URL_HOURS away."""
    expires = (int(now) // 3600 + 1 + URL_HOURS) * 3600
    sig = _signature(secret, campaign_id, audio_id, expires)
    return f"/media/voicemail/{campaign_id}/{audio_id}?expires={expires}&sig={sig}"


def verify(secret: str, campaign_id: str, audio_id: str, expires: str, sig: str, now: float) -> bool:
    """Whether a fetch's URL is one we signed, for this audio, and not yet expired."""
    if not (expires.isascii() and expires.isdigit()) or len(expires) > 12:  # "²".isdigit(), int("²") fails
        return False
    if int(expires) < now:
        return False
    expected = _signature(secret, campaign_id, audio_id, int(expires))
    return hmac.compare_digest(expected.encode(), sig.encode())  # bytes: a non-ASCII str would raise
