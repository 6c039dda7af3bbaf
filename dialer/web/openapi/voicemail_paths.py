"""A campaign's recorded voicemail message: upload, describe, play back, remove; and the signed URL Twilio
fetches it by (dialer/web/api_voicemail_audio.py)."""

from __future__ import annotations

from typing import Any

from dialer.web.openapi.api_paths import NO_BODY
from dialer.web.openapi.operations import CAMPAIGN_ID, json_answer, op, path_param, query_param

BINARY = {"type": "string", "format": "binary"}
AUDIO_TYPES = ("audio/wav", "audio/mpeg", "audio/aiff")
AUDIO_META: dict[str, Any] = {
    "type": "object",
    "required": ["id", "kind", "content_type", "bytes", "seconds", "uploaded_at", "uploaded_by"],
    "properties": {
        "id": {"type": "string", "description": "Random; new on every upload"},
        "kind": {"enum": ["wav", "mp3", "aiff"]},
        "content_type": {"enum": list(AUDIO_TYPES)},
        "bytes": {"type": "integer", "minimum": 1, "maximum": 5 * 1024 * 1024},
        "seconds": {"type": ["number", "null"], "description": "Known for WAV"},
        "uploaded_at": {"type": "string", "format": "date-time"},
        "uploaded_by": {"type": "string"},
    },
}


def _audio_answer(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {t: {"schema": {"type": "string", "contentMediaType": t}} for t in AUDIO_TYPES},
    }


def voicemail_paths() -> dict[str, dict[str, Any]]:
    tag = "voicemail"
    audio = "/api/campaigns/{campaign_id}/voicemail/audio"
    return {
        "/api/campaigns/{campaign_id}/voicemail": {
            "get": op(
                "describeVoicemail",
                "The campaign's voicemail message: its recording (or null) and its text",
                tag=tag,
                role="organizer",
                params=(CAMPAIGN_ID,),
                answers={
                    200: json_answer(
                        "The message",
                        {
                            "type": "object",
                            "required": ["audio", "message"],
                            "properties": {
                                "audio": {"oneOf": [AUDIO_META, {"type": "null"}]},
                                "message": {"type": ["string", "null"]},
                            },
                        },
                    )
                },
            ),
        },
        audio: {
            "put": op(
                "uploadVoicemailAudio",
                "Upload (or replace) the recorded voicemail message: WAV, MP3 or AIFF, at most 5 MB",
                tag=tag,
                role="organizer",
                params=(CAMPAIGN_ID,),
                body={"required": True, "content": {"application/octet-stream": {"schema": BINARY}}},
                answers={201: json_answer("Stored", AUDIO_META)},
                description="The file's type is judged by its bytes, not its name or Content-Type. Twilio "
                "cannot play Ogg or WebM (what browsers record): 415 `unsupported_audio`; an empty file or "
                "a WAV without sound data 422; over 5 MB 413. A refused file leaves the stored one as is.",
            ),
            "get": op(
                "playVoicemailAudio",
                "The recording, for playback on the settings page",
                tag=tag,
                role="organizer",
                params=(CAMPAIGN_ID,),
                answers={200: _audio_answer("The audio")},
                description="404 `no_voicemail_audio` when there is none.",
            ),
            "delete": op(
                "removeVoicemailAudio",
                "Remove the recording: machines hear the text again (or nothing)",
                tag=tag,
                role="organizer",
                params=(CAMPAIGN_ID,),
                answers={204: NO_BODY},
            ),
        },
        "/media/voicemail/{campaign_id}/{audio_id}": {
            "get": {
                **op(
                    "fetchVoicemailAudio",
                    "The recording, as Twilio's <Play> fetches it by the URL in the voicemail TwiML",
                    tag=tag,
                    role=None,
                    params=(
                        CAMPAIGN_ID,
                        path_param("audio_id", description="The recording's id"),
                        query_param("expires", "Unix time the URL expires (1 to 2 hours after signing)"),
                        query_param("sig", "HMAC of the campaign, recording and expiry with the server key"),
                    ),
                    answers={200: _audio_answer("The audio")},
                    description="No sign-in: the signed URL is the permission. 403 `bad_signature` for a "
                    "forged or expired URL; 404 `no_voicemail_audio` once the recording is replaced or "
                    "removed.",
                ),
                "security": [{}],
            },
        },
    }
