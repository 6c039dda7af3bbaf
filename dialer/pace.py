"""The campaign's pace (pure): its hours in a date range of its own time zone, and when its goal is reached
at the pace of the last hour."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MAX_DAYS = 93  # a history request covers at most about a quarter


def hours_between(first: date, last: date, zone: str) -> list[int]:
    """The epoch hours (seconds // 3600) from `first` 00:00 to the end of `last`, in the zone's local
    dates (a DST day has 23 or 25 of them)."""
    tz = ZoneInfo(zone)
    start = datetime.combine(first, time(0), tz).timestamp()
    end = datetime.combine(last + timedelta(days=1), time(0), tz).timestamp()
    return list(range(int(start // 3600), int(-(-end // 3600))))


def goal_eta(reached: int, goal: int | None, per_hour: float, now: float) -> float | None:
    """When `goal` conversations are reached at `per_hour` (None: no goal, reached, or no pace)."""
    if not goal or reached >= goal or per_hour <= 0:
        return None
    return now + (goal - reached) / per_hour * 3600
