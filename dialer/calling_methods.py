"""How a volunteer connects to voters (pure: no I/O).

A campaign's `calling_method` lists the ways it offers; which of them a volunteer really gets also depends
on the dial mode and on whether this server has a carrier to place calls:
- `browser`: the carrier bridges the volunteer's browser to the voter (every mode);
- `own_phone`: the volunteer dials the voter's number on their own phone (a `tel:` link); nothing is placed
  by us, so there is no carrier status, no caller ID and no bill. Preview mode only: in power and
  predictive modes the server dials, which needs a carrier. It is also what a preview campaign falls back
  to when the server has no carrier to call through.
- `call_me`: the server calls the volunteer's own verified number (dialer/phone_legs.py); they press 1 and
  wait in their conference, where the dialer brings voters in (power, predictive), or where the voter
  they click is called in (preview: dialer/web/phone_dial.py). It needs a carrier.
- `dial_in`: the volunteer calls the campaign's `inbound_number` and types the PIN their page shows; that
  call then becomes their leg, as for `call_me` (every mode; it needs a carrier and an inbound number).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Any

from dialer.models import Mode


class CallingMethod(enum.StrEnum):
    BROWSER = "browser"
    OWN_PHONE = "own_phone"
    CALL_ME = "call_me"
    DIAL_IN = "dial_in"


DEFAULT_METHODS: tuple[CallingMethod, ...] = (CallingMethod.BROWSER,)
# Methods in which a person, not our server, dials: they make sense only where the volunteer picks the voter.
PREVIEW_ONLY = frozenset({CallingMethod.OWN_PHONE})
# Methods whose volunteer leg is their own phone, waiting in their conference for the voters brought in.
PHONE_LEG_METHODS = frozenset({CallingMethod.CALL_ME, CallingMethod.DIAL_IN})
DIALING_ONLY = PHONE_LEG_METHODS  # the former name (these were once power and predictive only)


def method_problems(value: Any, mode: str | None) -> list[dict[str, str]]:
    """Problems with a `calling_method` value for a campaign in `mode` (as `{path, message}`), or none.

    `mode` is the campaign's mode after the change (None when the mode itself is invalid: then only the
    value's own shape is checked)."""
    known = ", ".join(m.value for m in CallingMethod)
    if not isinstance(value, list) or not value:
        return [{"path": "calling_method", "message": f"must be a non-empty list of: {known}"}]
    problems = []
    for i, item in enumerate(value):
        if not isinstance(item, str) or item not in set(CallingMethod):
            problems.append({"path": f"calling_method[{i}]", "message": f"must be one of: {known}"})
    if problems:
        return problems
    if len(set(value)) != len(value):
        return [{"path": "calling_method", "message": "lists a method twice"}]
    if mode is not None and mode != Mode.PREVIEW:
        for item in value:
            if item in PREVIEW_ONLY:
                return [
                    {
                        "path": "calling_method",
                        "message": f"{item} works in preview mode only (in {mode} mode the dialer places "
                        "the calls)",
                    }
                ]
    return []


def parse_methods(value: Iterable[str]) -> tuple[CallingMethod, ...]:
    """A validated `calling_method` list as enum members, in the order given."""
    return tuple(CallingMethod(v) for v in value)


def offered(methods: Iterable[CallingMethod], mode: Mode, *, has_carrier: bool) -> tuple[CallingMethod, ...]:
    """The ways a volunteer can call in this campaign now, in the campaign's order of preference.

    Without a carrier nothing can be placed by us: preview campaigns fall back to the volunteer's own
    phone, and power and predictive campaigns offer nothing (the page says why)."""
    wanted = tuple(methods) or DEFAULT_METHODS
    if mode is not Mode.PREVIEW:
        if not has_carrier:
            return ()
        return tuple(m for m in wanted if m not in PREVIEW_ONLY) or (CallingMethod.BROWSER,)
    if not has_carrier:
        return (CallingMethod.OWN_PHONE,)
    return wanted


def places_calls(methods: Iterable[CallingMethod], mode: Mode) -> bool:
    """Whether this server may place (or bridge) calls for the campaign's volunteers: not when the campaign
    offers only ways in which the volunteer dials themselves."""
    return mode is not Mode.PREVIEW or any(m not in PREVIEW_ONLY for m in methods)
