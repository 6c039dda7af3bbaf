"""The campaign's pace: hours of a date range in its zone, and when the goal is reached."""

from __future__ import annotations

from datetime import UTC, date, datetime

from dialer.pace import goal_eta, hours_between

NY = "America/New_York"


def test_a_day_has_24_hours_and_dst_days_23_or_25() -> None:
    day = hours_between(date(2026, 12, 6), date(2026, 12, 6), NY)
    assert len(day) == 24 and day[0] * 3600 == datetime(2026, 12, 6, 5, 0, tzinfo=UTC).timestamp()
    assert len(hours_between(date(2026, 3, 8), date(2026, 3, 8), NY)) == 23  # spring forward
    assert len(hours_between(date(2026, 11, 1), date(2026, 11, 1), NY)) == 25  # fall back
    assert len(hours_between(date(2026, 12, 1), date(2026, 12, 7), NY)) == 7 * 24


def test_the_goal_is_reached_at_the_last_hours_pace() -> None:
    now = 1_800_000_000.0
    assert goal_eta(400, 500, 50.0, now) == now + 2 * 3600
    assert goal_eta(500, 500, 50.0, now) is None  # reached
    assert goal_eta(10, None, 50.0, now) is None  # no goal
    assert goal_eta(10, 500, 0.0, now) is None  # nobody calling: no estimate
