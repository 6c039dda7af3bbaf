"""What the call socket relays to the volunteer's page from the campaign's calls channel, by type (pure):
only the fields meant for the page go along (never a coach's phone or a staff line's number)."""

from __future__ import annotations

from collections.abc import Callable

from dialer.coaching import coach_notice
from dialer.transfers import transfer_notice


def phone_leg_notice(message: dict[str, object]) -> dict[str, object]:
    """Call me: the state of the volunteer's own phone leg."""
    return {k: message.get(k) for k in ("type", "state", "call_sid")}


def dialer_notice(message: dict[str, object]) -> dict[str, object]:
    """Power/predictive: why the dialer calls nobody now, and when it may again (dialer/dialing/take.py)."""
    return {k: message.get(k) for k in ("type", "reason", "resume_at", "cells")}


def recording_notice(message: dict[str, object]) -> dict[str, object]:
    """A power/predictive call's recording started or failed (dialer/dialing/record_call.py)."""
    return {k: str(message.get(k) or "") for k in ("type", "call_sid", "contact_id", "status", "message")}


RELAYED: dict[str, Callable[[dict[str, object]], dict[str, object]]] = {
    "phone_leg": phone_leg_notice,  # call me: the volunteer's own phone
    "coach": coach_notice,  # web/api_coach.py
    "transfer": transfer_notice,  # web/api_transfer.py
    "recording": recording_notice,  # dialing/record_call.py
    "dialer": dialer_notice,  # dialing/take.py: to every call socket of the campaign
}


def page_notice(message: dict[str, object]) -> dict[str, object]:
    return RELAYED[str(message["type"])](message)
