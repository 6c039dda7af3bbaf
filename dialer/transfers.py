"""Warm transfer (pure): the campaign's transfer targets, and what a script may hand a voter on to.

A campaign lists its targets (`transfer_targets: [{name, phone}]`, staff lines in E.164); a script's choice
may say `transfer: "<target name>"`. Names are matched exactly (after trimming), so the script and the
campaign agree on one spelling; a script naming a target the campaign does not list is refused when the
two meet (creating or changing the campaign) and at transfer time. The volunteer stays on the line until
the staff member answers, then drops; the voter and the staff member go on in a room of their own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from dialer.names import unprintable
from dialer.staff_lines import staff_line_problem

E164 = re.compile(r"\+[1-9][0-9]{7,14}")
MAX_TARGETS = 20
MAX_NAME = 100
# The staff leg's progress, as its status callback reports it.
ANSWERED = "in-progress"
FAILED = frozenset({"busy", "failed", "no-answer", "canceled"})


@dataclass(frozen=True)
class TransferTarget:
    name: str
    phone: str

    def to_json(self) -> dict[str, str]:
        return {"name": self.name, "phone": self.phone}


def target_problems(value: Any) -> list[dict[str, str]]:
    """Every problem with a `transfer_targets` value, each with its path (e.g. transfer_targets[1].phone)."""
    if not isinstance(value, list):
        return [{"path": "transfer_targets", "message": "must be a list of {name, phone}"}]
    if len(value) > MAX_TARGETS:
        return [{"path": "transfer_targets", "message": f"at most {MAX_TARGETS} targets"}]
    problems: list[dict[str, str]] = []
    seen: set[str] = set()
    for i, item in enumerate(value):
        path = f"transfer_targets[{i}]"
        if not isinstance(item, dict):
            problems.append({"path": path, "message": "must be an object {name, phone}"})
            continue
        for extra in sorted(set(item) - {"name", "phone"}):
            problems.append({"path": f"{path}.{extra}", "message": "unknown field"})
        name, phone = item.get("name"), item.get("phone")
        if not isinstance(name, str) or not name.strip() or len(name.strip()) > MAX_NAME:
            problems.append({"path": f"{path}.name", "message": f"must be 1-{MAX_NAME} characters"})
        elif (why := unprintable(name)) is not None:
            problems.append({"path": f"{path}.name", "message": why})
        elif name.strip() in seen:
            problems.append({"path": f"{path}.name", "message": f"{name.strip()!r} is listed twice"})
        else:
            seen.add(name.strip())
        if not isinstance(phone, str) or not E164.fullmatch(phone):
            problems.append({"path": f"{path}.phone", "message": "must be an E.164 number like +12025550142"})
        elif (problem := staff_line_problem(phone)) is not None:
            problems.append({"path": f"{path}.phone", "message": problem})
    return problems


def parse_targets(value: Iterable[Any]) -> tuple[TransferTarget, ...]:
    """Validated (or stored) targets as TransferTargets."""
    return tuple(
        t if isinstance(t, TransferTarget) else TransferTarget(str(t["name"]).strip(), str(t["phone"]))
        for t in value
    )


def find_target(targets: Iterable[TransferTarget], name: object) -> TransferTarget | None:
    """The campaign's target with this name; None for any other (a transfer goes to listed lines only)."""
    if not isinstance(name, str):
        return None
    return next((t for t in targets if t.name == name.strip()), None)


def unknown_targets(
    named: Iterable[tuple[str, str]], targets: Iterable[TransferTarget]
) -> list[dict[str, str]]:
    """Problems for the script's transfers (`(path, name)` pairs) to targets the campaign does not list."""
    listed = {t.name for t in targets}
    return [
        {"path": path, "message": f"transfer target {name!r} is not one of the campaign's transfer_targets"}
        for path, name in named
        if name.strip() not in listed
    ]


class TransferStatus:
    """A transfer's states: the staff line rings, then is answered (the volunteer drops) or fails (the
    volunteer still has the voter). Only these moves exist; anything else changes nothing."""

    RINGING = "ringing"
    ANSWERED = "answered"
    FAILED = "failed"


def next_status(current: str, reported: str) -> str | None:
    """The transfer's new state when the staff leg reports `reported` (a CallStatus), or None: no change
    (a repeat, a late or out-of-order callback, or a state already final)."""
    if current != TransferStatus.RINGING:
        return None
    if reported == ANSWERED:
        return TransferStatus.ANSWERED
    if reported in FAILED or reported == "completed":  # hung up before it was answered
        return TransferStatus.FAILED
    return None


def handoff_room(voter_call_sid: str) -> str:
    """The conference the voter and the staff member go on in once the volunteer drops."""
    return f"dialer-transfer-{voter_call_sid}"


@dataclass(frozen=True)
class JoinStaff:
    """A decision to dial a transfer target into the volunteer's conference (Participants.json create)."""

    conference: str
    to: str  # the target's E.164 phone
    from_: str  # the campaign's caller ID
    status_callback: str
    timeout: int = 30

    def form(self) -> list[tuple[str, str]]:
        form = [("From", self.from_), ("To", self.to), ("Label", "transfer"), ("Beep", "false")]
        form += [("StartConferenceOnEnter", "true"), ("EndConferenceOnExit", "false")]
        form += [("StatusCallback", self.status_callback), ("StatusCallbackMethod", "POST")]
        form += [("StatusCallbackEvent", event) for event in ("answered", "completed")]
        return form + [("Timeout", str(self.timeout))]


def transfer_notice(message: dict[str, object]) -> dict[str, object]:
    """The volunteer page's `transfer` message: the contact, the target's name and the state."""
    return {
        "type": "transfer",
        "contact_id": str(message.get("contact_id") or ""),
        "target": str(message.get("target") or ""),
        "status": str(message.get("status") or ""),
    }
