"""The campaign's pace: hours of a date range in its zone, and when the goal is reached."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from dialer.calling_hours import Window, is_open
from dialer.pace import calling_time_reached, goal_eta, hours_between

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


LA = "America/Los_Angeles"
HOURS = Window(time(9, 0), time(21, 0))


def at(zone: str, *when: int) -> float:
    return datetime(*when, tzinfo=ZoneInfo(zone)).timestamp()  # type: ignore[misc]


def test_the_goal_counts_only_calling_hours() -> None:
    """100 to go at 50 an hour, at 8 pm in a 9 am-9 pm campaign: one hour tonight, one tomorrow morning."""
    now = at(NY, 2026, 12, 7, 20, 0)
    assert goal_eta(400, 500, 50.0, now, zones=[NY], window=HOURS) == at(NY, 2026, 12, 8, 10, 0)
    # Inside the hours all the way: the plain estimate.
    noon = at(NY, 2026, 12, 7, 12, 0)
    assert goal_eta(400, 500, 50.0, noon, zones=[NY], window=HOURS) == noon + 2 * 3600
    # At 3 am nobody is called until 9.
    night = at(NY, 2026, 12, 7, 3, 0)
    assert goal_eta(450, 500, 50.0, night, zones=[NY], window=HOURS) == at(NY, 2026, 12, 7, 10, 0)


def test_voters_in_later_zones_stretch_the_calling_day_and_overlaps_count_once() -> None:
    now = at(NY, 2026, 12, 7, 20, 0)  # 5 pm in Los Angeles: open there until midnight in New York
    assert goal_eta(400, 500, 50.0, now, zones=[NY, LA], window=HOURS) == at(NY, 2026, 12, 7, 22, 0)
    # 6 hours to go: 4 tonight (to LA's 9 pm), then from NY's 9 am tomorrow.
    assert goal_eta(200, 500, 50.0, now, zones=[LA, NY, NY], window=HOURS) == at(NY, 2026, 12, 8, 11, 0)


def test_a_window_that_never_opens_gives_no_estimate() -> None:
    now = at(NY, 2026, 12, 7, 12, 0)
    assert goal_eta(1, 5, 1.0, now, zones=[NY], window=Window(time(9, 0), time(9, 0))) is None
    assert goal_eta(1, 5, 1.0, now, zones=["Not/AZone"], window=HOURS) is None
    assert goal_eta(1, 5, 1.0, now, zones=[], window=HOURS) == now + 4 * 3600  # no zones: the plain pace


ZONES = [NY, LA, "America/Chicago", "Pacific/Honolulu", "Pacific/Guam", "Pacific/Pago_Pago", "Europe/London"]


@given(
    now=st.floats(1_700_000_000, 1_900_000_000),
    need=st.floats(0, 30 * 86400),
    zones=st.lists(st.sampled_from(ZONES), min_size=1, max_size=4),
    start=st.integers(0, 22),
    length=st.integers(1, 14),
)
@settings(max_examples=150, deadline=None)
def test_calling_time_is_the_open_time_of_the_union_of_zones(
    now: float, need: float, zones: list[str], start: int, length: int
) -> None:
    """Counted minute by minute on a coarse grid, the calling time between `now` and the answer is `need`
    (within the grid's error), the answer is never before `now + need`, and more time needed never comes
    sooner."""
    window = Window(time(start, 0), time((start + length) % 24, 0))
    reached = calling_time_reached(need, zones, window, now)
    assert reached is not None and reached >= now + need - 1e-6
    later = calling_time_reached(need + 3600, zones, window, now)
    assert later is not None and later >= reached + 3600 - 1e-6
    if reached - now <= 3 * 86400:
        step = 300.0
        t, counted = now, 0.0
        while t < reached:
            if any(is_open(z, window, t) for z in zones):
                counted += min(step, reached - t)
            t += step
        assert abs(counted - need) <= 2 * step * (1 + (reached - now) / 86400)
