"""When the pacer wants a voter for a ready volunteer and can take nobody, it says why in the campaign's dial
status and on the campaign's `calls` channel (the call sockets relay it): the voters left now are cell
phones without consent, everyone left is outside calling hours or waits for a retry until a time, or the
list is used up. Before, the volunteer's page waited for ever and said nothing. Fixed clock throughout."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
import redis.asyncio as aioredis

from dialer.campaigns import Campaign
from dialer.contacts import Contact
from dialer.dialing.agents import set_ready
from dialer.dialing.pacer_loop import CampaignPacer
from dialer.models import Mode
from dialer.queue import keys
from dialer.queue.lease import LeaseQueue
from dialer.queue.results import stats
from dialer.stores.campaign_stats import enrich
from tests.integration.dialing_support import SETTINGS, FakeCarrier, make_campaign

pytestmark = pytest.mark.anyio

T0 = datetime(2026, 12, 7, 15, 0, tzinfo=UTC).timestamp()  # 15:00 in Etc/GMT: inside 09:00-21:00
OPEN = "Etc/GMT"
CLOSED = "Etc/GMT-10"  # UTC+10: 01:00 there at T0, opening at 09:00 local, 23:00 UTC
OPENS_AT = datetime(2026, 12, 7, 23, 0, tzinfo=UTC).timestamp()


async def add(redis: aioredis.Redis, n: int, *, zone: str, kind: str, start: int, at: float = T0) -> None:
    people = [Contact(phone=f"+1312555{start + i:04d}", timezone=zone, phone_type=kind) for i in range(n)]
    await LeaseQueue(redis).add_contacts("pw", people, at)


async def ticked(
    redis: aioredis.Redis, p: CampaignPacer, campaign: Campaign, now: float = T0
) -> tuple[int, dict[str, str], list[dict[str, Any]]]:
    """One tick with a ready volunteer: calls placed, the dial status, what the call sockets heard."""
    await set_ready(redis, "pw", "vol-1", True, now=now, lease_seconds=90)
    pubsub = redis.pubsub(ignore_subscribe_messages=True)
    await pubsub.subscribe(keys.calls_channel("pw"))
    try:
        placed = await p.tick(campaign, now)
        await redis.publish(keys.calls_channel("pw"), json.dumps({"type": "end"}))  # all before it came
        heard: list[dict[str, Any]] = []
        give_up = time.monotonic() + 30  # a bound, not a wait: the end marker comes right after
        while True:
            assert time.monotonic() < give_up, heard
            item = await pubsub.get_message(timeout=1)
            if item is None:  # (the subscription's own reply, skipped)
                continue
            message = json.loads(item["data"])
            if message["type"] == "end":
                break
            heard.append(message)
    finally:
        await pubsub.aclose()  # type: ignore[no-untyped-call, unused-ignore]
    return placed, await redis.hgetall(keys.dial_status("pw")), heard


def new_pacer(redis: aioredis.Redis) -> CampaignPacer:
    return CampaignPacer(redis, FakeCarrier(), SETTINGS, "pw", clock=lambda: T0, scale=1.0)


def said(reason: str | None, resume_at: float | None, cells: int) -> dict[str, Any]:
    at = datetime.fromtimestamp(resume_at, UTC).isoformat() if resume_at is not None else None
    return {"type": "dialer", "reason": reason, "resume_at": at, "cells": cells}


@pytest.mark.parametrize("mode", [Mode.POWER, Mode.PREDICTIVE])
async def test_only_cells_without_consent_left_is_said_once_and_cleared_when_someone_is_dialed(
    redis: aioredis.Redis, mode: Mode
) -> None:
    campaign = await make_campaign(redis, mode=mode)
    await add(redis, 3, zone=OPEN, kind="cell", start=100)
    p = new_pacer(redis)
    placed, status, heard = await ticked(redis, p, campaign)
    assert placed == 0
    assert (status["idle_reason"], status["idle_until"], status["cells"]) == (
        "cells_without_consent",
        "",
        "3",
    )
    assert heard == [said("cells_without_consent", None, 3)]
    # The same reason at the next tick is not said again.
    assert await ticked(redis, p, campaign) == (0, status, [])
    # A landline comes: it is dialed, and the pages hear that the reason is gone.
    await add(redis, 1, zone=OPEN, kind="landline", start=150)
    placed, status, heard = await ticked(redis, p, campaign)
    assert placed == 1 and status["idle_reason"] == ""
    assert heard == [said(None, None, 3)]


async def test_everyone_left_outside_calling_hours_says_when_their_zone_opens(redis: aioredis.Redis) -> None:
    campaign = await make_campaign(redis)
    await add(redis, 2, zone=CLOSED, kind="landline", start=100)
    placed, status, heard = await ticked(redis, new_pacer(redis), campaign)
    assert placed == 0
    assert (status["idle_reason"], float(status["idle_until"])) == ("outside_hours", OPENS_AT)
    assert heard == [said("outside_hours", OPENS_AT, 0)]


async def test_everyone_left_waiting_for_a_retry_says_when_the_first_comes_due(redis: aioredis.Redis) -> None:
    campaign = await make_campaign(redis)
    await add(redis, 1, zone=OPEN, kind="landline", start=100, at=T0 + 1800)
    await add(redis, 1, zone=CLOSED, kind="landline", start=110)  # opens later than the retry is due
    placed, status, heard = await ticked(redis, new_pacer(redis), campaign)
    assert placed == 0
    assert (status["idle_reason"], float(status["idle_until"])) == ("waiting_retry", T0 + 1800)
    assert heard == [said("waiting_retry", T0 + 1800, 0)]


async def test_cells_left_now_say_when_other_voters_may_be_dialed(redis: aioredis.Redis) -> None:
    campaign = await make_campaign(redis)
    await add(redis, 2, zone=OPEN, kind="cell", start=100)
    await add(redis, 1, zone=CLOSED, kind="landline", start=110)
    placed, status, heard = await ticked(redis, new_pacer(redis), campaign)
    assert placed == 0
    assert heard == [said("cells_without_consent", OPENS_AT, 2)]


async def test_a_used_up_list_is_said(redis: aioredis.Redis) -> None:
    campaign = await make_campaign(redis)
    await add(redis, 1, zone=OPEN, kind="landline", start=100)
    p = new_pacer(redis)
    assert (await ticked(redis, p, campaign))[0] == 1
    await redis.delete(keys.dial_lines("pw"))  # that line is over; the volunteer is free again
    placed, status, heard = await ticked(redis, p, campaign)
    assert placed == 0 and status["idle_reason"] == "list_used_up" and status["idle_until"] == ""
    assert heard == [said("list_used_up", None, 0)]


async def test_stats_do_not_count_the_cells_the_dialer_may_not_call_as_ready(redis: aioredis.Redis) -> None:
    campaign = await make_campaign(redis)
    await add(redis, 3, zone=OPEN, kind="cell", start=100)
    await add(redis, 2, zone=OPEN, kind="landline", start=150)

    async def to_call() -> dict[str, Any]:
        return dict((await enrich(redis, campaign, await stats(redis, "pw", T0), T0))["to_call"])

    before = await to_call()
    assert (before["ready"], before["not_dialable"]) == (2, 3)  # no take yet: counted by the stats
    assert (await ticked(redis, new_pacer(redis), campaign))[0] == 1  # a landline, past the three cells
    after = await to_call()
    assert (after["ready"], after["not_dialable"]) == (1, 3)
    in_preview = replace(campaign, mode=Mode.PREVIEW)  # a person may call them: ready
    found = (await enrich(redis, in_preview, await stats(redis, "pw", T0), T0))["to_call"]
    assert found["ready"] == 4 and "not_dialable" not in found


async def test_a_volunteer_who_becomes_ready_hears_the_reason_again(redis: aioredis.Redis) -> None:
    campaign = await make_campaign(redis)
    await add(redis, 1, zone=OPEN, kind="cell", start=100)
    p = new_pacer(redis)
    assert (await ticked(redis, p, campaign))[2] == [said("cells_without_consent", None, 1)]
    await set_ready(redis, "pw", "vol-2", True, now=T0, lease_seconds=90)
    assert (await ticked(redis, p, campaign))[2] == [said("cells_without_consent", None, 1)]
