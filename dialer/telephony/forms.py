"""Twilio webhook forms -> call events, and the callback URLs we hand Twilio.

Pure. Every parser takes the raw form as a Mapping[str, str] and the query string's parameters (our own
callback URLs carry `campaign_id` and `contact_id`), so a Starlette route calls them directly with
`await request.form()` and `request.query_params`.
"""

from __future__ import annotations

import datetime
import email.utils
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from dialer.telephony.base import (
    CALL_SID_RE,
    AnsweredBy,
    CallEvent,
    CallStatus,
    EventKind,
    MalformedWebhook,
    VoiceRequest,
)

VOICE_PATH = "/twilio/voice"
STATUS_PATH = "/twilio/status"
AMD_PATH = "/twilio/amd"
CLIENT_PREFIX = "client:"

_EMPTY: Mapping[str, str] = {}
STATUSES = {status.value: status for status in CallStatus}
_STATUSES = STATUSES
_MONTHS = {name: n for n, name in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
                                             "Oct", "Nov", "Dec"), 1)}  # fmt: skip


def webhook_url(base_url: str, path: str, **query: str | None) -> str:
    """An absolute callback URL on our server; None values are left out of the query."""
    pairs = [(key, value) for key, value in query.items() if value is not None]
    url = base_url.rstrip("/") + path
    return f"{url}?{urlencode(pairs)}" if pairs else url


def status_callback_url(base_url: str, campaign_id: str | None, contact_id: str | None) -> str:
    return webhook_url(base_url, STATUS_PATH, campaign_id=campaign_id, contact_id=contact_id)


def amd_callback_url(base_url: str, campaign_id: str | None, contact_id: str | None) -> str:
    return webhook_url(base_url, AMD_PATH, campaign_id=campaign_id, contact_id=contact_id)


def parse_voice(form: Mapping[str, str], query: Mapping[str, str] | None = None) -> VoiceRequest:
    """The TwiML App's voice request. A browser's custom params (contact_id) arrive as form fields."""
    query = query or _EMPTY
    caller = form.get("From") or form.get("Caller") or ""
    identity = caller[len(CLIENT_PREFIX) :] if caller.startswith(CLIENT_PREFIX) else None
    return VoiceRequest(
        call_sid=_call_sid(form),
        identity=identity or None,
        contact_id=_text(form.get("contact_id")) or _text(query.get("contact_id")),
        campaign_id=_text(form.get("campaign_id")) or _text(query.get("campaign_id")),
        account_sid=_text(form.get("AccountSid")),
        params=dict(form),
    )


def parse_status(form: Mapping[str, str], query: Mapping[str, str] | None = None) -> CallEvent:
    """A status callback (initiated, ringing, answered, completed, or how the leg failed)."""
    raw_status = form.get("CallStatus", "")
    try:
        status = CallStatus(raw_status)
    except ValueError:
        raise MalformedWebhook(f"unknown CallStatus {raw_status!r}") from None
    return _event(form, query or _EMPTY, EventKind.STATUS, status)


def parse_amd(form: Mapping[str, str], query: Mapping[str, str] | None = None) -> CallEvent:
    """An asynchronous AMD callback: AnsweredBy, and no CallStatus change of its own."""
    raw_status = form.get("CallStatus", "")
    status = _STATUSES.get(raw_status)
    event = _event(form, query or _EMPTY, EventKind.AMD, status)
    if event.answered_by is None:
        raise MalformedWebhook("an AMD callback without AnsweredBy")
    return event


def _event(
    form: Mapping[str, str], query: Mapping[str, str], kind: EventKind, status: CallStatus | None
) -> CallEvent:
    raw_answered = form.get("AnsweredBy")
    try:
        answered_by = AnsweredBy(raw_answered) if raw_answered else None
    except ValueError:
        # Twilio adds verdicts from time to time; an unknown one must not lose the callback.
        answered_by = AnsweredBy.UNKNOWN
    parent = _text(form.get("ParentCallSid"))
    return CallEvent(
        call_sid=_call_sid(form),
        status=status,
        kind=kind,
        parent_call_sid=parent if parent and CALL_SID_RE.match(parent) else None,
        account_sid=_text(form.get("AccountSid")),
        sequence_number=_int(form.get("SequenceNumber"), "SequenceNumber"),
        timestamp=_timestamp(form.get("Timestamp")),
        duration=_int(form.get("CallDuration"), "CallDuration"),
        answered_by=answered_by,
        to=_text(form.get("To")),
        from_=_text(form.get("From")),
        contact_id=_text(query.get("contact_id")),
        campaign_id=_text(query.get("campaign_id")),
    )


def call_resource_event(resource: Mapping[str, Any]) -> CallEvent | None:
    """A Call resource as Twilio's REST API gives it (GET Calls/{CallSid}.json: `sid`, `status`,
    `answered_by`, `duration` in seconds as a string, `parent_call_sid`) as the status callback it stands
    for; None for a resource that names no call or no status we know."""
    sid, status = resource.get("sid"), _STATUSES.get(str(resource.get("status") or ""))
    if not isinstance(sid, str) or not CALL_SID_RE.match(sid) or status is None:
        return None
    raw_answered, raw_duration = resource.get("answered_by"), resource.get("duration")
    try:
        answered_by = AnsweredBy(raw_answered) if raw_answered else None
    except ValueError:
        answered_by = AnsweredBy.UNKNOWN
    parent = resource.get("parent_call_sid")
    return CallEvent(
        call_sid=sid,
        status=status,
        parent_call_sid=parent if isinstance(parent, str) and CALL_SID_RE.match(parent) else None,
        duration=int(raw_duration) if isinstance(raw_duration, str) and raw_duration.isdigit() else None,
        answered_by=answered_by,
    )


def _call_sid(form: Mapping[str, str]) -> str:
    sid = form.get("CallSid", "")
    if not CALL_SID_RE.match(sid):
        raise MalformedWebhook(f"bad CallSid {sid!r}")
    return sid


def _text(value: str | None) -> str | None:
    return value.strip() or None if value is not None else None


def _int(value: str | None, name: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except ValueError:
        raise MalformedWebhook(f"{name} must be a whole number, not {value!r}") from None


def _timestamp(value: str | None) -> float | None:
    """Twilio's Timestamp is RFC 2822 ("Wed, 25 Nov 2026 13:10:56 +0000")."""
    if not value:
        return None
    fast = _twilio_timestamp(value)
    if fast is not None:
        return fast
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:  # "-0000" means UTC with no claim about local time
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment.timestamp()


def _twilio_timestamp(value: str) -> float | None:
    """The form Twilio sends ("Wed, 25 Nov 2026 13:10:56 +0000"), read without the email module: its
    general parser was a tenth of a status callback's CPU. None for anything else (the caller falls back)."""
    parts = value.split()
    if len(parts) != 6 or parts[5] != "+0000" or len(parts[3]) != 4 or len(parts[4]) != 8:
        return None
    month = _MONTHS.get(parts[2])
    clock = parts[4].split(":")
    if month is None or len(clock) != 3 or not all(x.isdigit() and x.isascii() for x in clock):
        return None
    if not (parts[1].isdigit() and parts[1].isascii() and parts[3].isdigit() and parts[3].isascii()):
        return None
    try:
        moment = datetime.datetime(
            int(parts[3]),
            month,
            int(parts[1]),
            int(clock[0]),
            int(clock[1]),
            int(clock[2]),
            tzinfo=datetime.UTC,
        )
    except ValueError:
        return None
    return moment.timestamp()


def rfc2822(epoch: float) -> str:
    """Epoch seconds as Twilio writes times: "Wed, 25 Nov 2026 13:10:56 +0000"."""
    return email.utils.formatdate(epoch).replace("-0000", "+0000")
