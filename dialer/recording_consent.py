"""Recording calls with consent (pure): which states require every party's consent, the order a recorded
call must keep (the voter hears the disclosure, and only then does recording start), and when a recording
expires.

The order is kept by construction: the voter's leg gets the disclosure as a whisper (`<Number url>` in
preview mode) whose TwiML is the disclosure `<Say>` followed by a `<Redirect>` to our recording-start
webhook; only that webhook asks the carrier to record, and Twilio requests it only after the `<Say>` has
been read to its end. `RecordingSteps` is the per-call rule the webhooks apply (and tests check).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

DEFAULT_DISCLOSURE = "This call is recorded for quality and training."
DEFAULT_RETENTION_DAYS = 30
MAX_RETENTION_DAYS = 365
DAY = 86_400.0


@dataclass(frozen=True)
class ConsentState:
    code: str
    name: str
    note: str = ""


# States whose wiretap laws require the consent of every party to record a private phone call, as commonly
# listed (Reporters Committee for Freedom of the Press, "Can We Tape?"; Digital Media Law Project). Several
# are qualified; the notes say how. This is information for organizers, not legal advice: the dialer plays
# the disclosure to every voter, wherever they live, whenever recording is on.
ALL_PARTY_STATES: tuple[ConsentState, ...] = (
    ConsentState("CA", "California"),
    ConsentState("CT", "Connecticut", "all-party consent for phone calls (civil liability)"),
    ConsentState("DE", "Delaware", "its statutes conflict; treat it as all-party"),
    ConsentState("FL", "Florida"),
    ConsentState("IL", "Illinois"),
    ConsentState("MD", "Maryland"),
    ConsentState("MA", "Massachusetts"),
    ConsentState("MI", "Michigan", "courts differ on a participant recording; treat it as all-party"),
    ConsentState("MT", "Montana"),
    ConsentState("NV", "Nevada", "all-party for phone calls (Nevada Supreme Court)"),
    ConsentState("NH", "New Hampshire"),
    ConsentState("OR", "Oregon", "all-party for in-person talks; one-party for phone calls"),
    ConsentState("PA", "Pennsylvania"),
    ConsentState("WA", "Washington"),
)
ALL_PARTY_CODES = frozenset(s.code for s in ALL_PARTY_STATES)


def needs_all_party_consent(state: str) -> bool:
    """Whether a voter in `state` (a two-letter code, any case) is in an all-party consent state."""
    return state.strip().upper() in ALL_PARTY_CODES


class Step(Enum):
    DISCLOSED = "disclosed"  # the disclosure TwiML was served to the voter's leg
    STARTED = "started"  # the carrier was asked to record


@dataclass(frozen=True)
class RecordingSteps:
    """What has happened on one call, in order. Recording may start once, and only after the disclosure."""

    disclosed: bool = False
    started: bool = False

    def may_start(self) -> bool:
        return self.disclosed and not self.started

    def after(self, step: Step) -> RecordingSteps:
        if step is Step.DISCLOSED:
            return RecordingSteps(True, self.started)
        if not self.disclosed:
            raise ValueError("recording cannot start before the disclosure")
        return RecordingSteps(True, True)


def expires_at(created_at: float, retention_days: int) -> float:
    return created_at + retention_days * DAY


def is_expired(created_at: float, retention_days: int, now: float) -> bool:
    return now >= expires_at(created_at, retention_days)


def retention_problems(value: object) -> list[str]:
    if not isinstance(value, int) or isinstance(value, bool):
        return ["must be a whole number of days"]
    if not 1 <= value <= MAX_RETENTION_DAYS:
        return [f"must be between 1 and {MAX_RETENTION_DAYS} days"]
    return []
