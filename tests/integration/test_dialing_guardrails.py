"""The compliance guardrails hold when the server dials: cells without consent, the do-not-call list
(checked again at dial time), calling hours and the ring time."""

from __future__ import annotations

import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import redis.asyncio as aioredis

from dialer.dialing.agents import set_ready
from dialer.dialing.pacer_loop import CampaignPacer
from dialer.models import Mode
from dialer.queue import keys
from dialer.queue.importer import import_contacts
from tests.integration.dialing_support import (
    SETTINGS,
    FakeCarrier,
    add_contacts,
    make_campaign,
    midnight_zone,
    pacer,
)

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("mode", [Mode.POWER, Mode.PREDICTIVE])
async def test_cell_phones_are_never_autodialed_without_consent(redis: aioredis.Redis, mode: Mode) -> None:
    campaign = await make_campaign(redis, mode=mode)
    await add_contacts(redis, campaign.id, 5, phone_type="cell", start=100)
    await add_contacts(redis, campaign.id, 2, phone_type="landline", start=150)
    carrier = FakeCarrier()
    now = time.time()
    assert await pacer(redis, carrier).dial(campaign, 10, now) == 2
    assert sorted(c.to for c in carrier.placed) == ["+13125550150", "+13125550151"]
    # The cells stay pending, for a person to call in preview mode.
    counters = await redis.hgetall(keys.counters(campaign.id))
    assert int(counters["pending"]) == 5 and int(counters["leased"]) == 2
    assert await pacer(redis, carrier).dial(campaign, 10, now) == 0


async def test_cell_phones_are_dialed_with_consent(redis: aioredis.Redis) -> None:
    campaign = await make_campaign(redis, cell_consent=True)
    await add_contacts(redis, campaign.id, 3, phone_type="cell")
    carrier = FakeCarrier()
    assert await pacer(redis, carrier).dial(campaign, 10, time.time()) == 3


async def test_a_phone_put_on_the_dnc_list_after_import_is_not_dialed(redis: aioredis.Redis) -> None:
    campaign = await make_campaign(redis)
    await add_contacts(redis, campaign.id, 3)
    await redis.sadd(keys.DNC, "+13125550101")
    carrier = FakeCarrier()
    assert await pacer(redis, carrier).dial(campaign, 10, time.time()) == 2
    assert "+13125550101" not in {c.to for c in carrier.placed}
    phone_id = await redis.hget(keys.phones(campaign.id), "+13125550101")
    assert await redis.hget(keys.lease_of(campaign.id), phone_id) == "done"


async def test_nobody_is_dialed_outside_their_calling_hours(redis: aioredis.Redis) -> None:
    campaign = await make_campaign(redis)
    now = time.time()
    await add_contacts(redis, campaign.id, 3, zone=midnight_zone(now))
    carrier = FakeCarrier()
    assert await pacer(redis, carrier).dial(campaign, 10, now) == 0
    assert carrier.placed == []


async def test_power_mode_dials_one_line_per_ready_volunteer_with_a_long_enough_ring(
    redis: aioredis.Redis,
) -> None:
    campaign = await make_campaign(redis)
    await add_contacts(redis, campaign.id, 10)
    now = time.time()
    for volunteer in ("a", "b"):
        await set_ready(redis, campaign.id, volunteer, True, now=now, lease_seconds=600)
    carrier = FakeCarrier()
    p = pacer(redis, carrier)
    assert await p.tick(campaign, now) == 2
    assert await p.tick(campaign, now + 1) == 0  # both lines still ringing
    assert all(c.timeout >= 15 and c.async_amd and c.url for c in carrier.placed)
    assert all("/twilio/outbound" in (c.url or "") for c in carrier.placed)


async def test_a_paused_campaign_is_not_dialed(redis: aioredis.Redis) -> None:
    from dialer.models import CampaignStatus

    campaign = await make_campaign(redis, status=CampaignStatus.PAUSED)
    await add_contacts(redis, campaign.id, 3)
    carrier = FakeCarrier()
    assert await pacer(redis, carrier).dial(campaign, 3, time.time()) == 0
    counters = await redis.hgetall(keys.counters(campaign.id))
    assert int(counters["pending"]) == 3  # taken and given back


async def test_landlines_behind_hundreds_of_cells_are_still_reached(redis: aioredis.Redis) -> None:
    campaign = await make_campaign(redis)
    for area in ("202", "312", "415"):
        await add_contacts(redis, campaign.id, 100, phone_type="cell", area=area)
    await add_contacts(redis, campaign.id, 2, phone_type="landline", area="617")  # due a moment later
    carrier = FakeCarrier()
    assert await pacer(redis, carrier).dial(campaign, 10, time.time() + 1) == 2
    assert {c.to for c in carrier.placed} == {"+16175550100", "+16175550101"}


async def test_an_archived_campaign_is_not_dialed_though_its_status_says_active(
    redis: aioredis.Redis,
) -> None:
    """Archiving a running power campaign (status still "active", kept for a restore) left its pacer
    dialing: the demo's volunteers were turned away from the page at once ("No campaign 'demo'") while
    13 more voters were dialed, one of them abandoned."""

    campaign = await make_campaign(redis, archived=True)
    await add_contacts(redis, campaign.id, 3)
    now = time.time()
    await set_ready(redis, campaign.id, "a", True, now=now, lease_seconds=600)
    assert not campaign.dialing
    carrier = FakeCarrier()
    assert await pacer(redis, carrier).tick(campaign, now) == 0
    assert carrier.placed == []
    counters = await redis.hgetall(keys.counters(campaign.id))
    assert int(counters["pending"]) == 3  # nobody's chance is used up


async def test_cells_a_list_marks_its_own_way_are_never_autodialed(redis: aioredis.Redis) -> None:
    """A list as vendors write it: a `phone_type` of cellphone, Mobile Phone or W, a landline with a cell flag
    or a Ported flag. Imported, then the pacer of a power campaign without cell consent: only the landline
    rings. All six came in as unknown or landline and were dialed."""
    noon = datetime(2026, 10, 6, 12, tzinfo=ZoneInfo("America/New_York")).timestamp()
    campaign = await make_campaign(redis)
    data = (
        b"phone,state,phone_type,Is Cell,Ported\n"
        b"(212) 555-0101,NY,cellphone,,\n"
        b"(212) 555-0102,NY,Mobile Phone,,\n"
        b"(212) 555-0103,NY,W,,\n"
        b"(212) 555-0104,NY,landline,Y,\n"
        b"(212) 555-0105,NY,landline,,Y\n"
        b"(212) 555-0106,NY,Landline (ported to wireless),,\n"
        b"(212) 555-0107,NY,Landline,N,N\n"
    )
    report = await import_contacts(redis, campaign.id, [data], default_timezone="America/New_York", now=noon)
    assert report.imported == 7
    carrier = FakeCarrier()
    dialer = CampaignPacer(redis, carrier, SETTINGS, campaign.id, clock=lambda: noon, scale=1.0)
    assert await dialer.dial(campaign, 10, noon) == 1
    assert [c.to for c in carrier.placed] == ["+12125550107"]
    assert int((await redis.hgetall(keys.counters(campaign.id)))["pending"]) == 6  # for a person to call
