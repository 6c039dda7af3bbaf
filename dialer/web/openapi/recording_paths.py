"""Recording calls with consent: the carrier's three webhooks of a recorded call and the organizers'
recordings (dialer/web/recording_hooks.py, dialer/web/api_recordings.py), and the volunteer's button that
records a power or predictive call (dialer/web/call_recording.py)."""

from __future__ import annotations

from typing import Any

from dialer.web.openapi.api_paths import NO_BODY
from dialer.web.openapi.operations import (
    CAMPAIGN_ID,
    answer,
    json_answer,
    json_body,
    op,
    path_param,
    query_param,
)
from dialer.web.openapi.other_paths import TWIML_ANSWER, _webhook

RECORDING: dict[str, Any] = {
    "type": "object",
    "required": ["sid", "call_sid", "contact_id", "duration", "channels", "created_at", "expires_at"],
    "properties": {
        "sid": {"type": "string", "pattern": "^RE[0-9a-f]{32}$"},
        "call_sid": {"type": "string"},
        "contact_id": {"type": "string"},
        "duration": {"type": "integer", "description": "Seconds"},
        "channels": {"type": "integer"},
        "created_at": {"type": "string", "format": "date-time"},
        "expires_at": {"type": "string", "format": "date-time", "description": "The worker deletes it then"},
    },
}
STARTING: dict[str, Any] = {
    "type": "object",
    "required": ["call_sid", "recording"],
    "properties": {"call_sid": {"type": "string"}, "recording": {"enum": ["starting", "started"]}},
}
RECORDING_SID = path_param("recording_sid", description="The recording's RecordingSid")


def recording_paths() -> dict[str, dict[str, Any]]:
    tag = "recordings"
    return {
        "/twilio/recording/disclose": {
            "post": _webhook(
                "twilioRecordingDisclose",
                "A recorded call's voter answered: the disclosure, then a Redirect to start recording",
                {200: TWIML_ANSWER},
            )
        },
        "/twilio/recording/start": {
            "post": _webhook(
                "twilioRecordingStart",
                "The disclosure was read: recording starts (once; never before the disclosure)",
                {200: TWIML_ANSWER},
            )
        },
        "/twilio/recording/status": {
            "post": _webhook(
                "twilioRecordingStatus",
                "Twilio's RecordingStatusCallback: the finished recording is kept once",
                {204: answer("Applied")},
            )
        },
        "/api/recording-consent/states": {
            "get": op(
                "consentStates",
                "The states that require every party's consent to record a call",
                tag=tag,
                role="organizer",
                answers={
                    200: json_answer(
                        "The states",
                        {
                            "type": "object",
                            "required": ["all_party_consent"],
                            "properties": {
                                "all_party_consent": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "required": ["code", "name", "note"],
                                        "properties": {
                                            "code": {"type": "string"},
                                            "name": {"type": "string"},
                                            "note": {"type": "string"},
                                        },
                                    },
                                }
                            },
                        },
                    )
                },
            )
        },
        "/api/campaigns/{campaign_id}/recordings": {
            "get": op(
                "listRecordings",
                "The campaign's call recordings (or one contact's), soonest to expire first",
                tag=tag,
                role="organizer",
                params=(CAMPAIGN_ID, query_param("contact_id", "Only this contact's recordings")),
                answers={
                    200: json_answer(
                        "The recordings",
                        {
                            "type": "object",
                            "required": ["recordings"],
                            "properties": {"recordings": {"type": "array", "items": RECORDING}},
                        },
                    )
                },
            )
        },
        "/api/campaigns/{campaign_id}/recordings/{recording_sid}/audio": {
            "get": op(
                "recordingAudio",
                "A recording's audio, fetched from the carrier with the account's credentials",
                tag=tag,
                role="organizer",
                params=(CAMPAIGN_ID, RECORDING_SID),
                answers={200: answer("The audio", "audio/wav")},
                errors=(502,),
            )
        },
        "/api/campaigns/{campaign_id}/recordings/{recording_sid}": {
            "delete": op(
                "deleteRecording",
                "Delete a recording, at the carrier and here",
                tag=tag,
                role="organizer",
                params=(CAMPAIGN_ID, RECORDING_SID),
                answers={204: NO_BODY},
                errors=(502,),
            )
        },
        "/api/campaigns/{campaign_id}/calls/{call_sid}/recording": {
            "post": op(
                "startDialerRecording",
                "Power, predictive: you read the notice to the voter; the dialer records their call now",
                tag=tag,
                role="volunteer",
                params=(CAMPAIGN_ID, path_param("call_sid")),
                body=json_body(
                    {"type": "object", "additionalProperties": False, "maxProperties": 0}, required=False
                ),  # fmt: skip
                answers={
                    202: json_answer("Starting: the call socket's `recording` message says when", STARTING),
                    200: json_answer("A repeat: it is starting or started already", STARTING),
                },
                errors=(404, 409, 422),
            )
        },
        "/api/campaigns/{campaign_id}/contacts/{contact_id}/recordings": {
            "delete": op(
                "deleteContactRecordings",
                "Delete every recording of one contact, at the carrier and here",
                tag=tag,
                role="organizer",
                params=(CAMPAIGN_ID, path_param("contact_id")),
                answers={
                    200: json_answer(
                        "What was deleted; `left` those the carrier would not delete yet",
                        {
                            "type": "object",
                            "required": ["deleted", "left"],
                            "properties": {"deleted": {"type": "integer"}, "left": {"type": "integer"}},
                        },
                    )
                },
            )
        },
    }
