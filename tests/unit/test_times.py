"""The one format of every time the JSON API answers: ISO 8601 with offset, in UTC (API.md's conventions)."""

from __future__ import annotations

from datetime import datetime

from dialer.times import iso, iso_or_none


def test_epoch_seconds_become_iso_8601_utc_with_offset() -> None:
    assert iso(1_800_000_000.0) == "2027-01-15T08:00:00+00:00"
    assert iso(1_800_000_000) == "2027-01-15T08:00:00+00:00"
    assert iso(1_800_000_000.25) == "2027-01-15T08:00:00.250000+00:00"  # a stored fraction is kept
    assert datetime.fromisoformat(iso(1_800_000_061.5)).timestamp() == 1_800_000_061.5


def test_unknown_times_are_null() -> None:
    assert iso_or_none(None) is None
    assert iso_or_none(0) is None  # what stores write for "never"
    assert iso_or_none(1_800_000_000.0) == "2027-01-15T08:00:00+00:00"
