"""Listen-in, coach and barge (pure): who may join whose call, how, and what Twilio is asked to do.

An organizer (any volunteer of the campaign) or a team leader (their own team's volunteers only) joins a
volunteer's conference as a Twilio Conference Participant in one of three modes:

- `listen`: muted; hears the volunteer and the voter, nobody hears them.
- `coach`: heard by the volunteer only (Twilio's `Coaching=true` with `CallSidToCoach` = the volunteer's leg).
- `barge`: a full participant, heard by both.

A coach may switch between modes and leave; one coach per volunteer at a time. The web layer carries out
the decisions (REST requests, the session in Redis, the audit entry, the volunteer's `coach` message).
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from dialer.models import Role
from dialer.staff_lines import HOME_LINE, staff_line_problem

E164 = re.compile(r"\+[1-9][0-9]{7,14}")
CLIENT_PREFIX = "client:"
# What the coach leg's status callback asks for: the answer (joined) and the end (left).
COACH_EVENTS = ("answered", "completed")

FormPairs = list[tuple[str, str]]


class CoachMode(enum.StrEnum):
    LISTEN = "listen"
    COACH = "coach"
    BARGE = "barge"


class CoachError(ValueError):
    """A coaching request the rules refuse; `code` is the API's error code, `status` its HTTP status."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def may_coach(
    role: Role, coach_id: str, volunteer: str, leader_of: str | None, volunteer_team: str | None
) -> bool:
    """Organizers coach anyone; a team leader only a volunteer of the team they lead; nobody themselves.

    `leader_of` is the team the coach leads (None: none), `volunteer_team` the volunteer's team."""
    if coach_id == volunteer:
        return False
    if role.includes(Role.ORGANIZER):
        return True
    return role.includes(Role.LEADER) and leader_of is not None and leader_of == volunteer_team


class Step(enum.StrEnum):
    JOIN = "join"  # no session yet: dial the coach into the conference
    SWITCH = "switch"  # the same coach changes mode: update their participant
    SAME = "same"  # nothing to do (a repeated request)


def next_step(current: CoachMode | None, current_coach: str | None, coach_id: str, wanted: CoachMode) -> Step:
    """What a request to be in `wanted` mode does, given the volunteer's coaching session (if any).

    Raises CoachError(409, "coach_busy") when another coach is already on this volunteer's call."""
    if current is None:
        return Step.JOIN
    if current_coach != coach_id:
        raise CoachError(409, "coach_busy", "Another coach is already on this volunteer's call.")
    return Step.SAME if current is wanted else Step.SWITCH


def parse_mode(raw: object) -> CoachMode:
    if not isinstance(raw, str) or raw not in set(CoachMode):
        raise CoachError(422, "validation_error", "mode must be one of listen, coach, barge.")
    return CoachMode(raw)


def coach_address(phone: object, identity: str) -> str:
    """Where the coach is reached: their phone (E.164) when given, else their browser (client:<id>)."""
    if phone is None:
        return CLIENT_PREFIX + identity
    if not isinstance(phone, str) or not E164.fullmatch(phone):
        raise CoachError(422, "validation_error", "phone must be an E.164 number such as +12025550142.")
    if staff_line_problem(phone) is not None:  # no premium-rate or foreign line on the campaign's bill
        raise CoachError(422, "validation_error", f"phone {HOME_LINE}.")
    return phone


def mode_form(mode: CoachMode, volunteer_leg: str) -> FormPairs:
    """The Participant fields that put a coach in `mode` (for both create and update).

    Every field is always sent, so a switch from coach to barge also turns coaching off."""
    if mode is CoachMode.COACH:
        return [("Muted", "false"), ("Coaching", "true"), ("CallSidToCoach", volunteer_leg)]
    return [("Muted", "true" if mode is CoachMode.LISTEN else "false"), ("Coaching", "false")]


@dataclass(frozen=True)
class JoinCoach:
    """A decision to dial a coach into a volunteer's conference (Participants.json create)."""

    conference: str  # the conference's friendly name, dialer/dialing/twiml.py conference_name
    to: str  # client:<identity> or an E.164 phone
    from_: str  # the campaign's caller ID
    mode: CoachMode
    volunteer_leg: str  # the volunteer's CallSid in the conference
    status_callback: str
    timeout: int = 30

    def form(self) -> FormPairs:
        form: FormPairs = [("From", self.from_), ("To", self.to), ("Label", "coach")]
        form += [("Beep", "false"), ("StartConferenceOnEnter", "false"), ("EndConferenceOnExit", "false")]
        form += [("StatusCallback", self.status_callback), ("StatusCallbackMethod", "POST")]
        form += [("StatusCallbackEvent", event) for event in COACH_EVENTS]
        form.append(("Timeout", str(self.timeout)))
        return form + mode_form(self.mode, self.volunteer_leg)


@dataclass(frozen=True)
class Joined:
    """What the carrier answered to a JoinCoach: the coach's leg and the conference's SID."""

    call_sid: str
    conference_sid: str


def session_seconds(started: float, now: float) -> float:
    """How long a coaching session lasted, for the audit (never negative under a stepped clock)."""
    return round(max(0.0, now - started), 1)


def coach_notice(message: dict[str, object]) -> dict[str, object]:
    """The volunteer page's `coach` message from what the API published: the mode (None: the coach left)
    and who the coach is; nothing else of the published message (the coach's phone, SIDs) goes along."""
    mode = message.get("mode")
    return {
        "type": "coach",
        "mode": mode if isinstance(mode, str) and mode in set(CoachMode) else None,
        "by": str(message.get("by") or ""),
    }
