"""A disabled account stops calling at once, in every campaign.

Disabling ends the account's tokens and closes its sockets (stores/accounts.py, web/sockets.py), but its
calls and voters were left as they were: the batch it held stayed leased for the rest of its lease (30
minutes by default), so those voters went uncalled while others waited for names, and a call in progress
went on (a power volunteer stayed on the line with the voter; a preview call from the page's browser, or
on the volunteer's own phone, ran until they hung up). An organizer disables an account to stop someone
from calling (abuse, a leaked password), so now, in each campaign: the voter they are talking to is hung
up, their own line (browser or phone) is hung up, they leave the dialing pool, their dial-in PIN ends, and
their open batch goes back to the queue as if they had given it back (release.lua: a voter without a result
is callable again).
Every step is best effort after the account is already disabled: a carrier that refuses is logged.
"""

from __future__ import annotations

import logging

import redis.exceptions

from dialer.campaigns import Campaign
from dialer.dialing.agents import set_ready
from dialer.queue import keys
from dialer.queue.errors import QueueError
from dialer.queue.lease import LeaseQueue
from dialer.stores.campaigns import CampaignStore
from dialer.telephony.base import CarrierError
from dialer.web.call_end import end_call_after_result
from dialer.web.call_me_hooks import LIVE, leg_of
from dialer.web.deps import Deps

log = logging.getLogger("dialer.accounts")


async def end_calling(d: Deps, volunteer: str) -> int:
    """Ends the account's calls and gives back its batches in every campaign; returns how many voters
    went back to the queue."""
    released = 0
    for campaign in await CampaignStore(d.redis).list():
        try:
            released += await _end_in(d, campaign, volunteer)
        except redis.exceptions.RedisError as exc:  # the next campaign may still be reachable
            log.warning("could not end %s's calling in campaign %s: %s", volunteer, campaign.id, exc)
    return released


async def _end_in(d: Deps, campaign: Campaign, volunteer: str) -> int:
    agent = await d.redis.hmget(keys.dial_agent(campaign.id, volunteer), "state", "call_sid")
    state, voter_sid = (str(v) if v is not None else None for v in agent)
    if state is not None:  # power, predictive: out of the pool; the pacer hangs up a voter they talk to
        if state == "talking" and voter_sid:
            await d.redis.rpush(keys.dial_actions(campaign.id), f"hangup|{voter_sid}")
        await set_ready(
            d.redis, campaign.id, volunteer, False, now=d.clock(), lease_seconds=campaign.lease_seconds
        )
    released = 0
    batch = await d.redis.get(keys.holder(campaign.id, volunteer))
    if batch:
        for contact in await d.redis.smembers(keys.batch_contacts(campaign.id, str(batch))):
            await end_call_after_result(d, campaign.id, volunteer, str(contact))  # a preview call still up
        try:
            released = await LeaseQueue(d.redis).release(campaign.id, str(batch), volunteer)
        except QueueError:  # expired or closed meanwhile: nothing of theirs is held
            pass
    await _hang_up_own_line(d, campaign.id, volunteer)
    await end_dial_in_pin(d, campaign.id, volunteer)
    return released


async def end_dial_in_pin(d: Deps, campaign_id: str, volunteer: str) -> None:
    """Their dial-in PIN, if one is out: refused while the account is disabled, it must not work again
    once the account is enabled within its 10 minutes (a PIN seen over a shoulder, the usual reason to
    disable). A new one is issued on the call page."""
    pin = await d.redis.getdel(keys.dial_in_pin_of(campaign_id, volunteer))
    if not pin:
        return
    key = keys.dial_in_pin(campaign_id, str(pin))
    record = await d.redis.get(key)
    if record is not None and str(record).endswith("|" + volunteer):  # still theirs, not a later draw
        await d.redis.delete(key)


async def _hang_up_own_line(d: Deps, campaign_id: str, volunteer: str) -> None:
    """Their phone (call me, dial-in) and their browser's leg in their conference, if up."""
    if d.carrier is None:
        return
    sids = []
    leg = await leg_of(d, campaign_id, volunteer)
    if leg.get("state") in set(LIVE) and leg.get("call_sid"):
        sids.append(leg["call_sid"])
    browser = await d.redis.get(keys.agent_leg(campaign_id, volunteer))
    if browser:
        sids.append(str(browser))
    for sid in sids:
        try:
            await d.carrier.hangup(sid)
        except CarrierError as exc:
            log.warning("could not hang up %s's line %s: %s", volunteer, sid, exc.message)
        except Exception:  # the network: the carrier's own timeouts end the call
            log.exception("could not hang up %s's line %s", volunteer, sid)
