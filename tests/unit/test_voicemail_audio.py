"""Recorded voicemail audio, pure: what a file is by its bytes, what Twilio can play, the signed URL."""

from __future__ import annotations

import io
import wave
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dialer.dialing.twiml import voicemail_twiml
from dialer.voicemail_audio import (
    MAX_BYTES,
    AudioRejected,
    check_audio,
    signed_path,
    sniff,
    verify,
    wav_seconds,
)

SECRET = "test-secret"
NOW = 1_795_000_000.0


def wav(seconds: float = 1.5, rate: int = 8000) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"\x00\x01" * int(seconds * rate))
    return out.getvalue()


MP3_FRAME = bytes([0xFF, 0xFB, 0x90, 0x64]) + b"\x00" * 413  # MPEG-1 layer III, 128 kbit/s, 44.1 kHz
ID3_MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + MP3_FRAME
AIFF = b"FORM\x00\x00\x00\x20AIFFCOMM" + b"\x00" * 30
OGG = b"OggS\x00\x02" + b"\x00" * 40
WEBM = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01" + b"\x00" * 40


@pytest.mark.parametrize(
    ("data", "kind"),
    [(wav(), "wav"), (MP3_FRAME, "mp3"), (ID3_MP3, "mp3"), (AIFF, "aiff"), (OGG, "ogg"), (WEBM, "webm")],
)
def test_files_are_known_by_their_first_bytes(data: bytes, kind: str) -> None:
    assert sniff(data) == kind


@pytest.mark.parametrize(
    "data",
    [b"", b"RIFF", b"RIFF\x00\x00\x00\x00AVI ", b"%PDF-1.7", b"<html>", bytes([0xFF, 0xFB, 0xF0, 0])],
)
def test_other_files_are_not_audio(data: bytes) -> None:
    assert sniff(data) is None  # the last: an MP3 frame header with the "bad" bitrate index


def test_a_wav_is_accepted_with_its_length() -> None:
    audio = check_audio(wav(2.0))
    assert (audio.kind, audio.content_type, audio.seconds) == ("wav", "audio/wav", 2.0)
    assert check_audio(MP3_FRAME).content_type == "audio/mpeg"
    assert check_audio(AIFF).content_type == "audio/aiff"


@pytest.mark.parametrize(
    ("data", "status", "code"),
    [
        (b"", 422, "empty_audio"),
        (WEBM, 415, "unsupported_audio"),  # what Chromium's MediaRecorder makes: Twilio cannot play it
        (OGG, 415, "unsupported_audio"),
        (b"name,phone\nPat,+12025550142\n", 415, "unsupported_audio"),
        (b"RIFF\x24\x00\x00\x00WAVEjunk\x00\x00\x00\x00", 422, "invalid_audio"),  # no fmt or data chunk
        (wav(1.0)[:4] + b"\x00" * (MAX_BYTES + 1), 413, "payload_too_large"),
    ],
)
def test_bad_files_are_refused_precisely(data: bytes, status: int, code: str) -> None:
    with pytest.raises(AudioRejected) as refused:
        check_audio(data)
    assert (refused.value.status, refused.value.code) == (status, code)
    if data in (WEBM, OGG):
        assert "Twilio" in refused.value.message and "WAV or MP3" in refused.value.message


@given(st.binary(max_size=2000))
def test_any_bytes_are_audio_or_a_precise_refusal(data: bytes) -> None:
    try:
        audio = check_audio(data)
    except AudioRejected as refused:
        assert refused.status in (413, 415, 422)
    else:
        assert audio.kind in ("wav", "mp3", "aiff")


@given(st.floats(min_value=0.1, max_value=30), st.sampled_from([8000, 16000, 22050]))
def test_wav_length_comes_from_its_header(seconds: float, rate: int) -> None:
    length = wav_seconds(wav(seconds, rate))
    assert length is not None and abs(length - int(seconds * rate) / rate) < 0.01


def test_a_signed_url_verifies_for_its_own_audio_only_until_it_expires() -> None:
    path = signed_path(SECRET, "gotv", "abc123", NOW)
    assert path.startswith("/media/voicemail/gotv/abc123?")
    query = dict(part.split("=", 1) for part in path.split("?", 1)[1].split("&"))
    expires, sig = query["expires"], query["sig"]
    assert NOW + 3600 <= int(expires) <= NOW + 7200  # one to two hours, on the hour
    assert verify(SECRET, "gotv", "abc123", expires, sig, NOW)
    assert verify(SECRET, "gotv", "abc123", expires, sig, int(expires))
    assert not verify(SECRET, "gotv", "abc123", expires, sig, int(expires) + 1)  # expired
    assert not verify(SECRET, "gotv", "other", expires, sig, NOW)  # another recording
    assert not verify(SECRET, "levy", "abc123", expires, sig, NOW)  # another campaign
    assert not verify("another key", "gotv", "abc123", expires, sig, NOW)
    assert not verify(SECRET, "gotv", "abc123", str(int(expires) + 3600), sig, NOW)  # a later expiry
    assert not verify(SECRET, "gotv", "abc123", "soon", sig, NOW)
    assert not verify(SECRET, "gotv", "abc123", expires, sig[:-1] + ("A" if sig[-1] != "A" else "B"), NOW)


@given(st.floats(min_value=0, max_value=4e9), st.text(min_size=1, max_size=30))
def test_the_calls_of_one_hour_share_a_url(now: float, audio_id: str) -> None:
    a, b = signed_path(SECRET, "c", audio_id, now), signed_path(SECRET, "c", audio_id, now - now % 3600)
    assert a == b


def test_the_voicemail_twiml_plays_the_recording_else_reads_the_text() -> None:
    url = "https://dialer.example.org" + signed_path(SECRET, "gotv", "abc123", NOW)
    played = ET.fromstring(voicemail_twiml("Vote on Tuesday.", audio_url=url))
    assert [(c.tag, c.text) for c in played] == [("Play", url), ("Hangup", None)]  # the text is the fallback
    spoken = ET.fromstring(voicemail_twiml("Vote on Tuesday.", audio_url=None))
    assert [(c.tag, c.text) for c in spoken] == [("Say", "Vote on Tuesday."), ("Hangup", None)]
    assert [c.tag for c in ET.fromstring(voicemail_twiml(None, audio_url=url))] == ["Play", "Hangup"]
    assert [c.tag for c in ET.fromstring(voicemail_twiml(None))] == ["Hangup"]
