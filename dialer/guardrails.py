"""The compliance checks made at dial time (pure: no I/O; time is passed in).

Every dial, whether a volunteer's browser asks for it (preview) or the pacer places it (power, predictive),
passes here last, with the facts fetched fresh: the lease and the do-not-call list may have changed since
the batch was handed out, and the callee's calling hours may have closed.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from dialer.calling_hours import Window, is_open
from dialer.models import CampaignStatus


class Refusal(enum.StrEnum):
    CAMPAIGN_NOT_ACTIVE = "campaign_not_active"
    NOT_HELD = "not_held"
    DO_NOT_CALL = "do_not_call"
    OUTSIDE_CALLING_HOURS = "outside_calling_hours"
    MAX_ATTEMPTS = "max_attempts"
    CELL_WITHOUT_CONSENT = "cell_without_consent"
    UNKNOWN_CONTACT = "unknown_contact"
    DIAL_LIMIT = "dial_limit"
    CALL_IN_PROGRESS = "call_in_progress"


# What the volunteer hears when our server refuses a browser call (short; the call then hangs up).
SPOKEN = {
    Refusal.CAMPAIGN_NOT_ACTIVE: "This campaign is paused. No call was placed.",
    Refusal.NOT_HELD: "This contact is not in your list any more. No call was placed.",
    Refusal.DO_NOT_CALL: "This number is on the do not call list. No call was placed.",
    Refusal.OUTSIDE_CALLING_HOURS: "It is outside calling hours for this voter. No call was placed.",
    Refusal.MAX_ATTEMPTS: "This voter has been called as often as allowed. No call was placed.",
    Refusal.CELL_WITHOUT_CONSENT: "This number cannot be dialed automatically. No call was placed.",
    Refusal.UNKNOWN_CONTACT: "We could not find this contact. No call was placed.",
    Refusal.DIAL_LIMIT: "This voter has been dialed as often as allowed. No call was placed.",
    Refusal.CALL_IN_PROGRESS: "This voter is already being called. No call was placed.",
}

# Dials of one contact by volunteers (preview mode). An attempt is counted when its result is recorded,
# so dials are bounded on their own, when placed: within one batch a volunteer may redial once (a busy
# signal, a dropped line, a misclick) before recording a result; overall a contact is dialed at most
# `max_attempts` plus this allowance, whatever anyone clicks or replays.
REDIALS_PER_BATCH = 1
EXTRA_DIALS = 2


def dial_limits(max_attempts: int) -> tuple[int, int]:
    """(dials allowed per contact overall, dials allowed per contact within one batch)."""
    return max_attempts + EXTRA_DIALS, 1 + REDIALS_PER_BATCH


@dataclass(frozen=True)
class DialFacts:
    campaign_status: CampaignStatus
    calling_hours: Window
    max_attempts: int
    cell_consent: bool
    held: bool  # the caller holds the contact in an open batch (preview) / the pacer reserved it
    on_dnc: bool
    timezone: str
    attempts: int
    phone_type: str
    server_dialed: bool  # power/predictive: the server dials (an autodialer in law); preview: a person does


def check_dial(facts: DialFacts, now: float) -> Refusal | None:
    """None when the call may be placed now, else the first rule it breaks."""
    if facts.campaign_status is not CampaignStatus.ACTIVE:
        return Refusal.CAMPAIGN_NOT_ACTIVE
    if not facts.held:
        return Refusal.NOT_HELD
    if facts.on_dnc:
        return Refusal.DO_NOT_CALL
    if facts.attempts >= facts.max_attempts:
        return Refusal.MAX_ATTEMPTS
    if not is_open(facts.timezone, facts.calling_hours, now):
        return Refusal.OUTSIDE_CALLING_HOURS
    if facts.server_dialed and facts.phone_type == "cell" and not facts.cell_consent:
        return Refusal.CELL_WITHOUT_CONSENT
    return None


def may_play_recorded_message(phone_type: str, cell_consent: bool) -> bool:
    """May a recorded or text-to-speech message (the campaign's voicemail message) be played to this number?
    Not to a cell without the campaign's consent, whoever dialed: the TCPA's consent rule covers calls made
    "using any automatic telephone dialing system or an artificial or prerecorded voice" (47 U.S.C.
    227(b)(1)(A)(iii)), so a volunteer's click in preview mode does not make the message lawful."""
    return phone_type != "cell" or cell_consent
