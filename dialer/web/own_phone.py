"""Calling from the volunteer's own phone: which methods this server offers a campaign, and the
compliance check made when a volunteer opens an own-phone call.

Nothing is placed by us on an own-phone call, so the dial-time checks that the voice webhook makes for a
browser call (dialer/guardrails.py) are made here instead, when the call socket gets its `start`: the do-not-
call list may have grown and the voter's calling hours may have closed since the batch was handed out.
"""

from __future__ import annotations

from typing import Any

from dialer.calling_methods import DIALING_ONLY, CallingMethod, offered
from dialer.campaigns import Campaign
from dialer.guardrails import DialFacts, Refusal, check_dial
from dialer.queue import keys
from dialer.queue.lease import LeaseQueue
from dialer.session import CallSession
from dialer.stores.campaigns import CampaignStore
from dialer.web.deps import Deps

DEFAULT_REFUSAL = "Please do not call this voter now."
# What the volunteer reads when the server refuses an own-phone call (they dial it themselves: say "do not").
REFUSED_TEXT = {
    Refusal.CAMPAIGN_NOT_ACTIVE: "The campaign is paused: please do not call now.",
    Refusal.NOT_HELD: "This voter is not on your list any more: please do not call them.",
    Refusal.DO_NOT_CALL: "This number is on the do-not-call list: please do not call it.",
    Refusal.OUTSIDE_CALLING_HOURS: "It is outside calling hours for this voter: please do not call now.",
    Refusal.MAX_ATTEMPTS: "This voter has been called as often as allowed: please do not call again.",
    Refusal.UNKNOWN_CONTACT: "We could not find this voter: please do not call.",
}


def browser_ready(d: Deps) -> bool:
    """Whether a browser can call through this server: a carrier, and with Twilio its Voice SDK."""
    if d.carrier is None:
        return False
    if d.settings.carrier == "twilio":
        from dialer.web.pages import VENDOR_SDK  # the pages module is heavy; only Twilio servers ask

        return VENDOR_SDK.exists()
    return True


def methods_for(d: Deps, campaign: Campaign) -> tuple[CallingMethod, ...]:
    """The ways a volunteer can call in `campaign` on this server (own phone is the carrier-less fallback)."""
    found = offered(campaign.calling_method, campaign.mode, has_carrier=browser_ready(d))
    if d.carrier is not None:
        # The volunteer's own phone line (call me, dial-in) needs a carrier, not the browser's Voice SDK.
        anyway = offered(campaign.calling_method, campaign.mode, has_carrier=True)
        found = (*found, *(m for m in anyway if m in DIALING_ONLY and m not in found))
    return found


async def own_phone_refusal(d: Deps, campaign: Campaign, volunteer: str, contact_id: str) -> Refusal | None:
    """None when the volunteer may call this contact from their own phone now, else the rule it breaks.
    The campaign is read afresh, as the voice webhook does: it may have been paused a moment ago."""
    campaign = await CampaignStore(d.redis).get(campaign.id) or campaign
    now = d.clock()
    queue = LeaseQueue(d.redis)
    contact = await queue.contact(campaign.id, contact_id)
    if contact is None:
        return Refusal.UNKNOWN_CONTACT
    facts = DialFacts(
        campaign_status=campaign.calling_status,
        calling_hours=campaign.calling_hours.window(),
        max_attempts=campaign.max_attempts,
        cell_consent=campaign.cell_consent,
        held=await queue.holds(campaign.id, volunteer, contact.id, now),
        on_dnc=bool(await d.redis.sismember(keys.DNC, contact.phone)),
        timezone=contact.timezone or campaign.default_timezone,
        attempts=contact.attempts,
        phone_type=contact.phone_type,
        server_dialed=False,  # a person dials, on their own phone
    )
    return check_dial(facts, now)


async def refused_start(
    d: Deps, campaign: Campaign, volunteer: str, session: CallSession, message: dict[str, Any]
) -> dict[str, str] | None:
    """For a call socket `start`: the error to send when it opens an own-phone call that must not be made
    now, else None (the session handles the start). A call already open (a reconnect) is not checked again;
    a contact the session refuses anyway is left to say why."""
    contact_id = message.get("contact_id")
    if message.get("method") != CallingMethod.OWN_PHONE or not isinstance(contact_id, str):
        return None
    if (
        contact_id == session.contact_id
        or contact_id not in session.contacts
        or contact_id in session.completed
    ):
        return None
    refusal = await own_phone_refusal(d, campaign, volunteer, contact_id)
    if refusal is None:
        return None
    return {"type": "error", "code": refusal.value, "message": REFUSED_TEXT.get(refusal, DEFAULT_REFUSAL)}
