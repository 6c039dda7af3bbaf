"""Calling windows in the callee's own time zone (pure: no I/O, time is passed in as epoch seconds).

A campaign allows calls between `start` and `end` local time ("09:00"-"21:00" by default). The local
time comes from the IANA zone database through `zoneinfo`, so daylight saving time is followed where the
zone observes it and ignored where it does not (America/Phoenix, Pacific/Honolulu, the territories).

The queue keeps one pending set per time zone; the claim path asks `open_zones` which of them may be
called right now and only pops from those.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


class InvalidWindow(ValueError):
    """A calling window that cannot be parsed."""


@dataclass(frozen=True)
class Window:
    """A daily local-time window, start inclusive and end exclusive. `start > end` wraps past midnight."""

    start: time
    end: time

    @classmethod
    def parse(cls, start: str, end: str) -> Window:
        return cls(_parse_hhmm(start), _parse_hhmm(end))

    @classmethod
    def from_dict(cls, value: dict[str, str]) -> Window:
        """From the Campaign's `calling_hours` object: `{"start": "09:00", "end": "21:00"}`."""
        return cls.parse(value["start"], value["end"])

    def contains(self, local: time) -> bool:
        if self.start == self.end:
            return False  # an empty window: no calls at all
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end


DEFAULT_WINDOW = Window(time(9, 0), time(21, 0))
# The federal window (TCPA, 47 CFR 64.1200(c)(1)): no calls before 8 am or after 9 pm at the called party's
# location. A campaign's hours are kept inside it whatever was stored (some states are stricter: set them).
LEGAL_WINDOW = Window(time(8, 0), time(21, 0))


def within_legal(window: Window) -> Window:
    """The window cut to the legal one (an empty window when they do not overlap, or when it was empty:
    `start == end` means no calls at all, and cut as a wrapping window it became the whole legal day)."""
    if window.start == window.end:
        return window
    start = max(window.start, LEGAL_WINDOW.start)
    end = min(window.end, LEGAL_WINDOW.end) if window.start < window.end else LEGAL_WINDOW.end
    return Window(start, end) if start < end else Window(start, start)


def _parse_hhmm(value: str) -> time:
    match = _HHMM.match(value)
    if match is None:
        raise InvalidWindow(f"{value!r} is not a time of day as HH:MM")
    return time(int(match.group(1)), int(match.group(2)))


@cache
def known_zones() -> frozenset[str]:
    """Every zone name in the tz database (`zoneinfo.available_timezones()`, read once)."""
    return frozenset(available_timezones())


@cache
def zone(name: str) -> ZoneInfo | None:
    """The zone named `name`, or None when the name is not a zone of the tz database.

    Checked against the database's list, never by opening a path: a folder such as `America/Indiana`
    or `America/Argentina` would raise IsADirectoryError, `../` would walk out of it."""
    if name not in known_zones():
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def is_valid_zone(name: str) -> bool:
    return zone(name) is not None


def is_place_zone(name: str) -> bool:
    """An IANA zone named for a place (Region/City, or UTC), the only kind a campaign or a call list may
    give: the tz database also knows abbreviations such as EST and MST, which are fixed offsets with no
    daylight saving, an hour behind an Eastern or Mountain voter's clock half the year (21:00 "EST" in
    July is 22:00 in New York, past calling hours)."""
    return ("/" in name or name == "UTC") and is_valid_zone(name)


def local_time(zone_name: str, now: float) -> datetime:
    tz = zone(zone_name)
    if tz is None:
        raise ZoneInfoNotFoundError(zone_name)
    return datetime.fromtimestamp(now, tz)


def is_open(zone_name: str, window: Window, now: float) -> bool:
    """May a callee in `zone_name` be called at epoch time `now`? Unknown zones are never open."""
    tz = zone(zone_name)
    if tz is None:
        return False
    return window.contains(datetime.fromtimestamp(now, tz).time())


def open_zones(zones: Iterable[str], window: Window, now: float) -> set[str]:
    """The subset of `zones` inside the window at `now`."""
    return {name for name in zones if is_open(name, window, now)}


def next_opening(zone_name: str, window: Window, now: float) -> float | None:
    """The earliest epoch time >= `now` at which the zone is inside the window (None: never, or unknown)."""
    tz = zone(zone_name)
    if tz is None or window.start == window.end:
        return None
    if is_open(zone_name, window, now):
        return now
    local = datetime.fromtimestamp(now, tz)
    # The window opens at `start` local time today or on one of the next days. A DST gap can swallow the
    # start time (e.g. 02:30 on a spring-forward night); then the first instant after the gap is the opening.
    for day in range(3):
        candidate = _first_instant_at_or_after(local.date() + timedelta(days=day), window.start, tz)
        if candidate >= now and is_open(zone_name, window, candidate):
            return candidate
    return None  # unreachable for a non-empty window; kept total for the type checker


def _first_instant_at_or_after(day: date, start: time, tz: ZoneInfo) -> float:
    naive = datetime.combine(day, start)
    aware = naive.replace(tzinfo=tz, fold=0)
    epoch = aware.timestamp()
    # Round-tripping exposes a non-existent local time: it comes back as a different wall clock time.
    back = datetime.fromtimestamp(epoch, tz)
    if back.replace(tzinfo=None) != naive:
        # Inside a spring-forward gap: the earliest instant after the gap whose wall time is past `start`.
        epoch = aware.replace(fold=1).timestamp()
        epoch = min(epoch, aware.timestamp())
        while datetime.fromtimestamp(epoch, tz).replace(tzinfo=None) < naive:
            epoch += 60
    return epoch


@dataclass(frozen=True)
class ZoneBacklog:
    """The contacts still to call in one time zone: how many are due at `now` and how many later (a retry
    or a call-back not due yet), and when the first of those later ones is due."""

    zone: str
    due_now: int
    later: int
    next_due: float | None = None


@dataclass(frozen=True)
class Availability:
    """Why (or whether) there is somebody to call: contacts `ready` now, `waiting_retry` (in an open zone,
    not due yet), `outside_hours` (their zone is closed now), and the first time one becomes callable."""

    ready: int
    waiting_retry: int
    outside_hours: int
    next_due_at: float | None


def availability(backlogs: Iterable[ZoneBacklog], window: Window, now: float) -> Availability:
    """Sums up the backlogs at `now`; `next_due_at` is the earliest time >= now at which some contact is
    both due and inside its calling hours (None when no contact ever will be)."""
    ready = waiting = outside = 0
    candidates: list[float] = []
    for b in backlogs:
        if is_open(b.zone, window, now):
            ready += b.due_now
            waiting += b.later
        else:
            outside += b.due_now + b.later
        first_due = now if b.due_now else b.next_due if b.later else None
        if first_due is not None:
            at = next_opening(b.zone, window, max(first_due, now))
            if at is not None:
                candidates.append(at)
    return Availability(ready, waiting, outside, min(candidates) if candidates else None)


def parse_instant(value: object) -> float:
    """An ISO 8601 time with a UTC offset (`2026-11-03T18:00:00-05:00`, or `Z`) as epoch seconds; raises
    ValueError with a message for people otherwise."""
    if not isinstance(value, str):
        raise ValueError("must be an ISO 8601 time with an offset")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError("must be an ISO 8601 time with an offset, like 2026-11-03T18:00:00-05:00") from None
    if parsed.tzinfo is None:
        raise ValueError("needs a UTC offset (e.g. -05:00 or Z)")
    return parsed.timestamp()


CALL_BACK_HORIZON_DAYS = 90
CALL_BACK_SLACK = 60.0  # seconds: a time picked "now" on a slow page is not in the past


def call_back_problem(at: float, zone_name: str, window: Window, now: float) -> str | None:
    """Why a call-back at `at` cannot be kept (for a voter in `zone_name`), or None when it can: it must
    be ahead, within CALL_BACK_HORIZON_DAYS, and inside the calling hours in the voter's own time."""
    if at < now - CALL_BACK_SLACK:
        return "is in the past"
    if at > now + CALL_BACK_HORIZON_DAYS * 86400:
        return f"is more than {CALL_BACK_HORIZON_DAYS} days away"
    if not is_open(zone_name, window, at):
        hours = f"{window.start:%H:%M}-{window.end:%H:%M}"
        return f"is outside calling hours ({hours} in the voter's time zone, {zone_name})"
    return None


def local_day(zone_name: str, now: float) -> str:
    """The date at `now` in the zone, as YYYY-MM-DD (a campaign's day is its default time zone's)."""
    tz = zone(zone_name)
    return datetime.fromtimestamp(now, tz or UTC).date().isoformat()


def utc(now: float) -> datetime:
    """`now` as an aware UTC datetime (for messages)."""
    return datetime.fromtimestamp(now, UTC)
