"""Who is calling right now, for the organizers' roster (pure: entries in, rows out).

Each volunteer with a call page open has an entry (kept by dialer/queue/roster.py from the call socket): a
state, since when, their hand (raised when they need help), name and team. The page's socket marks them
seen every 20 s; an entry not seen for a minute belongs to a page that vanished and is not shown. Their
numbers today (calls, conversations, talk time) come from the campaign's daily counters.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Collection, Mapping
from typing import Any

from dialer.times import iso

SEEN_EVERY = 20.0  # seconds between a call socket's signs of life
GONE_AFTER = 60.0  # an entry not seen this long belongs to a page that vanished
IDLE_FLAG = 300.0  # waiting this long without a call is flagged
SHORT_CALL = 20.0  # conversations shorter than this on average...
SHORT_CALLS_MIN = 3  # ...over at least this many, are flagged


class VolunteerState(enum.StrEnum):
    WAITING = "waiting"  # the page is open, no call
    RINGING = "ringing"  # a call placed, nobody on the line yet
    TALKING = "talking"  # a voter on the line
    WRAP_UP = "wrap_up"  # the call ended, the result not saved yet
    AWAY = "away"  # the page is hidden, or not taking calls (power and predictive)


_BY_STATUS = {
    "queued": VolunteerState.RINGING,
    "initiated": VolunteerState.RINGING,
    "ringing": VolunteerState.RINGING,
    "in-progress": VolunteerState.TALKING,
    "completed": VolunteerState.WRAP_UP,
    "busy": VolunteerState.WRAP_UP,
    "no-answer": VolunteerState.WRAP_UP,
    "failed": VolunteerState.WRAP_UP,
    "canceled": VolunteerState.WRAP_UP,
}


def state_for_status(status: str) -> VolunteerState | None:
    """The volunteer's state when their call reports `status` (None: unknown status, no change)."""
    return _BY_STATUS.get(status)


def entry(raw: str | None) -> dict[str, Any]:
    """A stored entry (JSON), or an empty one when it is missing or damaged."""
    try:
        value = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def flags(state: str, since: float, conversations: int, talk_seconds: float, now: float) -> list[str]:
    out = []
    if state == VolunteerState.WAITING and now - since >= IDLE_FLAG:
        out.append("idle")
    if conversations >= SHORT_CALLS_MIN and talk_seconds / conversations < SHORT_CALL:
        out.append("short_calls")
    return out


def roster_rows(
    entries: Mapping[str, str],
    alive: Collection[str],
    daily: Mapping[str, str],
    now: float,
    team: str | None = None,
) -> list[dict[str, Any]]:
    """The roster, by name: every volunteer whose page is alive (and in `team`, when given)."""
    rows = []
    for volunteer, raw in entries.items():
        if volunteer not in alive:
            continue
        e = entry(raw)
        if team is not None and e.get("team") != team:
            continue
        state = str(e.get("state") or VolunteerState.WAITING)
        since = float(e.get("since") or now)
        calls = int(daily.get(f"calls:{volunteer}") or 0)
        conversations = int(daily.get(f"conv:{volunteer}") or 0)
        talk = round(float(daily.get(f"talk:{volunteer}") or 0), 1)
        first = float(daily.get(f"first:{volunteer}") or now)
        hours = max(now - first, 600.0) / 3600  # the pace since their first call today (at least 10 min)
        rows.append(
            {
                "volunteer": volunteer,
                "name": str(e.get("name") or volunteer),
                "team": e.get("team") or None,
                "state": state,
                "since": iso(since),
                "calls": calls,
                "conversations": conversations,
                "contact_rate": round(conversations / calls, 4) if calls else 0.0,
                "talk_seconds": talk,
                "calls_per_hour": round(calls / hours, 1) if calls else 0.0,
                "conversations_per_hour": round(conversations / hours, 1) if conversations else 0.0,
                "hand_raised": bool(e.get("hand")),
                "flags": flags(state, since, conversations, talk, now),
            }
        )
    rows.sort(key=lambda r: (not r["hand_raised"], str(r["name"]).lower()))
    return rows
