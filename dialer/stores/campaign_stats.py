"""One place that completes a campaign's Stats for organizers, used by the HTTP route and the live socket.

`queue.results.stats` counts what the lease queue knows; this adds what the campaign and the dialer know
(goal, status, mode, abandonment, dial ratio, volunteers' wait, who is still to call and why not now, what
voters said per question) and
keeps the server's own pseudo-volunteer (`dialer:auto`, which records the calls nobody talked on in power and
predictive modes) off the leaderboard.
"""

from __future__ import annotations

from typing import Any, cast

import redis.asyncio as aioredis

from dialer.calling_hours import availability, open_zones
from dialer.campaigns import Campaign
from dialer.dialing.stats import dialer_numbers, volunteers_with_a_list
from dialer.models import Mode
from dialer.pace import goal_eta
from dialer.queue import keys as dkeys
from dialer.queue.lease import LeaseQueue
from dialer.queue.lua_scripts import run
from dialer.scripts.model import Script, ScriptError
from dialer.stores.scripts import ScriptStore
from dialer.survey import survey_view
from dialer.times import iso

COUNT_PAGE, COUNT_CAP = 200, 5000  # count_cells.lua: entries read at a time, and at most, per zone
DIALER_FIELDS = [
    *("dials", "live_answers", "abandoned", "canceled", "abandon_cap", "period"),
    *("dial_ratio", "lines", "mean_wait_seconds", "volunteers"),
]


async def _script(redis: aioredis.Redis, campaign: Campaign) -> Script | None:
    try:
        loaded = await ScriptStore(redis).load(campaign.script_id)
    except ScriptError:
        return None
    return loaded[1] if loaded else None


async def _not_dialable(
    redis: aioredis.Redis, campaign: Campaign, zones: list[str], ready: int, now: float
) -> int:
    """Power, predictive: of the voters callable now (`ready`, in the open `zones`), the cell phones the
    server may not dial without consent, as the pacer counted them at its last take (dialing/take.py, in
    its dial status); while it is not dialing (its status lives a minute), counted here, at most COUNT_CAP
    per zone. 0 with consent, and in preview (people call cells)."""
    if campaign.mode is Mode.PREVIEW or campaign.cell_consent or not ready:
        return 0
    cells = await redis.hget(dkeys.dial_status(campaign.id), "cells")
    if cells is None:
        args = [dkeys.dial_prefix(campaign.id), repr(now), COUNT_PAGE, COUNT_CAP, *zones]
        cells = await run(redis, "count_cells", [dkeys.counters(campaign.id)], args)
    return min(int(cells), ready)


async def enrich(
    redis: aioredis.Redis, campaign: Campaign, data: dict[str, Any], now: float
) -> dict[str, Any]:
    data["goal"] = campaign.goal
    data["status"] = campaign.status.value
    data["mode"] = campaign.mode.value
    dial = await dialer_numbers(redis, campaign, now)
    data["abandon_rate"] = dial["abandon_rate"]
    data["dialer"] = {key: dial[key] for key in DIALER_FIELDS}
    people = [row for row in data["leaderboard"] if not str(row["volunteer"]).startswith("dialer:")]
    data["leaderboard"] = people
    queue = LeaseQueue(redis)
    if campaign.mode.server_dials:  # lists held for people who stopped taking calls are not counted
        data["active_volunteers"] = await volunteers_with_a_list(redis, campaign.id, now)
    elif await queue.open_batch(campaign.id, dkeys.AUTO, now):
        data["active_volunteers"] = max(0, int(data["active_volunteers"]) - 1)  # the server's batch is no one
    window = campaign.calling_hours.window()
    backlog = await queue.backlog(campaign.id, now)
    found = availability(backlog, window, now)
    counts = cast(dict[str, str], await redis.hgetall(dkeys.survey(campaign.id)))
    script = await _script(redis, campaign)
    data["survey"] = survey_view(script, counts) if script else {"conversations": 0, "questions": []}
    eta = goal_eta(
        int(data["contacts_reached"]),
        campaign.goal,
        float(data.get("reached_last_hour", 0)),
        now,
        # Only the hours in which the voters still to call may be called count (the campaign's own zone
        # when nobody is left to wait for).
        zones=[b.zone for b in backlog if b.due_now or b.later] or [campaign.default_timezone],
        window=window,
    )
    data["goal_eta"] = iso(eta) if eta is not None else None
    opened = sorted(open_zones({b.zone for b in backlog}, window, now))
    not_dialable = await _not_dialable(redis, campaign, opened, found.ready, now)
    data["to_call"] = {
        "ready": found.ready - not_dialable,
        "waiting_retry": found.waiting_retry,
        "outside_hours": found.outside_hours,
        "in_lists": data["leased"],
        "next_due_at": iso(found.next_due_at) if found.next_due_at is not None else None,
    }
    if campaign.mode is not Mode.PREVIEW:  # (preview's to_call is as it was: a person may call a cell)
        data["to_call"]["not_dialable"] = not_dialable
    return data
