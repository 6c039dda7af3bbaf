"""Keeps the demo's call day going while it runs, through the public API as an organizer would.

When the volunteers are about to run out of voters to call, the keeper makes waiting retries callable now
(the organizer's "Call retries now") or imports more fictional voters, placed where it is daytime (see
demo_seed.call_list). When it can do neither (every fictional number has been used), it says so once, with
what to do. A campaign paused by an organizer is left paused.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx

from dialer.demo_seed import CAMPAIGN_ID, MAX_VOTERS, call_list

TOP_UP = 100  # voters added at a time


class DemoKeeper:
    def __init__(
        self,
        client: httpx.Client,
        *,
        want_ready: int,
        clock: Callable[[], float] = time.time,
        cells: bool = True,
    ) -> None:
        self.client = client  # with the admin token, on the demo's server
        self.want_ready = want_ready
        self.cells = cells  # False in power and predictive modes: their pacer dials no cell (call_list)
        self.clock = clock
        self.gave_up = False

    def tick(self) -> str | None:
        """One look at the campaign; returns what was done (for the demo's output), or None."""
        stats: dict[str, Any] = self.client.get(f"/api/campaigns/{CAMPAIGN_ID}/stats").json()
        to_call = stats.get("to_call") or {}
        if stats.get("status") != "active" or to_call.get("ready", 0) >= self.want_ready:
            return None
        if to_call.get("waiting_retry", 0) and not to_call.get("ready", 0):
            made = self.client.post(f"/api/campaigns/{CAMPAIGN_ID}/retries-now").json().get("made_due", 0)
            if made:
                return f"the demo made {made} waiting retries callable now, so the volunteers keep calling"
        have = int(stats.get("contacts", 0))
        if have >= MAX_VOTERS:
            if to_call.get("ready", 0) or to_call.get("in_lists", 0) or self.gave_up:
                return None
            self.gave_up = True
            return (
                f"all {MAX_VOTERS:,} fictional voters of the demo have been called; "
                "stop it and delete ./var to start a fresh call day"
            )
        r = self.client.post(
            f"/api/campaigns/{CAMPAIGN_ID}/contacts",
            content=call_list(TOP_UP, self.clock(), start=have, cells=self.cells),
            headers={"Content-Type": "text/csv"},
        )
        if r.status_code != 200:
            return f"the demo could not add voters: {r.status_code} {r.text[:200]}"
        return f"the demo added {r.json()['imported']} voters to the call list"
