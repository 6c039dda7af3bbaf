"""The volunteer's line in their own conference: what a preview call is placed into, a coach whispers to
and a transfer's staff line joins (dialer/conference_calls.py says which calls run through it).

It is their phone (call me, dial-in) once it is connected there, else their browser's leg when the campaign
has browsers wait in the conference (power, predictive, preview with `preview_conference`): the voice
webhook remembers that leg's CallSid when it answers `leg=agent` (web/webhooks.py `agent_answer`).
"""

from __future__ import annotations

from dialer.campaigns import Campaign
from dialer.conference_calls import browser_in_conference, through_conference
from dialer.phone_legs import LegState
from dialer.queue.coach_sessions import CoachSessions
from dialer.web.call_me_hooks import leg_of
from dialer.web.deps import Deps


async def phone_in_conference(d: Deps, campaign_id: str, volunteer: str) -> str | None:
    """The CallSid of the volunteer's phone leg if it is connected to their conference, else None."""
    leg = await leg_of(d, campaign_id, volunteer)
    return leg.get("call_sid") or None if leg.get("state") == LegState.CONNECTED else None


async def conference_leg(d: Deps, campaign: Campaign, volunteer: str) -> str | None:
    """The CallSid of the volunteer's line in their conference (phone first, then browser), else None."""
    phone = await phone_in_conference(d, campaign.id, volunteer)
    if phone is not None:
        return phone
    if browser_in_conference(campaign.mode, campaign.preview_conference):
        return await CoachSessions(d.redis, campaign.id).leg(volunteer)
    return None


async def bridged(d: Deps, campaign: Campaign, volunteer: str) -> bool:
    """Whether the volunteer's calls run through their conference (a coach or a staff line can join)."""
    phone = await phone_in_conference(d, campaign.id, volunteer) is not None
    return through_conference(campaign.mode, preview_conference=campaign.preview_conference, phone_leg=phone)
