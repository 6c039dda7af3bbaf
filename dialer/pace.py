"""The campaign's pace (pure): its hours in a date range of its own time zone, and when its goal is reached
at the pace of the last hour, counting only the hours in which its voters may be called."""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dialer.calling_hours import Window, zone

MAX_DAYS = 93  # a history request covers at most about a quarter


def hours_between(first: date, last: date, zone: str) -> list[int]:
    """The epoch hours (seconds // 3600) from `first` 00:00 to the end of `last`, in the zone's local
    dates (a DST day has 23 or 25 of them)."""
    tz = ZoneInfo(zone)
    start = datetime.combine(first, time(0), tz).timestamp()
    end = datetime.combine(last + timedelta(days=1), time(0), tz).timestamp()
    return list(range(int(start // 3600), int(-(-end // 3600))))


def goal_eta(
    reached: int,
    goal: int | None,
    per_hour: float,
    now: float,
    *,
    zones: Iterable[str] = (),
    window: Window | None = None,
) -> float | None:
    """When `goal` conversations are reached at `per_hour` (None: no goal, reached, or no pace). With the
    voters' `zones` and the campaign's calling `window`, only the time in which some voter may be called
    counts: 100 conversations to go at 50 an hour at 8 pm in a 9 am-9 pm campaign are reached the next
    morning, not at 10 pm (None when no zone ever opens)."""
    if not goal or reached >= goal or per_hour <= 0:
        return None
    need = (goal - reached) / per_hour * 3600
    if window is None:
        return now + need
    names = sorted(set(zones))
    return calling_time_reached(need, names, window, now) if names else now + need


EXACT_DAYS = 28  # counted span by span; further out, at those four weeks' average of calling time


def calling_time_reached(need: float, zones: list[str], window: Window, now: float) -> float | None:
    """The instant at which `need` seconds of calling time have passed since `now`, calling time being
    when at least one of `zones` is inside `window` (their union, so overlapping zones count once).
    Exact for the next EXACT_DAYS; an answer beyond them is extrapolated at their average (an estimate
    weeks away at the last hour's pace is no more precise than that)."""
    tzs = [tz for name in zones if (tz := zone(name)) is not None]
    if not tzs or window.start == window.end:
        return None
    cursor, limit, counted = now, now + EXACT_DAYS * 86400, 0.0
    for start, end in heapq.merge(*(_open_spans(tz, window, now) for tz in tzs)):
        if start >= limit:
            break
        start, end = max(start, cursor), min(end, limit)
        if end <= start:
            continue
        if need - counted <= end - start:
            return start + need - counted
        counted += end - start
        cursor = end
    return limit + (need - counted) * (limit - now) / counted if counted > 0 else None


def _open_spans(tz: ZoneInfo, window: Window, now: float) -> Iterator[tuple[float, float]]:
    """The zone's calling spans (epoch start, end), day after day from the one open or next at `now`."""
    day = datetime.fromtimestamp(now, tz).date() - timedelta(days=1)
    wraps = window.start > window.end  # e.g. 22:00-02:00 ends the next day
    while True:
        start = datetime.combine(day, window.start, tz).timestamp()
        end = datetime.combine(day + timedelta(days=1 if wraps else 0), window.end, tz).timestamp()
        if end > now:
            yield start, end
        day += timedelta(days=1)
