"""The organizers' roster rows: only live pages, a team's own, flags for idle and very short calls."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from dialer.roster import VolunteerState, roster_rows, state_for_status

NOW = datetime(2026, 12, 7, 19, 0, tzinfo=UTC).timestamp()


def entry(state: str, since: float, name: str, team: str = "", hand: bool = False) -> str:
    return json.dumps({"state": state, "since": since, "name": name, "team": team, "hand": hand})


def test_rows_show_live_pages_with_their_numbers_today_hands_first() -> None:
    entries = {
        "v1": entry("talking", NOW - 30, "Ada", "t1"),
        "v2": entry("waiting", NOW - 400, "bo", "t2", hand=True),
        "v3": entry("waiting", NOW - 10, "Cy"),  # its page vanished: not seen lately
    }
    daily = {
        "calls:v1": "10",
        "conv:v1": "4",
        "talk:v1": "600.5",
        "calls:v2": "5",
        "conv:v2": "3",
        "talk:v2": "30",
    }
    rows = roster_rows(entries, {"v1", "v2"}, daily, NOW)
    assert [r["volunteer"] for r in rows] == ["v2", "v1"]  # a raised hand first, then by name
    bo, ada = rows
    assert ada == {
        "volunteer": "v1", "name": "Ada", "team": "t1", "state": "talking",
        "since": datetime.fromtimestamp(NOW - 30, UTC).isoformat(), "calls": 10, "conversations": 4,
        "contact_rate": 0.4, "talk_seconds": 600.5, "calls_per_hour": 60.0, "conversations_per_hour": 24.0,
        "hand_raised": False, "flags": [],
    }  # fmt: skip
    assert bo["hand_raised"] and bo["flags"] == ["idle", "short_calls"]  # 6.7 min waiting; 10 s a talk
    assert [r["volunteer"] for r in roster_rows(entries, {"v1", "v2"}, daily, NOW, team="t1")] == ["v1"]


def test_a_damaged_entry_shows_as_waiting_rather_than_failing() -> None:
    rows = roster_rows({"v1": "not json"}, {"v1"}, {}, NOW)
    assert rows[0]["state"] == "waiting" and rows[0]["name"] == "v1" and rows[0]["calls"] == 0


def test_call_statuses_move_the_volunteer() -> None:
    assert state_for_status("ringing") is VolunteerState.RINGING
    assert state_for_status("in-progress") is VolunteerState.TALKING
    assert state_for_status("busy") is VolunteerState.WRAP_UP
    assert state_for_status("answered") is None
