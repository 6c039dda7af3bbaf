"""Redis keys of recorded voicemail (dialer/stores/voicemail.py) and call recordings
(dialer/stores/recordings.py), listed with their owners and TTLs in docs/redis-keys.md. Reached as
`keys.<name>`: queue/keys.py re-exports them, so every key is still found in one place."""

from __future__ import annotations

PREFIX = "dialer"


def _tag(campaign_id: str) -> str:
    return "{c:" + campaign_id + "}"  # the campaign's hash tag, as keys.tag


def voicemail_audio(campaign_id: str) -> str:
    """The campaign's recorded voicemail message (dialer/stores/voicemail.py)."""
    return f"{_tag(campaign_id)}:voicemail:audio"


def recording(campaign_id: str, recording_sid: str) -> str:
    return f"{_tag(campaign_id)}:recording:{recording_sid}"


def recordings(campaign_id: str) -> str:
    return f"{_tag(campaign_id)}:recordings"


def contact_recordings(campaign_id: str, contact_id: str) -> str:
    return f"{_tag(campaign_id)}:contact:{contact_id}:recordings"


def recording_call(campaign_id: str, call_sid: str) -> str:
    return f"{_tag(campaign_id)}:recording:call:{call_sid}"


RECORDING_CAMPAIGNS = f"{PREFIX}:recordings:campaigns"
