"""Why there is nobody to call: contacts ready, waiting for a retry, outside calling hours, and when next."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from dialer.calling_hours import (
    DEFAULT_WINDOW,
    Availability,
    ZoneBacklog,
    availability,
    is_open,
)

NY, LA, HI = "America/New_York", "America/Los_Angeles", "Pacific/Honolulu"
# 2026-12-07 19:00 UTC: 14:00 in New York, 11:00 in Los Angeles, 09:00 in Honolulu.
AFTERNOON = datetime(2026, 12, 7, 19, 0, tzinfo=UTC).timestamp()
# 2026-12-08 04:00 UTC: 23:00 in New York, 20:00 in Los Angeles, 18:00 in Honolulu.
LATE = datetime(2026, 12, 8, 4, 0, tzinfo=UTC).timestamp()
HOUR = 3600.0


def test_contacts_due_in_an_open_zone_are_ready_now() -> None:
    got = availability(
        [ZoneBacklog(NY, due_now=5, later=2, next_due=AFTERNOON + HOUR)], DEFAULT_WINDOW, AFTERNOON
    )
    assert got == Availability(ready=5, waiting_retry=2, outside_hours=0, next_due_at=AFTERNOON)


def test_retries_not_due_yet_say_when_they_come_back() -> None:
    back = AFTERNOON + 4 * HOUR  # 18:00 in New York, inside the window
    got = availability([ZoneBacklog(NY, due_now=0, later=242, next_due=back)], DEFAULT_WINDOW, AFTERNOON)
    assert got == Availability(ready=0, waiting_retry=242, outside_hours=0, next_due_at=back)


def test_a_retry_due_after_the_window_closes_comes_back_when_it_opens_again() -> None:
    due = AFTERNOON + 8 * HOUR  # 22:00 in New York: closed
    got = availability([ZoneBacklog(NY, due_now=0, later=3, next_due=due)], DEFAULT_WINDOW, AFTERNOON)
    assert got.next_due_at == datetime(2026, 12, 8, 14, 0, tzinfo=UTC).timestamp()  # 09:00 next morning


def test_a_closed_zone_counts_as_outside_calling_hours_and_opens_next_morning() -> None:
    got = availability(
        [ZoneBacklog(NY, due_now=4, later=1, next_due=LATE + HOUR), ZoneBacklog(LA, 2, 0)],
        DEFAULT_WINDOW,
        LATE,
    )
    assert (got.ready, got.waiting_retry, got.outside_hours) == (2, 0, 5)
    assert got.next_due_at == LATE  # Los Angeles is open (20:00) and has contacts due


def test_nothing_left_has_no_next_time() -> None:
    assert availability([ZoneBacklog(NY, 0, 0)], DEFAULT_WINDOW, AFTERNOON) == Availability(0, 0, 0, None)
    assert availability([ZoneBacklog("Not/AZone", 3, 0)], DEFAULT_WINDOW, AFTERNOON) == Availability(
        0, 0, 3, None
    )


@given(
    now=st.floats(min_value=1.7e9, max_value=1.9e9),
    rows=st.lists(
        st.tuples(
            st.sampled_from([NY, LA, HI, "America/Phoenix", "Europe/London"]),
            st.integers(0, 50),
            st.integers(0, 50),
            st.floats(min_value=0, max_value=7 * 24 * HOUR),
        ),
        max_size=6,
    ),
)
def test_counts_add_up_and_the_next_time_is_callable(
    now: float, rows: list[tuple[str, int, int, float]]
) -> None:
    backlogs = [ZoneBacklog(z, d, later, now + 1 + ahead if later else None) for z, d, later, ahead in rows]
    got = availability(backlogs, DEFAULT_WINDOW, now)
    assert got.ready + got.waiting_retry + got.outside_hours == sum(d + later for _, d, later, _ in rows)
    if got.ready:
        assert got.next_due_at == now
    if got.next_due_at is not None:
        assert got.next_due_at >= now
        assert is_open_at_some_due_zone(backlogs, got.next_due_at)
    else:
        assert all(d == 0 and later == 0 for _, d, later, _ in rows)


def is_open_at_some_due_zone(backlogs: list[ZoneBacklog], t: float) -> bool:
    return any(
        is_open(b.zone, DEFAULT_WINDOW, t) and (b.due_now or (b.next_due is not None and b.next_due <= t))
        for b in backlogs
    )
