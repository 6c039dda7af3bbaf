"""Local caller ID (pure: no I/O): which of a campaign's numbers a voter sees when we call them.

A campaign has a default `caller_id` and a pool, `caller_ids`: numbers of its own, each tagged with the
area codes and the states it serves. A call goes out from
1. the pool number tagged with the voter's area code, else
2. the first pool number in the voter's own area code (a number serves its own area code untagged), else
3. the pool number tagged with the voter's state (the contact's `state`, else the state of its ZIP), else
4. the campaign's default `caller_id`.
The default is always one of the campaign's numbers: nothing a request sends (the browser's connect
parameters included) can make a call show any number outside `caller_id` and `caller_ids`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from dialer.contact_zones import STATE_ZONES, state_of_zip

E164_RE = re.compile(r"\+[1-9][0-9]{6,14}")  # used with fullmatch: no trailing newline, ASCII digits only
AREA_CODE_RE = re.compile(r"[2-9][0-9][0-9]")  # a NANP area code (fullmatch)
STATES = frozenset(STATE_ZONES)  # the US states, DC and the territories calling hours know
MAX_POOL = 100
MAX_TAGS = 100


@dataclass(frozen=True)
class CallerId:
    """One number of a campaign's pool and what it serves."""

    number: str
    area_codes: tuple[str, ...] = ()
    states: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"number": self.number, "area_codes": list(self.area_codes), "states": list(self.states)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CallerId:
        return cls(
            number=data["number"],
            area_codes=tuple(data.get("area_codes") or ()),
            states=tuple(s.upper() for s in data.get("states") or ()),
        )


def area_code_of(phone: str) -> str:
    """The area code of a North American E.164 number, else ''."""
    return phone[2:5] if phone.startswith("+1") and len(phone) == 12 else ""


def state_of(state: str, zip_code: str) -> str:
    """The voter's state: the list's `state` column when it names one, else the state of the ZIP."""
    named = state.strip().upper()
    return named if named in STATES else (state_of_zip(zip_code) or "")


def choose_caller_id(
    default: str, pool: Iterable[CallerId], *, phone: str, state: str = "", zip_code: str = ""
) -> str:
    """The number a call to `phone` shows (see the module's docstring for the order)."""
    entries = tuple(pool)
    area = area_code_of(phone)
    if area:
        for entry in entries:
            if area in entry.area_codes:
                return entry.number
        for entry in entries:
            if area_code_of(entry.number) == area:
                return entry.number
    where = state_of(state, zip_code)
    if where:
        for entry in entries:
            if where in entry.states:
                return entry.number
    return default


def parse_pool(value: Iterable[dict[str, Any]]) -> tuple[CallerId, ...]:
    """A validated `caller_ids` list as CallerIds (states in capitals)."""
    return tuple(CallerId.from_json(item) for item in value)


def pool_problems(value: Any) -> list[dict[str, str]]:
    """Problems with a `caller_ids` value (as `{path, message}`), or none.

    Each entry is `{number, area_codes?, states?}`; a number, a tagged area code or a tagged state may
    appear once in the whole pool, so a tag never depends on the list's order (only untagged numbers in
    one area code do: the first serves it)."""
    if not isinstance(value, list):
        return [{"path": "caller_ids", "message": "must be a list of {number, area_codes, states}"}]
    if len(value) > MAX_POOL:
        return [{"path": "caller_ids", "message": f"must hold at most {MAX_POOL} numbers"}]
    problems: list[dict[str, str]] = []
    numbers: dict[str, int] = {}
    areas: dict[str, int] = {}
    states: dict[str, int] = {}
    for i, item in enumerate(value):
        path = f"caller_ids[{i}]"
        if not isinstance(item, dict):
            problems.append({"path": path, "message": 'must be an object like {"number": "+12025550142"}'})
            continue
        for extra in sorted(set(item) - {"number", "area_codes", "states"}):
            problems.append({"path": f"{path}.{extra}", "message": "unknown field"})
        number = item.get("number")
        if not isinstance(number, str) or not E164_RE.fullmatch(number):
            problems.append(
                {"path": f"{path}.number", "message": "must be a phone number in E.164, like +12025550142"}
            )
        elif number in numbers:
            problems.append(
                {"path": f"{path}.number", "message": f"is already listed (caller_ids[{numbers[number]}])"}
            )
        else:
            numbers[number] = i
        _tags(problems, item, i, "area_codes", areas, _is_area_code, "3-digit area codes like 202")
        _tags(problems, item, i, "states", states, _is_state, "two-letter state codes like PA")
    return problems


def _is_area_code(tag: str) -> bool:
    return AREA_CODE_RE.fullmatch(tag) is not None


def _is_state(tag: str) -> bool:
    return len(tag) == 2 and tag.isascii() and tag.upper() in STATES


def _tags(
    problems: list[dict[str, str]],
    item: dict[str, Any],
    index: int,
    name: str,
    seen: dict[str, int],
    valid: Callable[[str], bool],
    what: str,
) -> None:
    """Checks one entry's list of tags; `seen` maps each tag taken so far to the entry that has it."""
    tags = item.get(name, [])
    where = f"caller_ids[{index}].{name}"
    if not isinstance(tags, list) or len(tags) > MAX_TAGS:
        problems.append({"path": where, "message": f"must be a list of at most {MAX_TAGS} {what}"})
        return
    for j, tag in enumerate(tags):
        if not isinstance(tag, str) or not valid(tag):
            said = f"{tag[:20]} is not" if isinstance(tag, str) else "must be"
            problems.append({"path": f"{where}[{j}]", "message": f"{said} one of the {what}"})
            continue
        key = tag.upper()
        if key in seen:
            message = (
                f"{key} is listed twice"
                if seen[key] == index
                else f"{key} is already served by caller_ids[{seen[key]}]"
            )
            problems.append({"path": f"{where}[{j}]", "message": message})
        else:
            seen[key] = index
