"""The carrier port: what the rest of the dialer knows about telephony.

A carrier translates; it never persists. Webhook forms become `CallEvent`s and `VoiceRequest`s, dial
decisions become TwiML or REST calls. Whoever receives an event (the webhook routes) decides what to store.

Pure: no I/O here, so the call-state rules (`advances`, `suggested_result`) can be tested on their own.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from dialer.models import ResultCode

CALL_SID_RE = re.compile(r"^CA[0-9a-fA-F]{32}$")
ACCOUNT_SID_RE = re.compile(r"^AC[0-9a-fA-F]{32}$")

# Twilio's status callback events for a call leg; "completed" is always sent whether asked for or not.
STATUS_CALLBACK_EVENTS = ("initiated", "ringing", "answered", "completed")
# The only two values Twilio's MachineDetection parameter accepts (the OpenAPI spec leaves it a free string).
MACHINE_DETECTION_VALUES = ("Enable", "DetectMessageEnd")
# Twilio's range for a call's ring timeout is 5..600; below 15 s voters cannot reach the phone in time.
MIN_RING_TIMEOUT = 15
MAX_RING_TIMEOUT = 600


class CallStatus(enum.StrEnum):
    """Twilio's CallStatus values, in the order a call leg moves through them."""

    QUEUED = "queued"
    INITIATED = "initiated"
    RINGING = "ringing"
    IN_PROGRESS = "in-progress"
    COMPLETED = "completed"
    BUSY = "busy"
    NO_ANSWER = "no-answer"
    FAILED = "failed"
    CANCELED = "canceled"

    @property
    def rank(self) -> int:
        return _STATUS_RANK[self]

    @property
    def is_final(self) -> bool:
        return self.rank == _FINAL_RANK


_FINAL_RANK = 4
_STATUS_RANK = {
    CallStatus.QUEUED: 0,
    CallStatus.INITIATED: 1,
    CallStatus.RINGING: 2,
    CallStatus.IN_PROGRESS: 3,
    # Every end state shares one rank: once a leg has ended, no later callback may change how it ended.
    CallStatus.COMPLETED: _FINAL_RANK,
    CallStatus.BUSY: _FINAL_RANK,
    CallStatus.NO_ANSWER: _FINAL_RANK,
    CallStatus.FAILED: _FINAL_RANK,
    CallStatus.CANCELED: _FINAL_RANK,
}


def advances(old: CallStatus | None, new: CallStatus) -> bool:
    """Whether a callback reporting `new` moves a leg now known to be in `old` forward.

    Callbacks arrive out of order and are retried, so a stale or repeated one must change nothing:
    store `new` only when this returns True.
    """
    return old is None or new.rank > old.rank


class AnsweredBy(enum.StrEnum):
    """Twilio's answering machine detection verdicts (AnsweredBy)."""

    HUMAN = "human"
    MACHINE_START = "machine_start"
    MACHINE_END_BEEP = "machine_end_beep"
    MACHINE_END_SILENCE = "machine_end_silence"
    MACHINE_END_OTHER = "machine_end_other"
    FAX = "fax"
    UNKNOWN = "unknown"

    @property
    def is_machine(self) -> bool:
        return self.value.startswith("machine_")


class MachineDetection(enum.StrEnum):
    ENABLE = "Enable"
    DETECT_MESSAGE_END = "DetectMessageEnd"


class EventKind(enum.StrEnum):
    STATUS = "status"
    AMD = "amd"


@dataclass(frozen=True)
class CallEvent:
    """One carrier callback about one call leg, as the carrier reported it.

    `sequence_number` is Twilio's per-leg counter of status callbacks; together with `call_sid` it
    identifies a callback, so a retried delivery can be recognized (`dedupe_key`).
    """

    call_sid: str
    status: CallStatus | None
    kind: EventKind = EventKind.STATUS
    parent_call_sid: str | None = None
    account_sid: str | None = None
    sequence_number: int | None = None
    timestamp: float | None = None
    duration: int | None = None
    answered_by: AnsweredBy | None = None
    to: str | None = None
    from_: str | None = None
    contact_id: str | None = None
    campaign_id: str | None = None

    @property
    def dedupe_key(self) -> str:
        """Equal for two deliveries of the same callback and different for distinct callbacks of a leg."""
        if self.kind is EventKind.AMD:
            return f"{self.call_sid}:amd"
        if self.sequence_number is not None:
            return f"{self.call_sid}:{self.sequence_number}"
        return f"{self.call_sid}:{self.status}"


@dataclass(frozen=True)
class VoiceRequest:
    """The TwiML App's voice webhook: a volunteer's browser placed a call.

    `contact_id` comes from the browser and is untrusted: the route must check the identity holds it.
    """

    call_sid: str
    identity: str | None
    contact_id: str | None
    campaign_id: str | None = None
    account_sid: str | None = None
    params: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PlaceCall:
    """A decision to place an outbound call (power and predictive modes).

    Exactly one of `twiml` or `url` says what the answered call does.
    """

    to: str
    from_: str
    status_callback: str
    twiml: str | None = None
    url: str | None = None
    status_callback_events: tuple[str, ...] = STATUS_CALLBACK_EVENTS
    machine_detection: MachineDetection | None = None
    async_amd: bool = False
    amd_status_callback: str | None = None
    timeout: int = 30
    time_limit: int | None = None

    def __post_init__(self) -> None:
        if (self.twiml is None) == (self.url is None):
            raise ValueError("PlaceCall needs exactly one of twiml or url")
        if not MIN_RING_TIMEOUT <= self.timeout <= MAX_RING_TIMEOUT:
            raise ValueError(
                f"timeout must be {MIN_RING_TIMEOUT}..{MAX_RING_TIMEOUT} seconds, not {self.timeout}"
            )
        unknown = set(self.status_callback_events) - set(STATUS_CALLBACK_EVENTS)
        if unknown:
            raise ValueError(f"unknown status callback events: {sorted(unknown)}")
        if self.async_amd and self.machine_detection is None:
            raise ValueError("async_amd needs machine_detection")
        if self.amd_status_callback is not None and not self.async_amd:
            raise ValueError("amd_status_callback needs async_amd")


class CarrierError(Exception):
    """A carrier refused a request; `code` and `message` are the carrier's own (e.g. Twilio 21211)."""

    def __init__(self, status: int, code: int | None, message: str, more_info: str | None = None) -> None:
        super().__init__(f"carrier error {code or status}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.more_info = more_info


class MalformedWebhook(ValueError):
    """A webhook form lacks what every genuine carrier callback carries; answer 400."""


def suggested_result(status: CallStatus | None, answered_by: AnsweredBy | None = None) -> ResultCode | None:
    """The result code to pre-fill for the volunteer to confirm, from what the carrier reported.

    None when the carrier cannot know (a human answered: the conversation decides).
    """
    if answered_by is not None and answered_by.is_machine:
        return ResultCode.VOICEMAIL
    if answered_by is AnsweredBy.FAX:
        return ResultCode.WRONG_NUMBER
    if status is None:
        return None
    return _OUTCOME_RESULTS.get(status)


_OUTCOME_RESULTS = {
    CallStatus.BUSY: ResultCode.BUSY,
    CallStatus.NO_ANSWER: ResultCode.NO_ANSWER,
    # Twilio reports "failed" when the number cannot be reached at all (not in service, invalid).
    CallStatus.FAILED: ResultCode.DISCONNECTED,
    # The caller hung up while it was still ringing: the voter never answered.
    CallStatus.CANCELED: ResultCode.NO_ANSWER,
}


@runtime_checkable
class Carrier(Protocol):
    """What the web routes and the pacer need from a carrier. Implementations never write to Redis."""

    def voice_token(self, identity: str) -> str:
        """A token for the volunteer's browser; Twilio reports its identity as From=client:<identity>."""
        ...

    def validate(self, path_qs: str, form: Mapping[str, str], signature: str | None) -> bool:
        """Whether a webhook carries a valid signature for PUBLIC_URL + `path_qs` (path and query)."""
        ...

    def parse_voice(
        self, form: Mapping[str, str], query: Mapping[str, str] | None = None
    ) -> VoiceRequest: ...

    def parse_status(self, form: Mapping[str, str], query: Mapping[str, str] | None = None) -> CallEvent: ...

    def parse_amd(self, form: Mapping[str, str], query: Mapping[str, str] | None = None) -> CallEvent: ...

    def dial_twiml(
        self,
        number: str,
        caller_id: str,
        status_callback_url: str,
        timeout: int = 30,
        *,
        whisper_url: str | None = None,
    ) -> str: ...

    def refusal_twiml(self, message: str) -> str: ...

    async def place_call(self, call: PlaceCall) -> str:
        """Start an outbound call; returns its CallSid."""
        ...

    async def update_call(
        self, call_sid: str, *, twiml: str | None = None, url: str | None = None
    ) -> None: ...

    async def hangup(self, call_sid: str) -> None: ...

    async def cancel(self, call_sid: str) -> None:
        """Hang up a call that is still queued or ringing; one already answered goes on (Twilio's
        Status=canceled). The pacer's way to drop a line nobody will be free for, never a voter."""
        ...

    async def aclose(self) -> None: ...


@runtime_checkable
class CallLookup(Protocol):
    """A carrier that can say how a call stands now (Twilio's GET Calls/{CallSid}.json), for lines whose
    callbacks never reached us (dialer/dialing/quiet_lines.py)."""

    async def call_status(self, call_sid: str) -> CallEvent | None:
        """The call's status as a status callback would report it; None if the carrier has no such call."""
        ...


@runtime_checkable
class CallerIdOwnership(Protocol):
    """A carrier that can say which numbers an account may show as caller ID (TwilioCarrier)."""

    async def owns_caller_id(self, number: str) -> bool:
        """Whether calls may go out from `number`: one of the account's numbers or a verified caller ID."""
        ...
