"""The demo's call list: callable at whatever hour the demo is started, whatever its size."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from dialer.demo_seed import MAX_VOTERS, call_list, daytime_zone, open_now

YEAR_START = datetime(2026, 1, 1, tzinfo=UTC).timestamp()
HOUR = 3600


def test_some_zone_is_in_the_middle_of_its_day_at_every_hour_of_a_year() -> None:
    for hour in range(0, 366 * 24):
        now = YEAR_START + hour * HOUR + 17 * 60
        zone = daytime_zone(now)
        # Open now, and still open hours later: a demo started at any time calls for a good while.
        assert open_now(zone, now) and open_now(zone, now + 5 * HOUR), (hour, zone)


@given(
    n=st.integers(min_value=1, max_value=MAX_VOTERS),
    minute=st.integers(min_value=0, max_value=366 * 24 * 60),
)
def test_every_voter_on_the_demo_list_can_be_called_when_it_is_made(n: int, minute: int) -> None:
    now = YEAR_START + minute * 60
    rows = list(csv.DictReader(io.StringIO(call_list(n, now).decode())))
    assert len(rows) == n
    assert all(open_now(row["timezone"], now) for row in rows)
    assert len({row["phone"] for row in rows}) == n


def test_later_lists_add_new_voters_until_the_fictional_numbers_run_out() -> None:
    now = YEAR_START
    first = list(csv.DictReader(io.StringIO(call_list(500, now).decode())))
    more = list(csv.DictReader(io.StringIO(call_list(500, now, start=500).decode())))
    assert not {r["phone"] for r in first} & {r["phone"] for r in more}
    assert not {r["id"] for r in first} & {r["id"] for r in more}
    assert list(csv.DictReader(io.StringIO(call_list(10, now, start=MAX_VOTERS).decode()))) == []


def test_a_list_for_the_dialer_modes_has_no_cell_the_pacer_could_not_dial() -> None:
    """The power and predictive demos claim no cell consent, so their pacer dials landlines only: half of a
    mixed list stayed uncalled, and once the landlines were called the volunteers waited for a voter that
    never came (while the stats said 245 ready, so the keeper added nobody). The same voters otherwise."""
    now = YEAR_START
    mixed = list(csv.DictReader(io.StringIO(call_list(200, now).decode())))
    landlines = list(csv.DictReader(io.StringIO(call_list(200, now, cells=False).decode())))
    assert {row["phone_type"] for row in mixed} == {"landline", "cell"}
    assert {row["phone_type"] for row in landlines} == {"landline"}
    same = ("id", "first_name", "last_name", "phone", "timezone", "street")
    assert [[r[k] for k in same] for r in mixed] == [[r[k] for k in same] for r in landlines]
