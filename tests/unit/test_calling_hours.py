from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dialer.calling_hours import (
    DEFAULT_WINDOW,
    LEGAL_WINDOW,
    InvalidWindow,
    Window,
    call_back_problem,
    is_open,
    is_valid_zone,
    next_opening,
    open_zones,
    within_legal,
)
from dialer.campaigns import CallingHours

US_ZONES = [
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
    "America/Puerto_Rico",
    "America/St_Thomas",
    "Pacific/Guam",
    "Pacific/Saipan",
    "Pacific/Pago_Pago",
    "America/Indiana/Indianapolis",
    "America/Boise",
]


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> float:
    return datetime(year, month, day, hour, minute, tzinfo=UTC).timestamp()


def test_parse_window() -> None:
    assert Window.parse("09:00", "21:00") == DEFAULT_WINDOW
    assert Window.from_dict({"start": "08:30", "end": "20:00"}) == Window(time(8, 30), time(20, 0))
    for bad in ["9:00", "24:00", "09:60", "", "09:00:00", "nine"]:
        with pytest.raises(InvalidWindow):
            Window.parse(bad, "21:00")


def test_new_york_follows_dst() -> None:
    # Winter: EST = UTC-5, so 14:00 UTC is 09:00 local (open) and 13:59 UTC is 08:59 (closed).
    assert is_open("America/New_York", DEFAULT_WINDOW, at(2026, 1, 15, 14))
    assert not is_open("America/New_York", DEFAULT_WINDOW, at(2026, 1, 15, 13, 59))
    # Summer: EDT = UTC-4, so 13:00 UTC is already 09:00 local.
    assert is_open("America/New_York", DEFAULT_WINDOW, at(2026, 7, 15, 13))
    assert not is_open("America/New_York", DEFAULT_WINDOW, at(2026, 7, 15, 12, 59))
    # 21:00 local is closed (end exclusive): 01:00 UTC next day in summer.
    assert not is_open("America/New_York", DEFAULT_WINDOW, at(2026, 7, 16, 1))
    assert is_open("America/New_York", DEFAULT_WINDOW, at(2026, 7, 16, 0, 59))


def test_dst_change_days() -> None:
    # 2026-03-08 spring forward at 02:00 local: 09:00 EDT = 13:00 UTC.
    assert is_open("America/New_York", DEFAULT_WINDOW, at(2026, 3, 8, 13))
    assert not is_open("America/New_York", DEFAULT_WINDOW, at(2026, 3, 8, 12, 59))
    # 2026-11-01 fall back: 09:00 EST = 14:00 UTC.
    assert is_open("America/New_York", DEFAULT_WINDOW, at(2026, 11, 1, 14))
    assert not is_open("America/New_York", DEFAULT_WINDOW, at(2026, 11, 1, 13, 30))
    assert next_opening("America/New_York", DEFAULT_WINDOW, at(2026, 11, 1, 6)) == at(2026, 11, 1, 14)
    assert next_opening("America/New_York", DEFAULT_WINDOW, at(2026, 3, 8, 6)) == at(2026, 3, 8, 13)


def test_arizona_and_hawaii_keep_standard_time() -> None:
    for month in (1, 7):
        # Phoenix is UTC-7 all year: 16:00 UTC = 09:00.
        assert is_open("America/Phoenix", DEFAULT_WINDOW, at(2026, month, 15, 16))
        assert not is_open("America/Phoenix", DEFAULT_WINDOW, at(2026, month, 15, 15, 59))
        # Honolulu is UTC-10 all year: 19:00 UTC = 09:00.
        assert is_open("Pacific/Honolulu", DEFAULT_WINDOW, at(2026, month, 15, 19))
        assert not is_open("Pacific/Honolulu", DEFAULT_WINDOW, at(2026, month, 15, 18, 59))
    # In summer Denver (MDT, UTC-6) opens an hour before Phoenix.
    assert is_open("America/Denver", DEFAULT_WINDOW, at(2026, 7, 15, 15))
    assert not is_open("America/Phoenix", DEFAULT_WINDOW, at(2026, 7, 15, 15))


def test_territories() -> None:
    # Puerto Rico / USVI: AST, UTC-4, no DST. Guam/Saipan: UTC+10. American Samoa: UTC-11.
    assert is_open("America/Puerto_Rico", DEFAULT_WINDOW, at(2026, 1, 15, 13))
    assert not is_open("America/Puerto_Rico", DEFAULT_WINDOW, at(2026, 1, 15, 12, 59))
    assert is_open("America/St_Thomas", DEFAULT_WINDOW, at(2026, 7, 15, 13))
    assert is_open("Pacific/Guam", DEFAULT_WINDOW, at(2026, 1, 14, 23))  # 09:00 on the 15th local
    assert not is_open("Pacific/Guam", DEFAULT_WINDOW, at(2026, 1, 14, 22, 59))
    assert is_open("Pacific/Pago_Pago", DEFAULT_WINDOW, at(2026, 7, 15, 20))
    assert not is_open("Pacific/Pago_Pago", DEFAULT_WINDOW, at(2026, 7, 15, 19, 59))


def test_open_zones_and_unknown_zones() -> None:
    now = at(2026, 7, 15, 15)  # 11:00 New York, 08:00 Phoenix/Los Angeles
    zones = ["America/New_York", "America/Phoenix", "America/Los_Angeles", "Not/A_Zone", "../etc/passwd"]
    assert open_zones(zones, DEFAULT_WINDOW, now) == {"America/New_York"}
    assert not is_valid_zone("Not/A_Zone")
    assert not is_valid_zone("../etc/passwd")
    assert next_opening("Not/A_Zone", DEFAULT_WINDOW, now) is None


def test_overnight_and_empty_windows() -> None:
    night = Window.parse("22:00", "02:00")
    assert is_open("UTC", night, at(2026, 1, 1, 23))
    assert is_open("UTC", night, at(2026, 1, 1, 1))
    assert not is_open("UTC", night, at(2026, 1, 1, 12))
    empty = Window.parse("09:00", "09:00")
    assert not is_open("UTC", empty, at(2026, 1, 1, 9))
    assert next_opening("UTC", empty, at(2026, 1, 1, 9)) is None


def test_start_inside_a_dst_gap() -> None:
    gap = Window.parse("02:30", "05:00")
    # 2026-03-08 02:30 does not exist in New York; the window opens at 03:00 EDT = 07:00 UTC.
    opening = next_opening("America/New_York", gap, at(2026, 3, 8, 5))
    assert opening == at(2026, 3, 8, 7)


moments = st.floats(min_value=at(2000, 1, 1, 0), max_value=at(2037, 12, 31, 0), allow_nan=False)
windows = st.builds(
    lambda a, b: Window(time(a // 60, a % 60), time(b // 60, b % 60)),
    st.integers(0, 24 * 60 - 1),
    st.integers(0, 24 * 60 - 1),
)


@settings(max_examples=300, deadline=None)
@given(zone=st.sampled_from(US_ZONES), window=windows, now=moments)
def test_next_opening_is_the_first_open_instant(zone: str, window: Window, now: float) -> None:
    opening = next_opening(zone, window, now)
    if window.start == window.end:
        assert opening is None
        return
    assert opening is not None
    assert opening >= now
    assert is_open(zone, window, opening)
    assert (opening == now) == is_open(zone, window, now)
    # Just before the opening (and after now) the window was still shut.
    if opening - 1 > now:
        assert not is_open(zone, window, opening - 1)
    assert opening - now <= 2 * 86400


@settings(max_examples=200, deadline=None)
@given(zones=st.lists(st.sampled_from(US_ZONES), unique=True), now=moments)
def test_open_zones_agrees_with_is_open(zones: list[str], now: float) -> None:
    opened = open_zones(zones, DEFAULT_WINDOW, now)
    assert opened <= set(zones)
    for name in zones:
        assert (name in opened) == is_open(name, DEFAULT_WINDOW, now)
        local = datetime.fromtimestamp(now, UTC).astimezone(ZoneInfo(name))
        assert (name in opened) == (9 <= local.hour < 21)


def test_a_call_back_must_be_ahead_and_inside_the_voters_calling_hours() -> None:
    now = at(2026, 12, 7, 19)  # 14:00 in New York
    ny = "America/New_York"
    assert call_back_problem(at(2026, 12, 7, 23), ny, DEFAULT_WINDOW, now) is None  # 18:00 there
    assert call_back_problem(now - 30, ny, DEFAULT_WINDOW, now) is None  # "now", give or take a slow page
    assert call_back_problem(now - 3600, ny, DEFAULT_WINDOW, now) == "is in the past"
    outside = call_back_problem(at(2026, 12, 8, 3), ny, DEFAULT_WINDOW, now)  # 22:00 there
    assert outside == "is outside calling hours (09:00-21:00 in the voter's time zone, America/New_York)"
    assert call_back_problem(now + 91 * 86400, ny, DEFAULT_WINDOW, now) == "is more than 90 days away"


@settings(max_examples=300, deadline=None)
@given(window=windows, zone=st.sampled_from(US_ZONES), now=moments)
def test_stored_hours_are_only_ever_narrowed_to_the_legal_window(
    window: Window, zone: str, now: float
) -> None:
    """Campaign.calling_hours.window() cuts whatever a stored record says to 08:00-21:00: a moment it allows
    is allowed by both (an old record's "09:00"-"09:00", no calls at all, became the whole legal day)."""
    hours = CallingHours(f"{window.start:%H:%M}", f"{window.end:%H:%M}")
    if is_open(zone, hours.window(), now):
        assert is_open(zone, window, now) and is_open(zone, LEGAL_WINDOW, now)


def test_an_empty_stored_window_stays_empty() -> None:
    closed = CallingHours("09:00", "09:00").window()
    assert not is_open("America/New_York", closed, at(2026, 6, 2, 16))  # noon in New York
    assert within_legal(Window.parse("10:00", "10:00")) == Window.parse("10:00", "10:00")
