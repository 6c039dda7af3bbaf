"""Shared set-up for the dialing integration tests: a campaign, fictional contacts, a carrier stand-in."""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

import redis.asyncio as aioredis

from dialer.campaigns import Campaign
from dialer.contacts import Contact
from dialer.dialing.pacer_loop import CampaignPacer
from dialer.models import Mode
from dialer.queue.lease import LeaseQueue
from dialer.settings import Settings
from dialer.stores.campaigns import CampaignStore
from dialer.telephony.base import PlaceCall
from tests.e2e.calling import midday_zone


def midnight_zone(now: float) -> str:
    offset = 0 - time.gmtime(now).tm_hour
    if offset < -12:
        offset += 24
    return f"Etc/GMT{-offset:+d}" if offset else "Etc/GMT"


@dataclass
class FakeCarrier:
    """Records what the pacer asks of the carrier; hands out fresh CallSids."""

    placed: list[PlaceCall] = field(default_factory=list)
    sids: list[str] = field(default_factory=list)
    updates: list[tuple[str, str]] = field(default_factory=list)
    hangups: list[str] = field(default_factory=list)
    cancels: list[str] = field(default_factory=list)

    async def place_call(self, call: PlaceCall) -> str:
        self.placed.append(call)
        sid = f"CA{len(self.sids) + 1:032x}"
        self.sids.append(sid)
        return sid

    async def update_call(self, call_sid: str, *, twiml: str | None = None, url: str | None = None) -> None:
        self.updates.append((call_sid, twiml or url or ""))

    async def hangup(self, call_sid: str) -> None:
        self.hangups.append(call_sid)

    async def cancel(self, call_sid: str) -> None:
        self.cancels.append(call_sid)


SETTINGS = Settings(secret_key="test", port=8999)


async def make_campaign(
    redis: aioredis.Redis, campaign_id: str = "pw", *, mode: Mode = Mode.POWER, **changes: object
) -> Campaign:
    campaign = Campaign(
        id=campaign_id,
        name="Power test",
        script_id="gotv-2026",
        caller_id="+12025550199",
        mode=mode,
        created_at=time.time(),
    )
    campaign = replace(campaign, **changes)  # type: ignore[arg-type]
    await CampaignStore(redis).create(campaign)
    return campaign


async def add_contacts(
    redis: aioredis.Redis,
    campaign_id: str,
    n: int,
    *,
    zone: str | None = None,
    phone_type: str = "landline",
    start: int = 100,
    area: str = "312",
) -> None:
    now = time.time()
    contacts = [
        Contact(
            phone=f"+1{area}555{start + i:04d}",
            timezone=zone or midday_zone(now),
            first_name=f"Voter{start + i}",
            phone_type=phone_type,
        )
        for i in range(n)
    ]
    await LeaseQueue(redis).add_contacts(campaign_id, contacts, now)


def pacer(redis: aioredis.Redis, carrier: FakeCarrier, campaign_id: str = "pw") -> CampaignPacer:
    return CampaignPacer(redis, carrier, SETTINGS, campaign_id, scale=1.0)
